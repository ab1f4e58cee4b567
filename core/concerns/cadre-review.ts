/**
 * The cadre-force review (rà soát đội ngũ cán bộ), as pure aggregation: who handles concerns in a
 * unit's subtree, by organisation and category; which workplaces and categories routing would find
 * nobody for; and each cadre's open load, first-response SLA hit rate, median first-response time,
 * average rating and last action (idle cadres flagged). No database here: `cadre-review-service.ts`
 * reads the collections once and hands the rows in, so this is tested without the app.
 *
 * A concern's history says who did what; its `slaOutcomes` say which deadlines were met, in the
 * order they were decided. `attributeConcern` replays the history to know, for every decided
 * deadline, which cadre it belonged to (see there). Reporters are never looked at: events by
 * `reporter` only carry the rating's place in time.
 */
import { toCsv } from '../csv-writer.js';
import { OPEN_STATUSES, ORGANISATIONS, type CadreAssignmentDoc, type ConcernDoc, type ConcernEvent, type Organisation } from './models.js';
import { median } from './reports.js';

/** What the review reads of a concern (never its text, never its reporter). */
export type ReviewConcern = Pick<ConcernDoc, '_id' | 'status' | 'assigneeId' | 'rating' | 'slaOutcomes'> & {
  events: Pick<ConcernEvent, 'at' | 'kind' | 'actor' | 'assigneeId' | 'deadline'>[];
};

/** A cadre's first response to a concern that had reached them, and whether its deadline was met (undefined: not known). */
export interface FirstResponse {
  cadreId: string;
  at: Date;
  /** From when the concern reached the cadre (its deadlines started, or it was given to them later) to the response. */
  ms: number;
  met?: boolean;
}

/** Everything one concern says about its cadres. */
export interface ConcernAttribution {
  firstResponses: FirstResponse[];
  /** First-response deadlines missed while nobody responded, by the cadre who had the concern then. */
  missed: { cadreId: string; at: Date }[];
  /** When each cadre last did something with it (accept, reply, ask, note, transfer, escalate, resolve). */
  lastAction: Map<string, Date>;
  /** The worker's rating, credited to the cadre who resolved it. */
  rating?: { cadreId: string; value: number };
}

/** Events that are a cadre acting when a person is the actor (`flagged`: escalated at the top). */
const CADRE_ACTIONS: ReadonlySet<ConcernEvent['kind']> = new Set(['accepted', 'replied', 'asked', 'note', 'transferred', 'escalated', 'flagged', 'resolved']);
/** The actions that are a first response (ConcernService.act calls `respond` for them). */
const RESPONSES: ReadonlySet<ConcernEvent['kind']> = new Set(['accepted', 'replied', 'asked', 'resolved']);

const isPerson = (actor: string) => actor !== 'reporter' && actor !== 'system' && !actor.startsWith('system:');

type Claim = { kind: 'first_response' | 'resolution'; cadreId?: string; response?: FirstResponse; missedAt?: Date } | { kind: 'gap'; capacity: ('first_response' | 'resolution')[] };

/**
 * Replays a concern's history (ConcernService writes it): deadlines start at `created`,
 * `escalated`, `reopened` and an `assigned` by the secretariat (by hand); the concern is with the
 * cadre of the last `assigned`/`transferred`; a `flagged` by `system` without a deadline (routing
 * found nobody) leaves it with nobody.
 * Each deadline decided adds one `slaOutcomes` entry, in order: a cadre's first response in a
 * window (first response; a `resolved` adds the resolution too) and a breach (`escalated` or
 * `flagged` carrying the missed `deadline`: the first response if nobody had responded — its
 * deadline comes first —, else the resolution). While the concern sits with nobody, its timers
 * may still expire without an event; those outcomes are skipped where that gap ends, as many as
 * the count of outcomes left over allows (exact with one such gap, the usual case).
 */
export function attributeConcern(c: ReviewConcern): ConcernAttribution {
  const claims: Claim[] = [];
  const lastAction = new Map<string, Date>();
  let assignee: string | undefined;
  let reachedAt: Date | undefined;
  let windowStart: Date | undefined;
  let responded = false;
  let nobodySince = false;
  let resolver: string | undefined;
  const endGap = () => {
    if (!nobodySince) return;
    nobodySince = false;
    claims.push({ kind: 'gap', capacity: responded ? ['resolution'] : ['first_response', 'resolution'] });
  };
  const newWindow = (at: Date) => {
    windowStart = at;
    responded = false;
  };
  for (const e of [...c.events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (CADRE_ACTIONS.has(e.kind) && isPerson(e.actor)) {
      const prev = lastAction.get(e.actor);
      if (!prev || prev < e.at) lastAction.set(e.actor, e.at);
    }
    switch (e.kind) {
      case 'created':
        newWindow(e.at);
        break;
      case 'reopened':
        newWindow(e.at);
        break;
      case 'assigned':
        endGap();
        if (e.actor !== 'system') newWindow(e.at);
        assignee = e.assigneeId;
        reachedAt = e.at;
        break;
      case 'transferred':
        assignee = e.assigneeId;
        reachedAt = e.at;
        break;
      case 'flagged':
        // A breach at the top (with the missed deadline) or a cadre escalating at the top leaves
        // the concern with its cadre; routing finding nobody (`system`, no deadline) leaves it with nobody.
        if (e.deadline) claims.push({ kind: responded ? 'resolution' : 'first_response', cadreId: assignee, missedAt: e.at });
        else if (e.actor === 'system') {
          assignee = undefined;
          nobodySince = true;
        }
        break;
      case 'escalated':
        if (e.deadline) claims.push({ kind: responded ? 'resolution' : 'first_response', cadreId: assignee, missedAt: e.at });
        newWindow(e.at);
        break;
      case 'withdrawn':
        endGap();
        break;
      default:
        break;
    }
    if (RESPONSES.has(e.kind) && isPerson(e.actor)) {
      if (!responded) {
        responded = true;
        const from = e.actor === assignee && reachedAt && windowStart && reachedAt > windowStart ? reachedAt : (windowStart ?? e.at);
        claims.push({ kind: 'first_response', cadreId: e.actor, response: { cadreId: e.actor, at: e.at, ms: Math.max(0, e.at.getTime() - from.getTime()) } });
      }
      if (e.kind === 'resolved') {
        resolver = e.actor;
        claims.push({ kind: 'resolution', cadreId: e.actor });
      }
    }
  }
  endGap();

  // Match the claims to the outcomes in order; outcomes left over belong to gaps.
  const outcomes = c.slaOutcomes ?? [];
  let surplus = outcomes.length - claims.filter((x) => x.kind !== 'gap').length;
  let p = 0;
  const firstResponses: FirstResponse[] = [];
  const missed: ConcernAttribution['missed'] = [];
  for (const claim of claims) {
    if (claim.kind === 'gap') {
      for (const kind of claim.capacity) {
        if (surplus > 0 && outcomes[p]?.kind === kind) {
          p++;
          surplus--;
        }
      }
      continue;
    }
    const o = outcomes[p];
    const met = o?.kind === claim.kind ? o.met : undefined;
    if (o?.kind === claim.kind) p++;
    if (claim.kind !== 'first_response') continue;
    if (claim.response) firstResponses.push({ ...claim.response, ...(met === undefined ? {} : { met }) });
    else if (claim.cadreId && met === false) missed.push({ cadreId: claim.cadreId, at: claim.missedAt! });
  }
  const rating = c.status === 'resolved' && c.rating && resolver ? { cadreId: resolver, value: c.rating } : undefined;
  return { firstResponses, missed, lastAction, ...(rating ? { rating } : {}) };
}

/** One cadre's figures over every concern they handled. */
export interface CadreStats {
  /** Open concerns assigned to them now. */
  open: number;
  /** First-response deadlines decided while the concern was theirs: met, and all. */
  slaMet: number;
  slaTotal: number;
  slaHitRate: number | null;
  /** Median minutes from a concern reaching them to their first response (one decimal). */
  medianFirstResponseMinutes: number | null;
  ratings: number;
  averageRating: number | null;
  lastActionAt?: Date;
}

/** Per cadre (member id), the figures of `attributeConcern` over all concerns, plus their open load. */
export function cadreStats(concerns: readonly ReviewConcern[]): Map<string, CadreStats> {
  const acc = new Map<string, { open: number; met: number; total: number; ms: number[]; ratings: number[]; last?: Date }>();
  const of = (id: string) => {
    let a = acc.get(id);
    if (!a) acc.set(id, (a = { open: 0, met: 0, total: 0, ms: [], ratings: [] }));
    return a;
  };
  for (const c of concerns) {
    if (c.assigneeId && OPEN_STATUSES.includes(c.status)) of(c.assigneeId).open++;
    const r = attributeConcern(c);
    for (const f of r.firstResponses) {
      const a = of(f.cadreId);
      a.ms.push(f.ms);
      if (f.met !== undefined) {
        a.total++;
        if (f.met) a.met++;
      }
    }
    for (const m of r.missed) of(m.cadreId).total++;
    for (const [id, at] of r.lastAction) {
      const a = of(id);
      if (!a.last || a.last < at) a.last = at;
    }
    if (r.rating) of(r.rating.cadreId).ratings.push(r.rating.value);
  }
  const out = new Map<string, CadreStats>();
  for (const [id, a] of acc) {
    const med = median(a.ms);
    out.set(id, {
      open: a.open,
      slaMet: a.met,
      slaTotal: a.total,
      slaHitRate: a.total ? Math.round((a.met / a.total) * 1000) / 1000 : null,
      medianFirstResponseMinutes: med === null ? null : Math.round((med / 60_000) * 10) / 10,
      ratings: a.ratings.length,
      averageRating: a.ratings.length ? Math.round((a.ratings.reduce((x, y) => x + y, 0) / a.ratings.length) * 100) / 100 : null,
      ...(a.last ? { lastActionAt: a.last } : {}),
    });
  }
  return out;
}

/** A cadre in the review: who, where, for which organisations and categories, and their figures. */
export interface ReviewCadre {
  memberId: string;
  name: string;
  /** Active member holding the `cadre` role: routing may give them concerns. */
  eligible: boolean;
  /** Their active assignments inside the reviewed subtree. */
  assignments: { unitId: string; organisation: Organisation; categories: string[] }[];
  organisations: Organisation[];
  /** Categories they may be given (their organisation responsible and the category covered). */
  categories: string[];
  stats: CadreStats;
  /** No action in the last `idleDays` (or never, assigned longer ago than that). */
  idle: boolean;
}

/** A workplace and category for which routing finds nobody: a concern there would wait, flagged, for the secretariat. */
export interface CoverageGap {
  unitId: string;
  category: string;
}

export interface CadreReview {
  unitId: string;
  at: Date;
  idleDays: number;
  cadres: ReviewCadre[];
  /** Distinct eligible cadres per organisation. */
  byOrganisation: Record<Organisation, number>;
  /** Distinct eligible cadres per category (in policy order). */
  byCategory: { category: string; cadres: number }[];
  /** Workplaces in the subtree (in force) that were checked, and the gaps found (by unit, categories in policy order). */
  workplaces: number;
  gaps: CoverageGap[];
  /** Categories no eligible cadre assigned inside the subtree covers (help may still come from above). */
  categoriesWithoutCadre: string[];
}

export interface ReviewInput {
  unitId: string;
  at: Date;
  idleDays?: number;
  /** Category ids in policy order, and which organisations are responsible for each. */
  categories: { id: string; organisations: readonly Organisation[] }[];
  /** Active assignments at units of the reviewed subtree. */
  assignments: readonly Pick<CadreAssignmentDoc, 'memberId' | 'orgUnitId' | 'organisation' | 'categories' | 'startedAt'>[];
  /** Names and eligibility of the assignments' members. */
  members: ReadonlyMap<string, { name: string; eligible: boolean }>;
  stats: ReadonlyMap<string, CadreStats>;
  workplaces: number;
  gaps: CoverageGap[];
}

const EMPTY_STATS: CadreStats = { open: 0, slaMet: 0, slaTotal: 0, slaHitRate: null, medianFirstResponseMinutes: null, ratings: 0, averageRating: null };
const DAY_MS = 86_400_000;

/** Puts the review of one subtree together (cadres sorted idle first, then by name). */
export function buildCadreReview(i: ReviewInput): CadreReview {
  const idleDays = i.idleDays ?? 30;
  const idleBefore = i.at.getTime() - idleDays * DAY_MS;
  const byMember = new Map<string, ReviewInput['assignments'][number][]>();
  for (const a of i.assignments) byMember.set(a.memberId, [...(byMember.get(a.memberId) ?? []), a]);
  const cadres: ReviewCadre[] = [];
  for (const [memberId, list] of byMember) {
    const m = i.members.get(memberId);
    const stats = i.stats.get(memberId) ?? EMPTY_STATS;
    const categories = i.categories
      .filter((c) => list.some((a) => c.organisations.includes(a.organisation) && (a.categories.length === 0 || a.categories.includes(c.id))))
      .map((c) => c.id);
    const since = Math.min(...list.map((a) => a.startedAt.getTime()));
    const last = stats.lastActionAt?.getTime();
    cadres.push({
      memberId,
      name: m?.name ?? memberId,
      eligible: m?.eligible ?? false,
      assignments: list.map((a) => ({ unitId: a.orgUnitId, organisation: a.organisation, categories: [...a.categories] })).sort((x, y) => x.unitId.localeCompare(y.unitId) || x.organisation.localeCompare(y.organisation)),
      organisations: ORGANISATIONS.filter((o) => list.some((a) => a.organisation === o)),
      categories,
      stats,
      idle: last === undefined ? since < idleBefore : last < idleBefore,
    });
  }
  cadres.sort((a, b) => Number(b.idle) - Number(a.idle) || a.name.localeCompare(b.name, 'vi') || a.memberId.localeCompare(b.memberId));
  const eligible = cadres.filter((c) => c.eligible);
  const byOrganisation = Object.fromEntries(ORGANISATIONS.map((o) => [o, eligible.filter((c) => c.organisations.includes(o)).length])) as Record<Organisation, number>;
  const byCategory = i.categories.map((c) => ({ category: c.id, cadres: eligible.filter((x) => x.categories.includes(c.id)).length }));
  const order = (category: string) => i.categories.findIndex((c) => c.id === category);
  return {
    unitId: i.unitId,
    at: i.at,
    idleDays,
    cadres,
    byOrganisation,
    byCategory,
    workplaces: i.workplaces,
    gaps: [...i.gaps].sort((a, b) => a.unitId.localeCompare(b.unitId) || order(a.category) - order(b.category)),
    categoriesWithoutCadre: byCategory.filter((c) => c.cadres === 0).map((c) => c.category),
  };
}

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

/**
 * The review as one CSV for Excel (the shared writer: BOM, CRLF, formula-like text defused), in
 * sections told apart by the first column: `cadre` rows (one per cadre), `organisation` and
 * `category` rows (eligible cadres in the last column, `cadres`), and `gap` rows (a workplace and category routing finds nobody for).
 */
export function cadreReviewToCsv(r: CadreReview, unitName: (id: string) => string = (id) => id): string {
  const header = ['section', 'member_id', 'name', 'eligible', 'organisations', 'units', 'categories', 'open', 'sla_met', 'sla_total', 'sla_hit_rate_pct', 'median_first_response_min', 'ratings', 'average_rating', 'last_action_at', 'idle', 'cadres'];
  const rows: (string | number | boolean | Date | null | undefined)[][] = [header];
  for (const c of r.cadres) {
    const s = c.stats;
    rows.push(['cadre', c.memberId, c.name, c.eligible, c.organisations.join(';'), [...new Set(c.assignments.map((a) => a.unitId))].join(';'), c.categories.join(';'), s.open, s.slaMet, s.slaTotal, round1(s.slaHitRate), s.medianFirstResponseMinutes, s.ratings, s.averageRating, s.lastActionAt, c.idle]);
  }
  const pad = (section: string, name: string, n: number) => [section, null, name, ...Array<null>(13).fill(null), n];
  for (const [o, n] of Object.entries(r.byOrganisation)) rows.push(pad('organisation', o, n));
  for (const c of r.byCategory) rows.push(pad('category', c.category, c.cadres));
  for (const g of r.gaps) rows.push(['gap', null, unitName(g.unitId), null, null, g.unitId, g.category]);
  return toCsv(rows);
}
