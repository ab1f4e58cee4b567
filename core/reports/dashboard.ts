/**
 * The dashboard's figures for the steering committee and the secretariat, as pure aggregation
 * over rows already read (no database here: `dashboard-reader.ts` reads each collection once and
 * hands them in, so this is tested without the app). A period is Vietnam days, cut into weeks
 * that start on Monday (Vietnam time); a scope says which units count and which bucket ("by unit")
 * each one rolls up into.
 *
 * - Concerns count in the period they were raised (`createdAt`). The SLA hit rate and the medians
 *   are the concern report's own (`summarise` in core/concerns/reports.ts: met / decided deadlines
 *   from `slaOutcomes`, first response and resolution from the concern's creation), per week of
 *   creation and over the period.
 * - Broadcasts count in the week their sending started (`startedAt`); ones not started have no
 *   reach yet and are left out. A broadcast to everyone (no unit) belongs to the city level only.
 * - Members: active ones (status `active`) by unit and chat app as of the end of the period; new
 *   ones by the week they registered; erased ones by the week of erasure. Erasure keeps only the
 *   member's id, status and time (not its unit), so erased members can be counted for the whole
 *   tree only.
 */
import type { BroadcastDoc } from '../broadcasts/models.js';
import type { CoverageGap } from '../concerns/cadre-review.js';
import { CONCERN_STATUSES, OPEN_STATUSES, type ConcernDoc, type ConcernStatus } from '../concerns/models.js';
import { summarise } from '../concerns/reports.js';
import type { ChannelIdentityDoc, MemberDoc } from '../db.js';
import { vnDay, vnDayStart, vnDayStartOf, vnParts } from '../vn-time.js';

const DAY_MS = 86_400_000;

/** A period of Vietnam days: `from` (a day's start) inclusive, `until` (a day's start) exclusive. */
export interface DashboardPeriod {
  from: Date;
  until: Date;
}

/** The Monday (Vietnam day, "YYYY-MM-DD") of the week `at` falls in. */
export function weekOf(at: Date): string {
  const back = (vnParts(at).weekday + 6) % 7;
  return vnDay(vnDayStart(at, -back));
}

/** The weeks (their Mondays) a period touches, in order; the first and last may be partial. */
export function weeksOf(p: DashboardPeriod): string[] {
  const out: string[] = [];
  const last = weekOf(new Date(p.until.getTime() - 1));
  for (let w = weekOf(p.from); ; ) {
    out.push(w);
    if (w >= last) break;
    w = vnDay(new Date(vnDayStartOf(w)!.getTime() + 7 * DAY_MS));
  }
  return out;
}

/** The default period: the last 8 weeks, Monday to today (the current week included, so far). */
export function defaultPeriod(now: Date, weeks = 8): DashboardPeriod {
  const thisMonday = vnDayStartOf(weekOf(now))!;
  return { from: new Date(thisMonday.getTime() - (weeks - 1) * 7 * DAY_MS), until: vnDayStart(now, 1) };
}

const inPeriod = (at: Date | undefined, p: DashboardPeriod) => at !== undefined && at >= p.from && at < p.until;

/** Which "by unit" bucket a unit rolls up into, or undefined when it is outside the scope. */
export type UnitBucket = (unitId: string | undefined) => string | undefined;

/** What the dashboard reads of a concern (never its text, never its reporter). */
export type DashboardConcern = Pick<ConcernDoc, 'category' | 'orgUnitId' | 'level' | 'status' | 'flagged' | 'slaOutcomes' | 'createdAt' | 'firstResponseAt' | 'resolvedAt'>;

/** SLA figures of a group of concerns (the concern report's definitions). */
export interface SlaFigures {
  concerns: number;
  slaMet: number;
  slaTotal: number;
  /** Met / decided deadlines (3 decimals), or null when none was decided. */
  slaHitRate: number | null;
  medianFirstResponseMinutes: number | null;
  medianResolutionMinutes: number | null;
}

export interface ConcernCounts {
  total: number;
  open: number;
  resolved: number;
  flagged: number;
}

export interface ConcernFigures {
  total: number;
  /** Every category of the policy, in its order (zeros included), then any other seen. */
  byCategory: ({ category: string } & ConcernCounts)[];
  /** Buckets with concerns, most first (ties: id). */
  byUnit: ({ unitId: string } & ConcernCounts)[];
  /** Every status, in life order. */
  byStatus: { status: ConcernStatus; count: number }[];
  sla: SlaFigures;
  /** The SLA figures of each category, in the order of `byCategory` (the steering report's table). */
  slaByCategory: ({ category: string } & SlaFigures)[];
  weeks: ({ week: string } & SlaFigures)[];
}

function sla(list: readonly DashboardConcern[]): SlaFigures {
  const r = summarise('*', '*', -1, list);
  return { concerns: list.length, slaMet: r.slaMet, slaTotal: r.slaTotal, slaHitRate: r.slaHitRate, medianFirstResponseMinutes: r.medianFirstResponseMinutes, medianResolutionMinutes: r.medianResolutionMinutes };
}

function counts(list: readonly DashboardConcern[]): ConcernCounts {
  return { total: list.length, open: list.filter((c) => OPEN_STATUSES.includes(c.status)).length, resolved: list.filter((c) => c.status === 'resolved').length, flagged: list.filter((c) => c.flagged).length };
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = out.get(k);
    if (g) g.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Concerns raised in the period inside the scope: by category, by unit bucket, by status; SLA over the period and per week. */
export function concernFigures(all: readonly DashboardConcern[], o: { period: DashboardPeriod; categories: readonly string[]; bucket: UnitBucket }): ConcernFigures {
  const buckets = new Map<DashboardConcern, string>();
  for (const c of all) {
    if (!inPeriod(c.createdAt, o.period)) continue;
    const b = o.bucket(c.orgUnitId);
    if (b !== undefined) buckets.set(c, b);
  }
  const list = [...buckets.keys()];
  const byCat = groupBy(list, (c) => c.category);
  const categories = [...o.categories, ...[...byCat.keys()].filter((k) => !o.categories.includes(k)).sort()];
  const byUnit = [...groupBy(list, (c) => buckets.get(c)!)].map(([unitId, g]) => ({ unitId, ...counts(g) }));
  byUnit.sort((a, b) => b.total - a.total || a.unitId.localeCompare(b.unitId));
  const byWeek = groupBy(list, (c) => weekOf(c.createdAt));
  return {
    total: list.length,
    byCategory: categories.map((category) => ({ category, ...counts(byCat.get(category) ?? []) })),
    byUnit,
    byStatus: CONCERN_STATUSES.map((status) => ({ status, count: list.filter((c) => c.status === status).length })),
    sla: sla(list),
    slaByCategory: categories.map((category) => ({ category, ...sla(byCat.get(category) ?? []) })),
    weeks: weeksOf(o.period).map((week) => ({ week, ...sla(byWeek.get(week) ?? []) })),
  };
}

/** What the dashboard reads of a broadcast. */
export type DashboardBroadcast = Pick<BroadcastDoc, '_id' | 'content' | 'audience' | 'status' | 'counts' | 'startedAt'>;

export interface Reach {
  targeted: number;
  sent: number;
  failed: number;
  optedOut: number;
}

export interface BroadcastFigures {
  /** Broadcasts that started sending in the period, in the scope, oldest first. */
  broadcasts: ({ id: string; startedAt: Date; status: BroadcastDoc['status']; content: BroadcastDoc['content'] } & Reach)[];
  total: Reach & { broadcasts: number };
  weeks: ({ week: string; broadcasts: number } & Reach)[];
}

const reachOf = (b: DashboardBroadcast): Reach => ({ targeted: b.counts?.targeted ?? 0, sent: b.counts?.sent ?? 0, failed: b.counts?.failed ?? 0, optedOut: b.counts?.optedOut ?? 0 });
const addReach = (a: Reach, b: Reach): Reach => ({ targeted: a.targeted + b.targeted, sent: a.sent + b.sent, failed: a.failed + b.failed, optedOut: a.optedOut + b.optedOut });
const ZERO_REACH: Reach = { targeted: 0, sent: 0, failed: 0, optedOut: 0 };

/** Reach of each broadcast that started in the period (addressed inside the scope: `inScope(undefined)` = "to everyone"), and per week. */
export function broadcastFigures(all: readonly DashboardBroadcast[], o: { period: DashboardPeriod; inScope: (unitId: string | undefined) => boolean }): BroadcastFigures {
  const list = all.filter((b) => inPeriod(b.startedAt, o.period) && o.inScope(b.audience?.orgUnitId)).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime() || a._id.localeCompare(b._id));
  const byWeek = groupBy(list, (b) => weekOf(b.startedAt!));
  return {
    broadcasts: list.map((b) => ({ id: b._id, startedAt: b.startedAt!, status: b.status, content: b.content, ...reachOf(b) })),
    total: { broadcasts: list.length, ...list.map(reachOf).reduce(addReach, ZERO_REACH) },
    weeks: weeksOf(o.period).map((week) => {
      const g = byWeek.get(week) ?? [];
      return { week, broadcasts: g.length, ...g.map(reachOf).reduce(addReach, ZERO_REACH) };
    }),
  };
}

export type DashboardMember = Pick<MemberDoc, '_id' | 'orgUnitId' | 'status' | 'createdAt' | 'erasedAt'>;
export type DashboardIdentity = Pick<ChannelIdentityDoc, 'memberId' | 'channel'>;

export interface MemberFigures {
  /** Active members in the scope at the end of the period. */
  active: number;
  /** The chat apps seen, sorted. */
  channels: string[];
  /** Per bucket: active members, and how many of them each chat app reaches (one member may use two); `none`: no chat linked. */
  byUnit: { unitId: string; active: number; channels: Record<string, number>; none: number }[];
  /** Members registered in the period per week; erased per week when `erasedCounted`. */
  weeks: { week: string; new: number; erased: number }[];
  newTotal: number;
  erasedTotal: number;
  /** False for a scope below the city level: an erased member keeps no unit, so they cannot be placed. */
  erasedCounted: boolean;
}

/** Active members by unit bucket and chat app; new and erased ones per week. */
export function memberFigures(members: readonly DashboardMember[], identities: readonly DashboardIdentity[], o: { period: DashboardPeriod; bucket: UnitBucket; whole: boolean }): MemberFigures {
  const chatsOf = new Map<string, Set<string>>();
  for (const i of identities) {
    if (!i.memberId) continue;
    const s = chatsOf.get(i.memberId);
    if (s) s.add(i.channel);
    else chatsOf.set(i.memberId, new Set([i.channel]));
  }
  const rows = new Map<string, MemberFigures['byUnit'][number]>();
  const channels = new Set<string>();
  const newByWeek = new Map<string, number>();
  const erasedByWeek = new Map<string, number>();
  let active = 0;
  for (const m of members) {
    if (m.status === 'erased') {
      if (o.whole && inPeriod(m.erasedAt, o.period)) erasedByWeek.set(weekOf(m.erasedAt!), (erasedByWeek.get(weekOf(m.erasedAt!)) ?? 0) + 1);
      continue;
    }
    if (m.status !== 'active' || !(m.createdAt < o.period.until)) continue;
    const b = o.bucket(m.orgUnitId);
    if (b === undefined) continue;
    active++;
    let row = rows.get(b);
    if (!row) rows.set(b, (row = { unitId: b, active: 0, channels: {}, none: 0 }));
    row.active++;
    const chats = chatsOf.get(m._id);
    if (!chats?.size) row.none++;
    for (const ch of chats ?? []) {
      channels.add(ch);
      row.channels[ch] = (row.channels[ch] ?? 0) + 1;
    }
    if (inPeriod(m.createdAt, o.period)) newByWeek.set(weekOf(m.createdAt), (newByWeek.get(weekOf(m.createdAt)) ?? 0) + 1);
  }
  const weeks = weeksOf(o.period).map((week) => ({ week, new: newByWeek.get(week) ?? 0, erased: erasedByWeek.get(week) ?? 0 }));
  return {
    active,
    channels: [...channels].sort(),
    byUnit: [...rows.values()].sort((a, b) => b.active - a.active || a.unitId.localeCompare(b.unitId)),
    weeks,
    newTotal: weeks.reduce((s, w) => s + w.new, 0),
    erasedTotal: weeks.reduce((s, w) => s + w.erased, 0),
    erasedCounted: o.whole,
  };
}

export interface GapFigures {
  /** Workplaces in force in the scope that were checked. */
  workplaces: number;
  /** Per category (policy order): workplaces where routing finds nobody for it. */
  byCategory: { category: string; workplaces: number }[];
  /** Per workplace with gaps: its categories without an eligible cadre (policy order), most first. */
  byUnit: { unitId: string; categories: string[] }[];
}

/** The coverage gaps (`CadreReviewService.coverageGaps`) by category and by workplace. */
export function gapFigures(gaps: readonly CoverageGap[], workplaces: number, categories: readonly string[]): GapFigures {
  const order = (c: string) => (categories.includes(c) ? categories.indexOf(c) : categories.length);
  const byUnit = [...groupBy(gaps, (g) => g.unitId)].map(([unitId, g]) => ({ unitId, categories: g.map((x) => x.category).sort((a, b) => order(a) - order(b) || a.localeCompare(b)) }));
  byUnit.sort((a, b) => b.categories.length - a.categories.length || a.unitId.localeCompare(b.unitId));
  return { workplaces, byCategory: categories.map((category) => ({ category, workplaces: gaps.filter((g) => g.category === category).length })), byUnit };
}

/**
 * The bucket function of a scope: a unit rolls up into the unit directly under the top unit it
 * lies beneath (the top unit itself for concerns raised about it directly); units outside every
 * top give undefined. `ancestorsOf` gives a unit's ancestors, top first; undefined for a unit not
 * in the tree, which only a whole-tree scope counts (as `unknownBucket`).
 */
export function unitBuckets(tops: readonly string[], ancestorsOf: (unitId: string) => readonly string[] | undefined, o: { whole: boolean; unknownBucket: string }): UnitBucket {
  return (unitId) => {
    if (unitId === undefined) return o.whole ? o.unknownBucket : undefined;
    if (tops.includes(unitId)) return unitId;
    const anc = ancestorsOf(unitId);
    if (!anc) return o.whole ? o.unknownBucket : undefined;
    for (const t of tops) {
      const i = anc.indexOf(t);
      if (i >= 0) return anc[i + 1] ?? unitId;
    }
    return o.whole ? o.unknownBucket : undefined;
  };
}
