/**
 * A cadre's concerns inbox: open items by deadline; open one (reporter hidden unless named or
 * consented), accept, reply, ask, note, transfer, escalate, resolve. Only for the `cadre` role (the
 * engine checks it at every step); acting on a concern that is not theirs is refused and audited
 * by the service.
 */
import type { CadreAction } from '../core/concerns/concern-service.js';
import { formatVnTime } from '../core/vn-time.js';
import { ConcernClosedError, ConcernStateError, NotAssigneeError } from '../core/concerns/errors.js';
import { eventLabelKey, OPEN_STATUSES, type ConcernDoc } from '../core/concerns/models.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { photoMessages } from '../core/concerns/photos.js';
import { parseReferenceCode } from '../core/concerns/reference-code.js';
import { MIN_TEXT_CHARS, tooShort } from '../core/concerns/text-minimums.js';
import type { Flow, FlowContext } from '../core/engine/flow.js';
import { caseInboxChoices, caseSteps, openCaseFromInbox } from './cadre-cases.js';
import { outcomeProposalChoice, outcomeProposalSteps } from './outcome-notes.js';

type TextAction = 'reply' | 'ask' | 'note' | 'resolve';

const TOO_SHORT_KEYS: Record<Exclude<TextAction, 'note'>, string> = {
  reply: 'cadre:too_short.reply',
  ask: 'cadre:too_short.ask',
  resolve: 'cadre:too_short.resolve',
};

function code(ctx: FlowContext): string {
  return String(ctx.state.data.cadreCode ?? '');
}

/** The status as the cadre should read it: "received" is new to them until they accept it. */
const STATUS_KEYS: Record<string, string> = {
  received: 'cadre:status.received',
  accepted: 'cadre:status.accepted',
  replied: 'cadre:status.replied',
  escalated: 'cadre:status.escalated',
  reopened: 'cadre:status.reopened',
  resolved: 'cadre:status.resolved',
  withdrawn: 'cadre:status.withdrawn',
};

const statusOf = (ctx: FlowContext, c: ConcernDoc) => ctx.t(STATUS_KEYS[c.status] ?? `concern:status.${c.status}`);

/** How the first response was given (the service sets `respondedAt` on accept, reply, question or resolution). */
const RESPONDED_KEYS: Record<string, string> = {
  accepted: 'cadre:deadline.responded_accepted',
  replied: 'cadre:deadline.responded_replied',
  asked: 'cadre:deadline.responded_asked',
};

/**
 * The item's deadline line as things stand: both deadlines until the first response; then when
 * and how it came ("Đã tiếp nhận lúc …") and the resolution deadline; when it was resolved.
 */
function deadlineLine(ctx: FlowContext, c: ConcernDoc): string {
  const resolutionDue = c.resolutionDue ? formatVnTime(c.resolutionDue) : '—';
  if (c.status === 'resolved') return ctx.t('cadre:deadline.resolved', { time: c.resolvedAt ? formatVnTime(c.resolvedAt) : '—' });
  if (c.status === 'withdrawn') return ctx.t('cadre:deadline.closed');
  if (!c.respondedAt) return ctx.t('cadre:deadline.pending', { firstDue: c.firstResponseDue ? formatVnTime(c.firstResponseDue) : '—', resolutionDue });
  const at = new Date(c.respondedAt).getTime();
  const first = c.events.find((e) => RESPONDED_KEYS[e.kind] && new Date(e.at).getTime() === at);
  return ctx.t(RESPONDED_KEYS[first?.kind ?? 'replied']!, { time: formatVnTime(c.respondedAt), resolutionDue });
}

/** Runs a cadre action; says why when refused. Returns true when it took effect. */
async function act(ctx: FlowContext, action: CadreAction): Promise<boolean> {
  try {
    await notifyInTurn(ctx, await ctx.services.concerns.act(ctx.member!._id, code(ctx), action, ctx.now, ctx.inbound.eventId));
    ctx.reply(ctx.t(`cadre:done.${action.kind}`, { code: code(ctx) }));
    return true;
  } catch (err) {
    if (err instanceof NotAssigneeError) ctx.reply(ctx.t('cadre:refused_not_assignee', { code: code(ctx) }));
    else if (err instanceof ConcernClosedError) ctx.reply(ctx.t('cadre:refused_closed', { code: code(ctx) }));
    else if (err instanceof ConcernStateError) ctx.reply(ctx.t('cadre:refused_target'));
    else throw err;
    return false;
  }
}

export const cadreFlow: Flow = {
  name: 'cadre',
  roles: ['cadre'],
  steps: {
    inbox: {
      acceptsText: true,
      async enter(ctx) {
        const { concerns } = ctx.services;
        const list = await concerns.inbox(ctx.member!._id);
        // The collective cases this cadre leads come first (flows/cadre-cases.ts).
        const choices = await caseInboxChoices(ctx);
        for (const c of list.slice(0, 15)) {
          const due = c.respondedAt ? c.resolutionDue : c.firstResponseDue;
          choices.push({
            id: c._id,
            label: ctx.t('cadre:inbox_item', {
              // Joint handling: concerns this cadre assists on are marked so.
              code: concerns.isAssistant(c, ctx.member!._id) ? ctx.t('cadre:assist.inbox_mark', { code: c._id }) : c._id,
              urgent: c.urgent ? ctx.t('cadre:urgency.urgent_mark') : '',
              category: ctx.t(`concern:category.${c.category}`),
              status: statusOf(ctx, c),
              due: due ? formatVnTime(due) : '—',
            }),
          });
        }
        choices.push({ id: 'back', label: ctx.t('cadre:choice.back') });
        ctx.ask(list.length || choices.length > 1 ? ctx.t('cadre:inbox_title', { count: list.length }) : ctx.t('cadre:inbox_empty'), choices);
      },
      input(ctx, { choice, text }) {
        if (choice?.id === 'back') return ctx.home();
        const aCase = openCaseFromInbox(ctx, choice?.id, text);
        if (aCase) return aCase;
        const picked = choice?.id ?? parseReferenceCode(text ?? '');
        if (!picked) {
          ctx.reply(ctx.t('cadre:not_a_code'));
          return ctx.repeat();
        }
        ctx.state.data.cadreCode = picked;
        return ctx.go('cadre', 'item');
      },
    },

    item: {
      async enter(ctx) {
        const { concerns } = ctx.services;
        let view;
        try {
          view = await concerns.openAsCadre(ctx.member!._id, code(ctx), ctx.now, ctx.inbound.eventId);
        } catch (err) {
          if (!(err instanceof NotAssigneeError)) throw err;
          ctx.reply(ctx.t('cadre:refused_not_assignee', { code: code(ctx) }));
          return ctx.jump('cadre', 'inbox');
        }
        const c = view.concern;
        // Cadres named in the history (joint handling: who was invited, who assisted).
        const helperIds = [...new Set(c.events.flatMap((e) => [e.assistantId, e.assisting ? e.actor : undefined]).filter((m): m is string => !!m))];
        const helpers = await ctx.services.concerns.cadreNames(helperIds);
        const history = c.events
          .filter((e) => e.kind !== 'created')
          .map((e) => {
            const vars = { time: formatVnTime(e.at), text: e.text ?? ctx.t('cadre:redacted'), level: (e.level ?? 0) + 1, name: helpers.get(e.assistantId ?? e.actor) ?? '' };
            return ctx.t(`cadre:event.${e.assisting ? `${e.kind}_assist` : eventLabelKey(e)}`, vars);
          })
          .join('\n');
        const choices = [];
        if (view.assisting) {
          // An assisting cadre adds replies and notes; the lead keeps every other action.
          if (OPEN_STATUSES.includes(c.status)) choices.push({ id: 'reply', label: ctx.t('cadre:choice.reply') });
          choices.push({ id: 'note', label: ctx.t('cadre:choice.note') });
        } else if (OPEN_STATUSES.includes(c.status)) {
          if (['received', 'escalated', 'reopened'].includes(c.status)) choices.push({ id: 'accept', label: ctx.t('cadre:choice.accept') });
          for (const id of ['reply', 'ask', 'note', 'transfer', 'invite', 'escalate', 'resolve']) choices.push({ id, label: ctx.t(`cadre:choice.${id}`) });
        } else {
          choices.push({ id: 'note', label: ctx.t('cadre:choice.note') });
          // "You said, we did": the lead of a resolved concern may share its outcome, anonymised, while its reporter can be asked.
          if (c.status === 'resolved' && (await concerns.vault.hasReporter(c._id))) choices.push(outcomeProposalChoice(ctx));
        }
        if (c.photoRefs?.length) choices.push({ id: 'photos', label: ctx.t('cadre:choice.photos', { count: c.photoRefs.length }) });
        choices.push({ id: 'back', label: ctx.t('cadre:choice.back') });
        ctx.ask(
          ctx.t('cadre:item', {
            ...(await concerns.summaryVars(ctx.t, c, ctx.now)),
            status: statusOf(ctx, c),
            reporter: view.assisting ? ctx.t('cadre:assist.reporter_hidden') : view.reporterName ? ctx.t('cadre:reporter_named', { name: view.reporterName }) : ctx.t('cadre:reporter_anonymous'),
            deadlines: deadlineLine(ctx, c),
            history: history || '—',
          }),
          choices,
        );
      },
      async input(ctx, { choice }) {
        const id = choice!.id;
        if (id === 'back') return ctx.jump('cadre', 'inbox');
        if (id === 'accept') {
          await act(ctx, { kind: 'accept' });
          return ctx.jump('cadre', 'item');
        }
        if (id === 'photos') {
          try {
            const photos = await ctx.services.concerns.photosForCadre(ctx.member!._id, code(ctx), ctx.t, ctx.now, ctx.inbound.eventId);
            for (const m of photoMessages(photos, ctx.inbound.channel)) ctx.reply(m);
          } catch (err) {
            if (!(err instanceof NotAssigneeError)) throw err;
            ctx.reply(ctx.t('cadre:refused_not_assignee', { code: code(ctx) }));
            return ctx.jump('cadre', 'inbox');
          }
          return ctx.repeat();
        }
        if (id === 'transfer') return ctx.go('cadre', 'transfer');
        if (id === 'invite') return ctx.go('cadre', 'invite');
        if (id === 'escalate') return ctx.go('cadre', 'escalate');
        if (id === 'share_outcome') return ctx.go('cadre', 'share_outcome');
        ctx.state.data.cadreAction = id as TextAction;
        return ctx.go('cadre', 'compose');
      },
    },

    compose: {
      acceptsText: true,
      enter(ctx) {
        ctx.reply(ctx.t(`cadre:prompt.${String(ctx.state.data.cadreAction)}`, { code: code(ctx) }));
      },
      async input(ctx, { text }) {
        const kind = ctx.state.data.cadreAction as TextAction;
        const body = text ?? '';
        // What the worker will read must say something; internal notes are the cadre's own.
        if (kind !== 'note' && tooShort(body)) {
          ctx.reply(ctx.t(TOO_SHORT_KEYS[kind], { min: MIN_TEXT_CHARS }));
          return;
        }
        const action: CadreAction = kind === 'resolve' ? { kind, summary: body } : { kind, text: body };
        const ok = await act(ctx, action);
        // A resolved concern leaves the inbox: say where sharing its outcome ("you said, we did") is.
        if (ok && kind === 'resolve' && (await ctx.services.concerns.vault.hasReporter(code(ctx)))) ctx.reply(ctx.t('feedback:cadre.share_hint', { code: code(ctx) }));
        delete ctx.state.data.cadreAction;
        return ctx.jump('cadre', ok && kind !== 'resolve' ? 'item' : 'inbox');
      },
    },

    transfer: {
      async enter(ctx) {
        const targets = await ctx.services.concerns.transferTargets(ctx.member!._id, code(ctx), ctx.now);
        if (targets.length === 0) {
          ctx.reply(ctx.t('cadre:transfer_none'));
          return ctx.jump('cadre', 'item');
        }
        ctx.ask(ctx.t('cadre:prompt.transfer'), [...targets.map((x) => ({ id: x.memberId, label: x.name })), { id: 'back', label: ctx.t('cadre:choice.back') }]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.jump('cadre', 'item');
        await act(ctx, { kind: 'transfer', to: choice!.id });
        return ctx.jump('cadre', 'inbox');
      },
    },

    /** Joint handling: the lead invites a cadre of another organisation at the concern's unit chain. */
    invite: {
      async enter(ctx) {
        const targets = await ctx.services.concerns.assistTargets(ctx.member!._id, code(ctx), ctx.now);
        if (targets.length === 0) {
          ctx.reply(ctx.t('cadre:assist.none'));
          return ctx.jump('cadre', 'item');
        }
        const choices = targets.slice(0, 15).map((x) => ({ id: x.memberId, label: ctx.t('cadre:assist.target', { name: x.name, organisation: ctx.t(`review:organisation.${x.organisation}`) }) }));
        ctx.ask(ctx.t('cadre:prompt.invite', { code: code(ctx) }), [...choices, { id: 'back', label: ctx.t('cadre:choice.back') }]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.jump('cadre', 'item');
        await act(ctx, { kind: 'invite', to: choice!.id });
        return ctx.jump('cadre', 'item');
      },
    },

    ...caseSteps,

    ...outcomeProposalSteps,

    escalate: {
      enter(ctx) {
        ctx.ask(ctx.t('cadre:prompt.escalate', { code: code(ctx) }), [
          { id: 'yes', label: ctx.t('cadre:choice.escalate_yes') },
          { id: 'no', label: ctx.t('cadre:choice.back') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'no') return ctx.jump('cadre', 'item');
        await act(ctx, { kind: 'escalate' });
        return ctx.jump('cadre', 'inbox');
      },
    },
  },
};
