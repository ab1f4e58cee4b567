/**
 * The lead cadre's collective cases, inside the cadre inbox (flows/cadre.ts): the cases they lead
 * at the top of the inbox; a case shows its concerns by code and status (never who raised them);
 * the lead answers every reporter at once or resolves the whole case. Anyone else is refused
 * (and audited by the service).
 */
import { CaseClosedError, CaseNotFoundError, NotCaseLeadError } from '../core/cases/case-service.js';
import { parseCaseId } from '../core/cases/grouping.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { MIN_TEXT_CHARS, tooShort } from '../core/concerns/text-minimums.js';
import type { Choice } from '../core/engine/types.js';
import type { FlowContext, Step } from '../core/engine/flow.js';

const caseId = (ctx: FlowContext) => String(ctx.state.data.cadreCase ?? '');

/** The inbox's lines for the cases this cadre leads (choice ids `case:<id>`). */
export async function caseInboxChoices(ctx: FlowContext): Promise<Choice[]> {
  const cases = await ctx.services.cases.ledBy(ctx.member!._id);
  return cases.map((c) => ({ id: `case:${c._id}`, label: ctx.t('cases:staff.inbox_item', { caseId: c._id, category: ctx.t(`concern:category.${c.category}`), count: c.concernCodes.length }) }));
}

/** A case picked in the inbox (a `case:` choice or a typed VV- id): opens it; undefined when the input is not a case. */
export function openCaseFromInbox(ctx: FlowContext, choiceId: string | undefined, text: string | undefined): Promise<void> | undefined {
  const id = choiceId?.startsWith('case:') ? choiceId.slice(5) : choiceId ? undefined : parseCaseId(text ?? '');
  if (!id) return undefined;
  ctx.state.data.cadreCase = id;
  return ctx.go('cadre', 'case');
}

/** Says why a case action was refused; rethrows anything unexpected. */
function explainCase(ctx: FlowContext, err: unknown): void {
  const vars = { caseId: caseId(ctx) };
  if (err instanceof NotCaseLeadError) ctx.reply(ctx.t('cases:staff.refused_not_lead', vars));
  else if (err instanceof CaseClosedError) ctx.reply(ctx.t('cases:staff.refused_closed', vars));
  else if (err instanceof CaseNotFoundError) ctx.reply(ctx.t('cases:staff.not_found', vars));
  else throw err;
}

type CaseAction = 'reply_all' | 'resolve_all';

export const caseSteps: Record<string, Step> = {
  case: {
    async enter(ctx) {
      let view;
      try {
        view = await ctx.services.cases.view(ctx.member!._id, caseId(ctx), ctx.now, ctx.inbound.eventId);
      } catch (err) {
        explainCase(ctx, err);
        return ctx.jump('cadre', 'inbox');
      }
      const c = view.case;
      const lines = view.concerns.map((x) => ctx.t('cases:staff.view_line', { code: x._id, status: ctx.t(`cadre:status.${x.status}`) })).join('\n');
      const choices: Choice[] = [];
      if (c.status === 'open') for (const id of ['reply_all', 'resolve_all']) choices.push({ id, label: ctx.t(`cases:staff.choice.${id}`) });
      for (const x of view.concerns.slice(0, 10)) choices.push({ id: `code:${x._id}`, label: ctx.t('cases:staff.choice.open_concern', { code: x._id }) });
      choices.push({ id: 'back', label: ctx.t('cases:staff.choice.back') });
      ctx.ask(
        ctx.t('cases:staff.view', {
          caseId: c._id,
          category: ctx.t(`concern:category.${c.category}`),
          unit: await ctx.services.concerns.unitName(c.orgUnitId, ctx.now),
          status: ctx.t(`cases:staff.status.${c.status}`),
          count: view.concerns.length,
          lines: lines || '—',
        }),
        choices,
      );
    },
    input(ctx, { choice }) {
      const id = choice!.id;
      if (id === 'back') return ctx.jump('cadre', 'inbox');
      if (id.startsWith('code:')) {
        ctx.state.data.cadreCode = id.slice(5);
        return ctx.go('cadre', 'item');
      }
      ctx.state.data.cadreCaseAction = id as CaseAction;
      return ctx.go('cadre', 'case_compose');
    },
  },

  case_compose: {
    acceptsText: true,
    enter(ctx) {
      ctx.reply(ctx.t(`cases:staff.prompt.${String(ctx.state.data.cadreCaseAction)}`, { caseId: caseId(ctx), min: MIN_TEXT_CHARS }));
    },
    async input(ctx, { text }) {
      const kind = ctx.state.data.cadreCaseAction as CaseAction;
      const body = text ?? '';
      // Every reporter reads it: the same minimum as a single reply or resolution.
      if (tooShort(body)) {
        ctx.reply(ctx.t('cases:staff.too_short', { min: MIN_TEXT_CHARS }));
        return;
      }
      delete ctx.state.data.cadreCaseAction;
      try {
        const action = kind === 'resolve_all' ? { kind: 'resolve' as const, summary: body } : { kind: 'reply' as const, text: body };
        const { notices, concerns } = await ctx.services.cases.leadAction(ctx.member!._id, caseId(ctx), action, ctx.now, ctx.inbound.eventId);
        await notifyInTurn(ctx, notices);
        ctx.reply(ctx.t(`cases:staff.done.${kind}`, { caseId: caseId(ctx), count: concerns }));
      } catch (err) {
        explainCase(ctx, err);
        return ctx.jump('cadre', 'inbox');
      }
      return ctx.jump('cadre', kind === 'resolve_all' ? 'inbox' : 'case');
    },
  },
};
