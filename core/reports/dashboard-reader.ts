/**
 * Reads what the dashboard needs, each collection once per page, with projections, and hands the
 * rows to the pure aggregation in `dashboard.ts`: the concerns raised in the period (no text,
 * no events, nothing about the reporter), every broadcast (their counts), every member (unit,
 * status, dates) and every chat identity (member and chat app); the org tree from the directory's
 * cache; coverage gaps from the cadre review's `coverageGaps` (the routing rules), with the
 * eligibility of cadres taken from the same member scan. FerretDB evaluates any filter but `_id`
 * document by document, so one pass per collection and the rest in memory is the cheapest read;
 * on MongoDB these are plain collection reads. What was read is kept for a minute (READ_MAX_AGE_MS).
 */
import type { BroadcastModels } from '../broadcasts/models.js';
import type { CadreReviewService } from '../concerns/cadre-review-service.js';
import type { ConcernModels } from '../concerns/models.js';
import type { ConcernPolicy } from '../concerns/policy.js';
import { isActiveCadre } from '../concerns/routing.js';
import type { Models } from '../db.js';
import type { MaterialService } from '../materials/material-service.js';
import type { ResolvedScope } from '../members/access-scope.js';
import type { OrgDirectory } from '../org/org-directory.js';
import {
  broadcastFigures,
  concernFigures,
  gapFigures,
  memberFigures,
  unitBuckets,
  weeksOf,
  type BroadcastFigures,
  type ConcernFigures,
  type DashboardBroadcast,
  type DashboardConcern,
  type DashboardIdentity,
  type DashboardMember,
  type DashboardPeriod,
  type GapFigures,
  type MemberFigures,
} from './dashboard.js';

/** The bucket of units not in the org tree (old data), shown to the city level only. */
export const UNKNOWN_UNIT = '?';

/** Everything one dashboard page shows. */
export interface Dashboard {
  period: DashboardPeriod;
  weeks: string[];
  /** The units the figures are cut under ("by unit" = the units directly under these). */
  tops: string[];
  whole: boolean;
  concerns: ConcernFigures;
  broadcasts: BroadcastFigures;
  members: MemberFigures;
  gaps: GapFigures;
  /** Names of every unit mentioned (buckets, tops, gap workplaces). */
  unitNames: Record<string, string>;
  /** Titles of the materials the broadcasts sent, by material id and language. */
  materialTitles: Record<string, Record<string, string>>;
  /** Category ids in policy order. */
  categories: string[];
  /** What reading took, in ms, by collection (for the README's measurement and the logs). */
  timings: Record<string, number>;
}

/**
 * What was read is kept this long and shared by every page asked for meanwhile (another scope, a
 * unit drilled into, the other language; concerns per period): reading is the page's whole cost
 * (12–19 s for 20,000 concerns and 20,000 members on the loaded local FerretDB, see the README),
 * the aggregation a tenth of a second. Figures may so be a minute old.
 */
const READ_MAX_AGE_MS = 60_000;

export class DashboardReader {
  private readonly kept = new Map<string, { at: number; rows: Promise<unknown> }>();

  constructor(
    private readonly d: { models: Models; cm: ConcernModels; bm: BroadcastModels; org: OrgDirectory; review: CadreReviewService; policy: () => ConcernPolicy; materials: MaterialService },
    private readonly maxAgeMs = READ_MAX_AGE_MS,
  ) {}

  /** Forgets what was read (the next page reads everything again). */
  forget(): void {
    this.kept.clear();
  }

  /** The rows of `key`, read by `load` unless read less than `maxAgeMs` ago (or being read now). */
  private keep<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    for (const [k, v] of this.kept) if (now - v.at >= this.maxAgeMs) this.kept.delete(k);
    const hit = this.kept.get(key);
    if (hit) return hit.rows as Promise<T>;
    // A real promise (a mongoose query is a thenable that runs again each time it is awaited).
    const entry = { at: now, rows: (async () => await load())() };
    entry.rows.catch(() => {
      if (this.kept.get(key) === entry) this.kept.delete(key);
    });
    this.kept.set(key, entry);
    return entry.rows;
  }

  /**
   * The dashboard of `scope` (narrowed to `unitId`'s subtree when given; the caller checks it lies
   * in scope) for `period`, gaps as routing stands at `now`.
   */
  async read(o: { scope: ResolvedScope; unitId?: string; period: DashboardPeriod; now: Date }): Promise<Dashboard> {
    const { models, cm, bm, org } = this.d;
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, p: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await p();
      timings[name] = Math.round(performance.now() - t0);
      return r;
    };
    const whole = o.scope.whole && !o.unitId;
    const tops = o.unitId ? [o.unitId] : o.scope.whole ? await this.d.review.roots(o.now) : o.scope.units;
    const inside = whole ? undefined : new Set(await org.idsUnder(tops, o.now));
    const unit = async (id: string) => org.get(id, o.now);
    const ancestors = new Map<string, string[]>();
    const [concerns, broadcasts, members, identities] = await Promise.all([
      timed('concerns', () =>
        this.keep(`concerns:${o.period.from.toISOString()}:${o.period.until.toISOString()}`, () =>
          cm.Concern.find({ createdAt: { $gte: o.period.from, $lt: o.period.until } }, { _id: 0, category: 1, orgUnitId: 1, level: 1, status: 1, flagged: 1, slaOutcomes: 1, createdAt: 1, firstResponseAt: 1, resolvedAt: 1 }).lean<DashboardConcern[]>(),
        ),
      ),
      timed('broadcasts', () => this.keep('broadcasts', () => bm.Broadcast.find({}, { content: 1, audience: 1, status: 1, counts: 1, startedAt: 1 }).lean<DashboardBroadcast[]>())),
      timed('members', () => this.keep('members', () => models.Member.find({}, { orgUnitId: 1, status: 1, roles: 1, createdAt: 1, erasedAt: 1 }).lean<(DashboardMember & { roles: string[] })[]>())),
      timed('identities', () => this.keep('identities', () => models.ChannelIdentity.find({}, { _id: 0, memberId: 1, channel: 1 }).lean<DashboardIdentity[]>())),
    ]);
    // Every unit that appears, once: its ancestors for the buckets.
    const seen = new Set<string>([...concerns.map((c) => c.orgUnitId), ...broadcasts.map((b) => b.audience?.orgUnitId), ...members.map((m) => m.orgUnitId)].filter((x): x is string => !!x));
    for (const id of seen) {
      const u = await unit(id);
      if (u) ancestors.set(id, u.ancestors);
    }
    const bucket = unitBuckets(tops, (id) => ancestors.get(id), { whole, unknownBucket: UNKNOWN_UNIT });
    const inScope = (id: string | undefined) => (whole ? true : id !== undefined && inside!.has(id));
    const scoped = (id: string | undefined) => (inScope(id) ? bucket(id) : undefined);
    const period = o.period;
    const policy = this.d.policy();
    const categories = Object.keys(policy.categories);
    const cadres = new Map(members.filter((m) => isActiveCadre(m as never)).map((m) => [m._id, true]));
    const coverage = await timed('coverage', () => this.d.review.coverageGaps(tops, o.now, (id) => cadres.has(id)));
    const t0 = performance.now();
    const figures = {
      concerns: concernFigures(concerns, { period, categories, bucket: scoped }),
      broadcasts: broadcastFigures(broadcasts, { period, inScope }),
      members: memberFigures(members, identities, { period, bucket: scoped, whole }),
      gaps: gapFigures(coverage.gaps, coverage.workplaces, categories),
    };
    timings.aggregate = Math.round(performance.now() - t0);
    const named = new Set<string>([...tops, ...figures.concerns.byUnit.map((u) => u.unitId), ...figures.members.byUnit.map((u) => u.unitId), ...figures.gaps.byUnit.map((u) => u.unitId)]);
    const unitNames: Record<string, string> = {};
    for (const id of named) unitNames[id] = (await unit(id))?.name ?? id;
    const materialTitles: Record<string, Record<string, string>> = {};
    for (const id of new Set(figures.broadcasts.broadcasts.map((b) => b.content?.materialId).filter((x): x is string => !!x))) {
      const m = await this.d.materials.get(id);
      if (m) materialTitles[id] = Object.fromEntries(Object.entries(m.content).map(([lng, c]) => [lng, c.title]));
    }
    return { period, weeks: weeksOf(period), tops, whole, ...figures, unitNames, materialTitles, categories, timings };
  }
}
