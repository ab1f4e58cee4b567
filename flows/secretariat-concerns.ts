/**
 * The secretariat's concerns that nobody could take (flagged): the list, urgent first; one
 * concern's details — never who raised it; and giving it to a cadre by hand, which starts new
 * deadlines and tells the cadre. Importing cadres still routes flagged concerns on its own.
 */
import { formatVnTime } from '../core/vn-time.js';
import { ConcernStateError } from '../core/concerns/errors.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import type { ConcernDoc } from '../core/concerns/models.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';

const MAX_LISTED = 10;
const MAX_TARGETS = 20;

function code(ctx: FlowContext): string {
  return String(ctx.state.data.flaggedCode ?? '');
}

/** The flagged concerns about units inside the person's scope (the city level sees them all). */
export async function flaggedInScope(ctx: FlowContext): Promise<ConcernDoc[]> {
  const [list, scope] = await Promise.all([ctx.services.concerns.flaggedOpen(), ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now)]);
  return list.filter((c) => scope.has(c.orgUnitId));
}

/** Whether the person may handle this concern (its unit in their scope); a refusal is audited. */
function mayHandle(ctx: FlowContext, c: ConcernDoc, action: string): Promise<boolean> {
  return ctx.services.access.allows(ctx.member!, STAFF_ROLES, c.orgUnitId, ctx.now, action);
}

export const flaggedConcernSteps: Record<string, Step> = {
  flagged: {
    async enter(ctx) {
      const list = await flaggedInScope(ctx);
      if (list.length === 0) {
        ctx.reply(ctx.t('secretariat:flagged_none'));
        return ctx.jump('secretariat', 'main');
      }
      const choices = list.slice(0, MAX_LISTED).map((c) => ({
        id: c._id,
        label: ctx.t('secretariat:flagged_item', {
          urgent: c.urgent ? ctx.t('cadre:urgency.urgent_mark') : '',
          code: c._id,
          category: ctx.t(`concern:category.${c.category}`),
          since: formatVnTime(c.createdAt),
        }),
      }));
      ctx.ask(ctx.t('secretariat:flagged_title', { count: list.length }), [...choices, { id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    input(ctx, { choice }) {
      if (choice!.id === 'back') return ctx.jump('secretariat', 'main');
      ctx.state.data.flaggedCode = choice!.id;
      return ctx.go('secretariat', 'flagged_item');
    },
  },

  flagged_item: {
    async enter(ctx) {
      const { concerns } = ctx.services;
      const c = await concerns.get(code(ctx));
      if (!c?.flagged || !(await mayHandle(ctx, c, 'view a flagged concern'))) {
        ctx.reply(ctx.t('secretariat:flagged_gone'));
        return ctx.jump('secretariat', 'flagged');
      }
      ctx.ask(
        ctx.t('secretariat:flagged_detail', {
          ...(await concerns.summaryVars(ctx.t, c, ctx.now)),
          since: formatVnTime(c.createdAt),
          why: ctx.t(c.assigneeId ? 'secretariat:flagged_why_overdue' : 'secretariat:flagged_why_nobody'),
        }),
        [
          { id: 'assign', label: ctx.t('secretariat:choice_assign') },
          { id: 'back', label: ctx.t('secretariat:choice_back') },
        ],
      );
    },
    input(ctx, { choice }) {
      if (choice!.id === 'back') return ctx.jump('secretariat', 'flagged');
      return ctx.go('secretariat', 'flagged_assign');
    },
  },

  flagged_assign: {
    async enter(ctx) {
      const targets = await ctx.services.concerns.placementTargets(code(ctx), ctx.now);
      if (targets.length === 0) {
        ctx.reply(ctx.t('secretariat:assign_none'));
        return ctx.jump('secretariat', 'flagged');
      }
      const choices = [];
      for (const x of targets.slice(0, MAX_TARGETS)) {
        const unit = (await ctx.services.org.get(x.unitId, ctx.now))?.name ?? x.unitId;
        choices.push({ id: x.memberId, label: ctx.t('secretariat:assign_target', { name: x.name, organisation: ctx.t(`secretariat:organisation.${x.organisation}`), unit }) });
      }
      ctx.ask(ctx.t('secretariat:assign_question', { code: code(ctx) }), [...choices, { id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    async input(ctx, { choice }) {
      if (choice!.id === 'back') return ctx.jump('secretariat', 'flagged_item');
      const c = await ctx.services.concerns.get(code(ctx));
      if (!c || !(await mayHandle(ctx, c, 'assign a flagged concern'))) {
        ctx.reply(ctx.t('secretariat:flagged_gone'));
        return ctx.jump('secretariat', 'flagged');
      }
      try {
        await notifyInTurn(ctx, await ctx.services.concerns.placeFlagged(ctx.member!._id, code(ctx), choice!.id, ctx.now));
        ctx.reply(ctx.t('secretariat:assigned', { code: code(ctx) }));
      } catch (err) {
        if (!(err instanceof ConcernStateError)) throw err;
        ctx.reply(ctx.t('secretariat:flagged_gone'));
      }
      return ctx.jump('secretariat', 'flagged');
    },
  },
};
