/**
 * Reads what the cadre-force review needs, each collection once, and hands it to the pure
 * aggregation in `cadre-review.ts`: the active assignments (one scan), the members behind them (by
 * `_id`), every concern with only the fields the review uses (one scan: FerretDB evaluates any
 * filter but `_id` document by document, so one pass with a projection is the cheapest read), and
 * the org tree from the directory's cache. Coverage gaps come from the router (`coverage`), with
 * the very rules concerns are routed by.
 */
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import { WORKPLACE_KINDS, type OrgDirectory } from '../org/org-directory.js';
import { buildCadreReview, cadreStats, type CadreReview, type CadreStats, type CoverageGap, type ReviewConcern } from './cadre-review.js';
import type { CadreAssignmentDoc, ConcernModels } from './models.js';
import type { ConcernPolicy } from './policy.js';
import { isActiveCadre, type CadreRouter } from './routing.js';

/** Members read by `_id` this many at a time. */
const READ_BATCH = 50;

/**
 * The per-cadre figures are kept this long: the concerns scan is the review's whole cost (about
 * 15 s for 20,000 concerns on a loaded FerretDB, see the README), and the secretariat's screens
 * (the summary, the cadre list, a zone under it) each need them.
 */
const STATS_MAX_AGE_MS = 120_000;

export class CadreReviewService {
  private stats?: { loadedAt: number; done: Promise<Map<string, CadreStats>> };

  constructor(private readonly models: Models, private readonly cm: ConcernModels, private readonly org: OrgDirectory, private readonly router: CadreRouter, private readonly policy: () => ConcernPolicy, private readonly statsMaxAgeMs = STATS_MAX_AGE_MS) {}

  /** The top units of the tree in force at `at` (usually one: the city). */
  async roots(at: Date): Promise<string[]> {
    const units = await this.models.OrgUnit.find({}, { parentId: 1, validFrom: 1, validTo: 1 }).lean();
    return units.filter((u) => !u.parentId && (!u.validFrom || u.validFrom <= at) && (!u.validTo || u.validTo > at)).map((u) => u._id).sort();
  }

  /**
   * The review of `unitId` and everything under it at `at`. Cadres are those with an active
   * assignment in the subtree; their figures cover every concern they handled, wherever.
   * Gaps are the workplaces in force in the subtree and the categories routing finds nobody for.
   */
  async review(unitId: string, at: Date, opts: { idleDays?: number } = {}): Promise<CadreReview> {
    const policy = this.policy();
    const categories = Object.entries(policy.categories).map(([id, rule]) => ({ id, organisations: rule.organisations }));
    const inside = new Set(await this.org.idsUnder([unitId], at));
    const [assignments, stats, workplaces] = await Promise.all([
      this.cm.CadreAssignment.find({ active: true }).lean<CadreAssignmentDoc[]>(),
      this.cadreStats(),
      this.org.activeOfKinds(WORKPLACE_KINDS, at),
    ]);
    const members = await this.members([...new Set(assignments.map((a) => a.memberId))]);
    const eligible = (id: string) => isActiveCadre(members.get(id));
    const { workplaces: here, gaps } = await this.coverageGaps([unitId], at, eligible, { workplaces, inside });
    return buildCadreReview({
      unitId,
      at,
      idleDays: opts.idleDays,
      categories,
      assignments: assignments.filter((a) => inside.has(a.orgUnitId)),
      members: new Map([...members].map(([id, m]) => [id, { name: m.displayName ?? id, eligible: isActiveCadre(m) }])),
      stats,
      workplaces: here,
      gaps,
    });
  }

  /**
   * The workplaces in force at `at` under `unitIds` and, for each, the categories routing finds
   * nobody for (`CadreRouter.coverage`, the routing rules themselves): the review's gaps, and the
   * dashboard's. `eligible` says which members routing may give concerns to.
   */
  async coverageGaps(unitIds: readonly string[], at: Date, eligible: (memberId: string) => boolean, known: { workplaces?: OrgUnitDoc[]; inside?: ReadonlySet<string> } = {}): Promise<{ workplaces: number; gaps: CoverageGap[] }> {
    const categories = Object.keys(this.policy().categories);
    const inside = known.inside ?? new Set(await this.org.idsUnder(unitIds, at));
    const workplaces = known.workplaces ?? (await this.org.activeOfKinds(WORKPLACE_KINDS, at));
    const here = workplaces.filter((w) => inside.has(w._id)).sort((a, b) => a._id.localeCompare(b._id));
    const gaps: CoverageGap[] = [];
    for (const w of here) {
      const cover = await this.router.coverage(w._id, categories, at, eligible);
      for (const [category, unit] of cover) if (unit === undefined) gaps.push({ unitId: w._id, category });
    }
    return { workplaces: here.length, gaps };
  }

  /**
   * Every cadre's figures from one scan of the concerns, shared by the reviews of the next
   * `statsMaxAgeMs` (and by reviews asked for while it runs): figures up to two minutes old.
   */
  private cadreStats(): Promise<Map<string, CadreStats>> {
    const c = this.stats;
    if (c && Date.now() - c.loadedAt < this.statsMaxAgeMs) return c.done;
    const loading = { loadedAt: Date.now(), done: this.concerns().then(cadreStats) };
    loading.done.catch(() => {
      if (this.stats === loading) this.stats = undefined;
    });
    this.stats = loading;
    return loading.done;
  }

  /** Every concern, with only what `attributeConcern` reads (no text, nothing about the reporter). */
  private concerns(): Promise<ReviewConcern[]> {
    return this.cm.Concern.find({}, { status: 1, assigneeId: 1, rating: 1, slaOutcomes: 1, 'events.at': 1, 'events.kind': 1, 'events.actor': 1, 'events.assigneeId': 1, 'events.deadline': 1 }).lean<ReviewConcern[]>();
  }

  private async members(ids: string[]): Promise<Map<string, Pick<MemberDoc, '_id' | 'displayName' | 'status' | 'roles'>>> {
    const out = new Map<string, Pick<MemberDoc, '_id' | 'displayName' | 'status' | 'roles'>>();
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const found = await Promise.all(ids.slice(i, i + READ_BATCH).map((id) => this.models.Member.findById(id, { displayName: 1, status: 1, roles: 1 }).lean<Pick<MemberDoc, '_id' | 'displayName' | 'status' | 'roles'>>()));
      for (const m of found) if (m) out.set(m._id, m);
    }
    return out;
  }
}
