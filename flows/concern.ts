/**
 * A worker's concerns: raise one (category, unit, description and photos, anonymous or named:
 * concern-intake.ts), see "my concerns" with their progress, answer a cadre's question, rate
 * after resolution, reopen within the window, and consent to reveal who they are for one concern.
 */
import { formatVnTime } from '../core/vn-time.js';
import { eventLabelKey, type ConcernDoc } from '../core/concerns/models.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { photoRefOf } from '../core/concerns/photos.js';
import { MIN_TEXT_CHARS, tooShort } from '../core/concerns/text-minimums.js';
import type { Flow, FlowContext, StepInput } from '../core/engine/flow.js';
import { explain, intakeSteps, startIntake } from './concern-intake.js';
import { outcomeConsentChoice, outcomeConsentSteps } from './outcome-notes.js';

/** Events the worker sees in their concern's history (internal ones never). */
const PUBLIC_EVENTS = new Set(['created', 'accepted', 'replied', 'asked', 'answered', 'escalated', 'resolved', 'reopened', 'rated']);

function code(ctx: FlowContext): string {
  return String(ctx.state.data.concernCode ?? '');
}

function statusLine(ctx: FlowContext, c: ConcernDoc): string {
  return ctx.t('concern:mine_item', { code: c._id, category: ctx.t(`concern:category.${c.category}`), status: ctx.t(`concern:status.${c.status}`) });
}

/**
 * Relays a worker's answer (words, or a photo) to the cadre of the concern; false when the
 * input cannot be relayed (an attachment that is not a usable photo, or nothing at all).
 */
async function relayAnswer(ctx: FlowContext, concernCode: string, input: StepInput): Promise<boolean> {
  const photo = input.media === 'photo' ? photoRefOf(ctx.inbound.channel, input.photoRef) : undefined;
  if (input.media && !photo) {
    ctx.reply(ctx.t(input.media === 'photo' ? 'concern:photo_unusable' : 'concern:unsupported_attachment'));
    return false;
  }
  if (!photo && !input.text) return false;
  try {
    await notifyInTurn(ctx, await ctx.services.concerns.answer(ctx.member!._id, concernCode, input.text ?? '', ctx.now, photo));
    ctx.reply(ctx.t('concern:answer_sent', { code: concernCode }));
  } catch (err) {
    explain(ctx, err);
  }
  return true;
}

export const concernFlow: Flow = {
  name: 'concern',
  /** A cadre asked a question: what the worker types (or photographs) next answers it, wherever they are. */
  async unpromptedInput(ctx, input) {
    const waiting = await ctx.services.concerns.awaitingAnswerFrom(ctx.member!._id, ctx.now);
    if (!waiting) return false;
    await relayAnswer(ctx, waiting, input);
    return true;
  },
  steps: {
    home: {
      enter(ctx) {
        ctx.ask(ctx.t('concern:home'), [
          { id: 'new', label: ctx.t('concern:choice.new') },
          { id: 'mine', label: ctx.t('concern:choice.mine') },
          { id: 'back', label: ctx.t('concern:choice.back') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.home();
        if (choice!.id === 'mine') return ctx.go('concern', 'mine');
        // The open-concern limit is checked once the category is known: urgent ones are never refused.
        return startIntake(ctx);
      },
    },

    ...intakeSteps,

    mine: {
      async enter(ctx) {
        const list = await ctx.services.concerns.mine(ctx.member!._id);
        if (list.length === 0) {
          ctx.reply(ctx.t('concern:mine_empty'));
          return ctx.jump('concern', 'home');
        }
        const choices = list.slice(0, 10).map((c) => ({ id: c._id, label: statusLine(ctx, c) }));
        choices.push({ id: 'back', label: ctx.t('concern:choice.back') });
        ctx.ask(ctx.t('concern:mine_title', { count: list.length }), choices);
      },
      input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.jump('concern', 'home');
        ctx.state.data.concernCode = choice!.id;
        return ctx.go('concern', 'detail');
      },
    },

    detail: {
      async enter(ctx) {
        const { concerns } = ctx.services;
        let c: ConcernDoc;
        try {
          c = await concerns.forReporter(ctx.member!._id, code(ctx));
        } catch (err) {
          explain(ctx, err);
          return ctx.jump('concern', 'home');
        }
        const history = c.events
          .filter((e) => PUBLIC_EVENTS.has(e.kind))
          .map((e) => ctx.t(`concern:event.${eventLabelKey(e)}`, { time: formatVnTime(e.at), text: e.text ?? '' }))
          .join('\n');
        const open = c.status !== 'resolved';
        const choices = [];
        if (open && c.awaitingAnswer) choices.push({ id: 'answer', label: ctx.t('concern:choice.answer') });
        if (c.status === 'resolved' && !c.rating) choices.push({ id: 'rate', label: ctx.t('concern:choice.rate') });
        const consent = c.status === 'resolved' ? await outcomeConsentChoice(ctx, c._id) : undefined;
        if (consent) choices.push(consent);
        if (concerns.canReopen(c, ctx.now)) choices.push({ id: 'reopen', label: ctx.t('concern:choice.reopen') });
        if (open && c.anonymous && (await concerns.vault.isSealed(c._id))) choices.push({ id: 'reveal', label: ctx.t('concern:choice.reveal') });
        choices.push({ id: 'back', label: ctx.t('concern:choice.back') });
        ctx.ask(
          ctx.t('concern:detail', {
            code: c._id,
            category: ctx.t(`concern:category.${c.category}`),
            status: ctx.t(`concern:status.${c.status}`),
            anonymity: ctx.t(c.anonymous ? 'concern:anonymity_label.anonymous' : 'concern:anonymity_label.named'),
            history,
          }),
          choices,
        );
      },
      input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.jump('concern', 'mine');
        return ctx.go('concern', choice!.id);
      },
    },

    answer: {
      acceptsText: true,
      acceptsMedia: true,
      enter(ctx) {
        ctx.reply(ctx.t('concern:answer_prompt', { code: code(ctx) }));
      },
      async input(ctx, input) {
        // A photo answers too (the cadre may ask for a payslip); other attachments cannot be relayed.
        if (!input.media && !input.text) {
          ctx.reply(ctx.t('concern:answer_prompt', { code: code(ctx) }));
          return;
        }
        if (!(await relayAnswer(ctx, code(ctx), input))) return;
        return ctx.jump('concern', 'detail');
      },
    },

    rate: {
      enter(ctx) {
        ctx.ask(ctx.t('concern:rate_prompt'), ['1', '2', '3', '4', '5'].map((n) => ({ id: n, label: ctx.t(`concern:rating.${n}`) })));
      },
      async input(ctx, { choice }) {
        try {
          await ctx.services.concerns.rate(ctx.member!._id, code(ctx), Number(choice!.id), ctx.now);
          ctx.reply(ctx.t('concern:rated'));
        } catch (err) {
          explain(ctx, err);
        }
        return ctx.jump('concern', 'detail');
      },
    },

    reopen: {
      acceptsText: true,
      enter(ctx) {
        ctx.reply(ctx.t('concern:reopen_prompt', { code: code(ctx) }));
      },
      async input(ctx, { text }) {
        if (tooShort(text)) {
          ctx.reply(ctx.t('concern:reopen_too_short', { min: MIN_TEXT_CHARS }));
          return;
        }
        try {
          const { notices, assigneeId } = await ctx.services.concerns.reopen(ctx.member!._id, code(ctx), text ?? '', ctx.now);
          const reached = await notifyInTurn(ctx, notices);
          // Say "the cadre was told" only when a cadre has it and a chat to hear it on.
          ctx.reply(ctx.t(!assigneeId ? 'concern:reopened_waiting' : reached.includes(assigneeId) ? 'concern:reopened' : 'concern:reopened_inbox'));
        } catch (err) {
          explain(ctx, err);
        }
        return ctx.jump('concern', 'detail');
      },
    },

    ...outcomeConsentSteps,

    reveal: {
      enter(ctx) {
        ctx.ask(ctx.t('concern:reveal_confirm', { code: code(ctx) }), [
          { id: 'yes', label: ctx.t('concern:choice.reveal_yes') },
          { id: 'no', label: ctx.t('concern:choice.reveal_no') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'yes') {
          try {
            await ctx.services.concerns.consentToReveal(ctx.member!._id, code(ctx), ctx.now);
            ctx.reply(ctx.t('concern:revealed'));
          } catch (err) {
            explain(ctx, err);
          }
        }
        return ctx.jump('concern', 'detail');
      },
    },
  },
};
