/**
 * A worker's concerns: raise one (category, unit, description and photos, anonymous or named),
 * see "my concerns" with their progress, answer a cadre's question, rate after resolution,
 * reopen within the window, and consent to reveal who they are for one concern.
 */
import { ConcernClosedError, ConcernNotFoundError, ConcernStateError, TooManyConcernsTodayError, TooManyOpenConcernsError } from '../core/concerns/errors.js';
import { formatVnTime } from '../core/vn-time.js';
import { eventLabelKey, type ConcernDoc } from '../core/concerns/models.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { photoRefOf, type PhotoRef } from '../core/concerns/photos.js';
import { allHotlines, categoryIds, type Hotline } from '../core/concerns/policy.js';
import { MIN_TEXT_CHARS, tooShort } from '../core/concerns/text-minimums.js';
import type { Flow, FlowContext, StepInput } from '../core/engine/flow.js';

/** The concern being written, kept in the conversation's scratch data. */
interface Draft {
  category?: string;
  orgUnitId?: string;
  description?: string;
  photos: number;
  /** The photos we can relay to the cadre (a photo without a usable reference is only counted). */
  photoRefs?: PhotoRef[];
  anonymous?: boolean;
}

/** Events the worker sees in their concern's history (internal ones never). */
const PUBLIC_EVENTS = new Set(['created', 'accepted', 'replied', 'asked', 'answered', 'escalated', 'resolved', 'reopened', 'rated']);

function draft(ctx: FlowContext): Draft {
  return ((ctx.state.data.concernDraft as Draft | undefined) ??= { photos: 0 });
}

function code(ctx: FlowContext): string {
  return String(ctx.state.data.concernCode ?? '');
}

/** The lines to call, as one line of text ("Công an: 113 · …"). */
function hotlineText(ctx: FlowContext, hotlines: Hotline[]): string {
  return hotlines.map((h) => ctx.t('concern:hotline_entry', { name: ctx.t(`concern:hotline_name.${h.name}`), number: h.number })).join(' · ');
}

/** The open-concern limit, said with every hotline: a refusal must never hide where to call. */
function refuseLimit(ctx: FlowContext, limit: number): void {
  ctx.reply(ctx.t('concern:limit_reached', { limit, hotlines: hotlineText(ctx, allHotlines(ctx.services.concerns.policy)) }));
}

/** The daily cap of this chat account, said with every hotline too (urgent concerns still pass). */
function refuseToday(ctx: FlowContext, limit: number): void {
  ctx.reply(ctx.t('concern:daily_limit_reached', { limit, hotlines: hotlineText(ctx, allHotlines(ctx.services.concerns.policy)) }));
}

/**
 * The counter of concerns this chat account raised today: a keyed marker of the account and
 * the day, so it survives "xóa dữ liệu" without naming anyone (core/concerns/daily-cap.ts).
 */
function dailyKey(ctx: FlowContext): string {
  return ctx.services.keys.marker('concern-daily', ctx.identity._id, ctx.services.concerns.capDay(ctx.now));
}

/** Says kindly why something cannot be done; rethrows anything unexpected. */
function explain(ctx: FlowContext, err: unknown): void {
  if (err instanceof TooManyOpenConcernsError) refuseLimit(ctx, err.limit);
  else if (err instanceof TooManyConcernsTodayError) refuseToday(ctx, err.limit);
  else if (err instanceof ConcernClosedError) ctx.reply(ctx.t('concern:closed'));
  else if (err instanceof ConcernStateError) ctx.reply(ctx.t(`concern:state.${err.reason}`, { days: ctx.services.concerns.policy.reopenDays }));
  else if (err instanceof ConcernNotFoundError) ctx.reply(ctx.t('concern:not_found'));
  else throw err;
}

/** Handles a photo or an attachment we cannot take; true when the input was media. */
function takeMedia(ctx: FlowContext, media: string | undefined, photoRef: string | undefined): boolean {
  if (!media) return false;
  const d = draft(ctx);
  const max = ctx.services.concerns.policy.maxPhotos;
  if (media !== 'photo') ctx.reply(ctx.t('concern:unsupported_attachment'));
  else if (d.photos >= max) ctx.reply(ctx.t('concern:photo_limit', { max }));
  else {
    d.photos += 1;
    const ref = photoRefOf(ctx.inbound.channel, photoRef);
    if (ref) (d.photoRefs ??= []).push(ref);
    ctx.reply(ctx.t('concern:photo_received', { count: d.photos, max }));
  }
  return true;
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
        ctx.state.data.concernDraft = { photos: 0 } satisfies Draft;
        return ctx.go('concern', 'category');
      },
    },

    category: {
      enter(ctx) {
        const ids = categoryIds(ctx.services.concerns.policy);
        ctx.ask(ctx.t('concern:ask_category'), [...ids.map((id) => ({ id, label: ctx.t(`concern:category.${id}`) })), { id: 'back', label: ctx.t('concern:choice.back') }]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'back') {
          delete ctx.state.data.concernDraft;
          return ctx.back();
        }
        const { concerns } = ctx.services;
        const d = draft(ctx);
        d.category = choice!.id;
        const rule = concerns.policy.categories[d.category]!;
        // Urgent: the hotline first, before any more questions.
        if (rule.urgent) ctx.reply(ctx.t('concern:urgent_notice', { hotline: hotlineText(ctx, rule.hotlines ?? []) }));
        else if (!(await concerns.mayOpen(ctx.member!._id, d.category))) {
          refuseLimit(ctx, concerns.policy.maxOpenPerWorker);
          delete ctx.state.data.concernDraft;
          return ctx.jump('concern', 'home');
        } else if (!(await concerns.mayOpenToday(dailyKey(ctx), d.category))) {
          refuseToday(ctx, concerns.policy.maxNewPerDay);
          delete ctx.state.data.concernDraft;
          return ctx.jump('concern', 'home');
        }
        return ctx.go('concern', 'unit');
      },
    },

    unit: {
      async enter(ctx) {
        const workplace = ctx.member!.orgUnitId;
        if (!workplace) {
          ctx.reply(ctx.t('concern:no_workplace'));
          return ctx.jump('concern', 'unit_search');
        }
        const name = await ctx.services.concerns.unitName(workplace, ctx.now);
        ctx.ask(ctx.t('concern:ask_unit', { name }), [
          { id: 'workplace', label: ctx.t('concern:choice.workplace') },
          { id: 'other', label: ctx.t('concern:choice.other_unit') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'other') return ctx.go('concern', 'unit_search');
        draft(ctx).orgUnitId = ctx.member!.orgUnitId;
        return ctx.go('concern', 'description');
      },
    },

    unit_search: {
      acceptsText: true,
      enter(ctx) {
        ctx.reply(ctx.t('concern:unit_search'));
      },
      async input(ctx, { text }) {
        const hits = await ctx.services.org.searchWorkplaces(text ?? '', ctx.now);
        if (hits.length === 0) {
          ctx.reply(ctx.t('concern:unit_none', { query: (text ?? '').slice(0, 60) }));
          return;
        }
        ctx.state.data.concernUnitMatches = hits.map((h) => h.unit._id);
        return ctx.go('concern', 'unit_pick');
      },
    },

    unit_pick: {
      async enter(ctx) {
        const ids = (ctx.state.data.concernUnitMatches as string[] | undefined) ?? [];
        const choices = [];
        for (const id of ids) choices.push({ id, label: await ctx.services.concerns.unitName(id, ctx.now) });
        ctx.ask(ctx.t('concern:unit_pick'), choices);
      },
      input(ctx, { choice }) {
        draft(ctx).orgUnitId = choice!.id;
        delete ctx.state.data.concernUnitMatches;
        return ctx.go('concern', 'description');
      },
    },

    description: {
      acceptsText: true,
      acceptsMedia: true,
      enter(ctx) {
        ctx.reply(ctx.t('concern:ask_description'));
      },
      input(ctx, { text, media, photoRef }) {
        if (takeMedia(ctx, media, photoRef)) {
          if (media === 'photo') ctx.reply(ctx.t('concern:photo_first'));
          return;
        }
        const max = ctx.services.concerns.policy.maxDescriptionChars;
        if (!text || tooShort(text)) {
          ctx.reply(ctx.t('concern:description_too_short'));
          return;
        }
        if (text.length > max) {
          ctx.reply(ctx.t('concern:description_too_long', { max, length: text.length }));
          return;
        }
        draft(ctx).description = text;
        return ctx.go('concern', 'photos');
      },
    },

    photos: {
      acceptsMedia: true,
      enter(ctx) {
        ctx.ask(ctx.t('concern:ask_photos', { count: draft(ctx).photos, max: ctx.services.concerns.policy.maxPhotos }), [{ id: 'done', label: ctx.t('concern:choice.done') }]);
      },
      input(ctx, { choice, media, photoRef }) {
        if (takeMedia(ctx, media, photoRef)) return;
        if (choice?.id === 'done') return ctx.go('concern', 'anonymity');
      },
    },

    anonymity: {
      enter(ctx) {
        ctx.ask(ctx.t('concern:ask_anonymity'), [
          { id: 'anonymous', label: ctx.t('concern:choice.anonymous') },
          { id: 'named', label: ctx.t('concern:choice.named') },
        ]);
      },
      input(ctx, { choice }) {
        draft(ctx).anonymous = choice!.id === 'anonymous';
        return ctx.go('concern', 'confirm');
      },
    },

    confirm: {
      async enter(ctx) {
        const d = draft(ctx);
        if (!d.category || !d.orgUnitId || !d.description || d.anonymous === undefined) return ctx.jump('concern', 'home');
        ctx.ask(
          ctx.t('concern:confirm', {
            category: ctx.t(`concern:category.${d.category}`),
            unit: await ctx.services.concerns.unitName(d.orgUnitId, ctx.now),
            anonymity: ctx.t(d.anonymous ? 'concern:confirm_anonymity.anonymous' : 'concern:confirm_anonymity.named'),
            photos: d.photos,
            text: d.description,
          }),
          [
            { id: 'send', label: ctx.t('concern:choice.send') },
            { id: 'cancel', label: ctx.t('concern:choice.cancel') },
          ],
        );
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'cancel') {
          delete ctx.state.data.concernDraft;
          ctx.reply(ctx.t('concern:cancelled_intake'));
          return ctx.jump('concern', 'home');
        }
        const d = draft(ctx);
        try {
          const { concern, notices } = await ctx.services.concerns.submit({
            memberId: ctx.member!._id,
            category: d.category!,
            orgUnitId: d.orgUnitId!,
            description: d.description!,
            photos: d.photos,
            ...(d.photoRefs?.length ? { photoRefs: d.photoRefs } : {}),
            anonymous: d.anonymous!,
            // Keyed, so the stored key names no platform account (a replay still finds its concern).
            intakeKey: ctx.services.keys.marker('concern-intake', ctx.identity._id, ctx.inbound.eventId),
            dailyKey: dailyKey(ctx),
            at: ctx.now,
          });
          await notifyInTurn(ctx, notices);
          delete ctx.state.data.concernDraft;
          ctx.reply(ctx.t(concern.urgent ? 'concern:submitted_urgent' : 'concern:submitted', { code: concern._id }));
          return ctx.jump('concern', 'home');
        } catch (err) {
          explain(ctx, err);
          return ctx.jump('concern', 'home');
        }
      },
    },

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
