/**
 * The cadre-force review (rà soát đội ngũ cán bộ) in chat, for the secretariat: a unit's cadres
 * by organisation and category, where routing would find nobody, idle cadres; then each cadre's
 * load, first-response SLA, median response time and rating. A unit-scoped secretariat starts at
 * its own unit and can only go down its subtree (a unit outside is refused and audited). Staff
 * only: no reporter is ever named here. The unit of each screen is kept in the conversation and
 * checked against the person's scope every time the screen is shown. The figures come from core
 * (ConcernService.review).
 */
import type { CadreReview, ReviewCadre } from '../core/concerns/cadre-review.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';
import { formatVnTime } from '../core/vn-time.js';

const MAX_GAP_UNITS = 8;
const MAX_CHILDREN = 8;
const MAX_CADRES = 15;

/** The top of the person's scope (the city for the city level). */
async function startUnit(ctx: FlowContext): Promise<string | undefined> {
  const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
  if (!scope.whole) return scope.units[0];
  return (await ctx.services.concerns.review.roots(ctx.now))[0];
}

/** A unit kept in the conversation under `key` (the screen's unit, so a later screen checks the scope again). */
function kept(ctx: FlowContext, key: 'reviewStart' | 'reviewUnit' | 'reviewCadresOf'): string | undefined {
  const v = ctx.state.data[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The review of `unit`, or undefined (and the person told) when it is outside their scope — a
 * grant taken away or moved since the screen was shown; the refusal is audited.
 */
async function reviewInScope(ctx: FlowContext, unit: string | undefined): Promise<CadreReview | undefined> {
  if (!unit || !(await ctx.services.access.allows(ctx.member!, STAFF_ROLES, unit, ctx.now, 'cadre review'))) {
    for (const key of ['reviewStart', 'reviewUnit', 'reviewCadresOf']) delete ctx.state.data[key];
    ctx.reply(ctx.t('review:outside_scope'));
    return undefined;
  }
  return ctx.services.concerns.review.review(unit, ctx.now);
}

const unitName = async (ctx: FlowContext, id: string) => (await ctx.services.org.get(id, ctx.now))?.name ?? id;
const category = (ctx: FlowContext, id: string) => ctx.t(`concern:category.${id}`);

/** Minutes as the reader counts them: minutes, then hours, then days. */
function duration(ctx: FlowContext, minutes: number | null): string {
  if (minutes === null) return ctx.t('review:no_value');
  if (minutes < 120) return ctx.t('review:minutes', { value: minutes });
  if (minutes < 48 * 60) return ctx.t('review:hours', { value: Math.round(minutes / 6) / 10 });
  return ctx.t('review:days', { value: Math.round(minutes / 144) / 10 });
}

/** The summary of a subtree: cadres by organisation and category, gaps, idle cadres. */
async function summary(ctx: FlowContext, r: CadreReview): Promise<string> {
  const { t } = ctx;
  const eligible = r.cadres.filter((c) => c.eligible).length;
  const lines = [
    t('review:title', { unit: await unitName(ctx, r.unitId), at: formatVnTime(r.at) }),
    t('review:cadres', { count: r.cadres.length, eligible }),
    t('review:by_organisation', { list: Object.entries(r.byOrganisation).map(([o, n]) => t('review:count_item', { name: t(`review:organisation.${o}`), count: n })).join(' · ') }),
    t('review:by_category', { list: r.byCategory.map((c) => t('review:count_item', { name: category(ctx, c.category), count: c.cadres })).join(' · ') }),
    r.categoriesWithoutCadre.length ? t('review:categories_without', { list: r.categoriesWithoutCadre.map((c) => category(ctx, c)).join('; ') }) : t('review:categories_all_covered'),
    '',
  ];
  if (r.gaps.length === 0) lines.push(t('review:gaps_none', { workplaces: r.workplaces }));
  else {
    const byUnit = new Map<string, string[]>();
    for (const g of r.gaps) byUnit.set(g.unitId, [...(byUnit.get(g.unitId) ?? []), category(ctx, g.category)]);
    lines.push(t('review:gaps_title', { count: r.gaps.length, units: byUnit.size, workplaces: r.workplaces }));
    for (const [unit, cats] of [...byUnit].slice(0, MAX_GAP_UNITS)) lines.push(t('review:gap_line', { unit: await unitName(ctx, unit), categories: cats.join('; ') }));
    if (byUnit.size > MAX_GAP_UNITS) lines.push(t('review:gaps_more', { count: byUnit.size - MAX_GAP_UNITS }));
  }
  const idle = r.cadres.filter((c) => c.idle).length;
  lines.push('', idle ? t('review:idle', { count: idle, days: r.idleDays }) : t('review:idle_none', { days: r.idleDays }));
  return lines.join('\n');
}

/** One cadre's line: idle mark, name, organisations, open load, SLA, median first response, rating, last action. */
function cadreLine(ctx: FlowContext, c: ReviewCadre): string {
  const { t } = ctx;
  const s = c.stats;
  return t('review:cadre_line', {
    mark: c.idle ? t('review:idle_mark') : '',
    name: c.name,
    organisations: c.organisations.map((o) => t(`review:organisation.${o}`)).join(', '),
    inactive: c.eligible ? '' : t('review:not_eligible'),
    open: s.open,
    sla: s.slaTotal ? t('review:sla', { value: Math.round((s.slaHitRate ?? 0) * 1000) / 10, met: s.slaMet, total: s.slaTotal }) : t('review:no_value'),
    median: duration(ctx, s.medianFirstResponseMinutes),
    rating: s.averageRating === null ? t('review:no_value') : t('review:rating', { value: s.averageRating, count: s.ratings }),
    last: s.lastActionAt ? formatVnTime(s.lastActionAt) : t('review:never'),
  });
}

/**
 * A review screen: the summary of `unit`, then its cadres one by one and — from the start unit —
 * each unit directly under it. "Quay lại" (typed, the number or the button) goes back the way
 * the person came, through the conversation's history.
 */
async function showReview(ctx: FlowContext, unit: string | undefined, drillDown: boolean): Promise<void> {
  const r = await reviewInScope(ctx, unit);
  if (!r) return ctx.jump('secretariat', 'main');
  const children = drillDown ? ((await ctx.services.org.descendantsByDepth(r.unitId, ctx.now))[0] ?? []) : [];
  ctx.ask(await summary(ctx, r), [
    { id: 'cadres', label: ctx.t('review:choice_cadres', { count: r.cadres.length }) },
    ...children.slice(0, MAX_CHILDREN).map((u) => ({ id: `unit:${u._id}`, label: ctx.t('review:choice_unit', { unit: u.name }) })),
    { id: 'back', label: ctx.t('review:choice_back') },
  ]);
}

function reviewInput(ctx: FlowContext, id: string, unit: string | undefined): Promise<void> {
  if (id === 'cadres') {
    ctx.state.data.reviewCadresOf = unit;
    return ctx.go('secretariat', 'review_cadres');
  }
  if (id.startsWith('unit:')) {
    ctx.state.data.reviewUnit = id.slice('unit:'.length);
    return ctx.go('secretariat', 'review_unit');
  }
  return ctx.back();
}

export const reviewSteps: Record<string, Step> = {
  /** The start unit: the top of the person's scope, fixed when the review is opened. */
  review: {
    async enter(ctx) {
      ctx.state.data.reviewStart ??= await startUnit(ctx);
      return showReview(ctx, kept(ctx, 'reviewStart'), true);
    },
    input(ctx, { choice }) {
      return reviewInput(ctx, choice!.id, kept(ctx, 'reviewStart'));
    },
  },

  /** A unit directly under the start unit. */
  review_unit: {
    enter(ctx) {
      return showReview(ctx, kept(ctx, 'reviewUnit'), false);
    },
    input(ctx, { choice }) {
      return reviewInput(ctx, choice!.id, kept(ctx, 'reviewUnit'));
    },
  },

  review_cadres: {
    async enter(ctx) {
      const r = await reviewInScope(ctx, kept(ctx, 'reviewCadresOf'));
      if (!r) return ctx.jump('secretariat', 'main');
      const lines = [ctx.t('review:cadres_title', { unit: await unitName(ctx, r.unitId), count: r.cadres.length })];
      if (r.cadres.length === 0) lines.push(ctx.t('review:cadres_none'));
      for (const c of r.cadres.slice(0, MAX_CADRES)) lines.push('', cadreLine(ctx, c));
      if (r.cadres.length > MAX_CADRES) lines.push('', ctx.t('review:cadres_more', { count: r.cadres.length - MAX_CADRES }));
      if (r.cadres.some((c) => c.idle)) lines.push('', ctx.t('review:idle_legend', { days: r.idleDays }));
      ctx.ask(lines.join('\n'), [{ id: 'back', label: ctx.t('review:choice_back') }]);
    },
    input(ctx) {
      return ctx.back();
    },
  },
};
