/**
 * Who handles a concern. The concerned unit is a workplace (an enterprise). Routing looks at
 * units in steps, nearest first:
 *   1. the concerned unit itself;
 *   2. the units under it, one depth at a time — the company's own trade union, grassroots Youth
 *      Union and Women's Union branch, then their branches (chi đoàn, chi hội);
 *   3. its ancestors one by one (industrial zone, ward, city).
 * At each step: active assignments of a responsible organisation covering the category, whose
 * member is active and still holds the `cadre` role, leaving out cadres with a conflict of
 * interest in the concerned unit or its ancestors; among them, the fewest open concerns wins.
 * When nobody qualifies anywhere, the concern goes to the top unit's secretariat, flagged.
 * Escalation continues above the step the concern is at (from the company's own units, to the
 * concerned unit's parent), so it never moves sideways or down.
 *
 * So an assignment can only ever be reached at a workplace, at a unit under one, or at a unit
 * above one (`reaches`); the cadre import warns about any other unit.
 */
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import { WORKPLACE_KINDS, type OrgDirectory } from '../org/org-directory.js';
import type { CadreDirectory } from './cadre-directory.js';
import { OPEN_STATUSES, type CadreAssignmentDoc, type ConcernModels } from './models.js';
import type { CategoryRule, ConcernPolicy } from './policy.js';

/** Where a concern lands. */
export interface RouteResult {
  unitId: string;
  assigneeId?: string;
  /** The assignee's member record, when routing just read it (saves reading it again for the notice). */
  assignee?: MemberDoc;
  /** Nobody eligible anywhere up the tree. */
  flagged: boolean;
}

/** A candidate who passed every rule, with their member record (read by id, so never stale). */
interface Candidate {
  assignment: CadreAssignmentDoc;
  member: MemberDoc;
}

/**
 * The routing rule for one assignment: its organisation is responsible for the category, it
 * covers the category (no categories = all), and — for categories with the conflict-of-interest
 * exclusion — none of its conflict units is the concerned unit or above it (`concernedPath`).
 */
export function assignmentFits(rule: CategoryRule, a: Pick<CadreAssignmentDoc, 'organisation' | 'categories' | 'conflictUnitIds'>, category: string, concernedPath: ReadonlySet<string>): boolean {
  return (
    rule.organisations.includes(a.organisation) &&
    (a.categories.length === 0 || a.categories.includes(category)) &&
    !(rule.conflictExclusion && a.conflictUnitIds.some((u) => concernedPath.has(u)))
  );
}

/** Whether this member may be given concerns at all: active, with the `cadre` role. */
export function isActiveCadre<T extends Pick<MemberDoc, 'status' | 'roles'>>(m: T | null | undefined): m is T {
  return m?.status === 'active' && m.roles.includes('cadre');
}

/** How long the list of secretariat members found by a scan is used (see secretariatOf). */
const SECRETARIAT_LIST_MS = 60_000;

export class CadreRouter {
  constructor(private readonly models: Models, private readonly cm: ConcernModels, private readonly org: OrgDirectory, private readonly cadres: CadreDirectory, private readonly policy: () => ConcernPolicy) {}

  /** The unit and its ancestors, nearest first. */
  async chainFrom(unitId: string, at: Date): Promise<string[]> {
    const unit = await this.unit(unitId, at);
    return unit ? [unit._id, ...[...unit.ancestors].reverse()] : [unitId];
  }

  /** The parent of a unit, if any. */
  async parentOf(unitId: string, at: Date): Promise<string | undefined> {
    return (await this.unit(unitId, at))?.parentId;
  }

  /** Whether `unitId` is the concerned unit or one of the units under it (the company's own level). */
  private async withinConcerned(unitId: string, concernedUnitId: string, at: Date): Promise<boolean> {
    return unitId === concernedUnitId || !!(await this.unit(unitId, at))?.ancestors.includes(concernedUnitId);
  }

  /**
   * The steps of units routing looks at from `fromUnitId`, nearest first (see the module
   * comment). From the concerned unit or a unit under it: the concerned unit, the units under it
   * by depth, then its ancestors; from anywhere else (above it): that unit and its ancestors.
   */
  async steps(concernedUnitId: string, fromUnitId: string, at: Date): Promise<string[][]> {
    if (!(await this.withinConcerned(fromUnitId, concernedUnitId, at))) return (await this.chainFrom(fromUnitId, at)).map((u) => [u]);
    const below = (await this.org.descendantsByDepth(concernedUnitId, at)).map((level) => level.map((u) => u._id));
    const [self, ...above] = await this.chainFrom(concernedUnitId, at);
    return [[self!], ...below, ...above.map((u) => [u])];
  }

  /**
   * Where escalation from a concern at `levelUnitId` starts: the parent of the concerned unit
   * when the concern is at the company's own level (the concerned unit or a unit under it),
   * otherwise the parent of its unit. Undefined at the top.
   */
  async escalationStart(levelUnitId: string, concernedUnitId: string, at: Date): Promise<string | undefined> {
    return this.parentOf((await this.withinConcerned(levelUnitId, concernedUnitId, at)) ? concernedUnitId : levelUnitId, at);
  }

  /**
   * Whether a cadre assigned at this unit can ever be given a concern: the unit is a workplace,
   * lies under one, or lies above one (see the module comment). Units of other kinds elsewhere
   * (a zone's own union beside its enterprises, a ward's Women's Union) are never looked at.
   */
  async reaches(unitId: string, at: Date): Promise<boolean> {
    const unit = await this.unit(unitId, at);
    if (!unit) return false;
    const isWorkplace = (u?: OrgUnitDoc) => !!u && (WORKPLACE_KINDS as readonly string[]).includes(u.kind);
    if (isWorkplace(unit)) return true;
    for (const a of unit.ancestors) if (isWorkplace(await this.unit(a, at))) return true;
    return this.org.hasWorkplaceUnder(unitId, at);
  }

  private async unit(id: string, at: Date): Promise<OrgUnitDoc | undefined> {
    return (await this.org.get(id, at)) ?? (await this.models.OrgUnit.findById(id).lean()) ?? undefined;
  }

  /** Active assignments whose rules fit this category and concerned unit, minus `exclude` (member status not checked). */
  private async fitting(category: string, concernedUnitId: string, at: Date, exclude: string[], active?: CadreAssignmentDoc[]): Promise<CadreAssignmentDoc[]> {
    const rule = this.policy().categories[category];
    if (!rule) return [];
    const concernedPath = new Set(await this.chainFrom(concernedUnitId, at));
    return (active ?? (await this.cadres.active())).filter((a) => assignmentFits(rule, a, category, concernedPath) && !exclude.includes(a.memberId));
  }

  /**
   * For each category, the unit where routing would place a new concern about `concernedUnitId`
   * (the nearest step with an eligible cadre), or undefined when nobody qualifies and it would
   * be flagged. The same steps and rules as `route`; member eligibility (`isActiveCadre`) comes
   * from `eligibleMember`, so the cadre review reads each member once instead of per step.
   */
  async coverage(concernedUnitId: string, categories: readonly string[], at: Date, eligibleMember: (memberId: string) => boolean): Promise<Map<string, string | undefined>> {
    const steps = await this.steps(concernedUnitId, concernedUnitId, at);
    const active = (await this.cadres.active()).filter((a) => eligibleMember(a.memberId));
    const out = new Map<string, string | undefined>();
    for (const category of categories) {
      const fitting = await this.fitting(category, concernedUnitId, at, [], active);
      const units = new Set(fitting.map((a) => a.orgUnitId));
      out.set(category, steps.flat().find((u) => units.has(u)));
    }
    return out;
  }

  /** Keeps the assignments whose member is active and holds the `cadre` role, reading each member once by id. */
  private async withActiveMembers(assignments: CadreAssignmentDoc[]): Promise<Candidate[]> {
    const ids = [...new Set(assignments.map((a) => a.memberId))];
    const members = new Map<string, MemberDoc>();
    await Promise.all(
      ids.map(async (id) => {
        const m = await this.models.Member.findById(id).lean<MemberDoc>();
        if (isActiveCadre(m)) members.set(id, m);
      }),
    );
    return assignments.filter((a) => members.has(a.memberId)).map((assignment) => ({ assignment, member: members.get(assignment.memberId)! }));
  }

  /** Active assignments at `unitId` of active members that may handle this category in this concerned unit, minus `exclude`. */
  async eligibleAt(unitId: string, category: string, concernedUnitId: string, at: Date, exclude: string[] = []): Promise<CadreAssignmentDoc[]> {
    const here = (await this.fitting(category, concernedUnitId, at, exclude)).filter((a) => a.orgUnitId === unitId);
    return (await this.withActiveMembers(here)).map((c) => c.assignment);
  }

  /**
   * Routes from `fromUnitId` in steps (see the module comment). Only the members of the units
   * looked at are read (by id), nearest step first; the assignee's record comes back with it.
   * The concern's unit becomes the unit of the assignee's assignment.
   */
  async route(args: { category: string; concernedUnitId: string; fromUnitId: string; at: Date; exclude?: string[] }): Promise<RouteResult> {
    const steps = await this.steps(args.concernedUnitId, args.fromUnitId, args.at);
    const fitting = await this.fitting(args.category, args.concernedUnitId, args.at, args.exclude ?? []);
    for (const step of steps) {
      const here = await this.withActiveMembers(fitting.filter((a) => step.includes(a.orgUnitId)));
      if (here.length === 0) continue;
      const assigneeId = await this.leastLoaded([...new Set(here.map((c) => c.assignment.memberId))]);
      const theirs = here.filter((c) => c.member._id === assigneeId);
      // One member may hold assignments at two units of a step: the one listed first (nearest, then by id) counts.
      const unitId = step.find((u) => theirs.some((c) => c.assignment.orgUnitId === u))!;
      return { unitId, assigneeId, assignee: theirs[0]!.member, flagged: false };
    }
    const chain = await this.chainFrom(args.fromUnitId, args.at);
    return { unitId: chain[chain.length - 1]!, flagged: true };
  }

  /**
   * Joint handling: cadres of `organisations` who may assist on this concern, found along its unit
   * chain in the routing steps (nearest first; the least loaded first within a step). The routing
   * rule applies with those organisations in place of the responsible ones: the assignment covers
   * the category, no conflict of interest where the category excludes it, an active cadre.
   */
  async assistCandidates(args: { category: string; concernedUnitId: string; organisations: readonly string[]; at: Date; exclude?: string[] }): Promise<{ memberId: string; name: string; organisation: string; unitId: string }[]> {
    const rule = this.policy().categories[args.category];
    if (!rule || args.organisations.length === 0) return [];
    const asAssist: CategoryRule = { ...rule, organisations: args.organisations as CategoryRule['organisations'] };
    const concernedPath = new Set(await this.chainFrom(args.concernedUnitId, args.at));
    const fitting = (await this.cadres.active()).filter((a) => assignmentFits(asAssist, a, args.category, concernedPath) && !(args.exclude ?? []).includes(a.memberId));
    const out: { memberId: string; name: string; organisation: string; unitId: string }[] = [];
    for (const step of await this.steps(args.concernedUnitId, args.concernedUnitId, args.at)) {
      const here = (await this.withActiveMembers(fitting.filter((a) => step.includes(a.orgUnitId)))).filter((c) => !out.some((o) => o.memberId === c.member._id));
      const ids = [...new Set(here.map((c) => c.member._id))];
      while (ids.length) {
        const next = await this.leastLoaded(ids);
        ids.splice(ids.indexOf(next), 1);
        const c = here.find((x) => x.member._id === next)!;
        out.push({ memberId: next, name: c.member.displayName ?? next, organisation: c.assignment.organisation, unitId: c.assignment.orgUnitId });
      }
    }
    return out;
  }

  /** The organisations of a cadre's active assignments (the lead's own, for joint handling). */
  async organisationsOf(memberId: string): Promise<string[]> {
    return [...new Set((await this.cadres.active()).filter((a) => a.memberId === memberId).map((a) => a.organisation))];
  }

  /**
   * Active assignments the secretariat may give this concern to by hand: any unit, organisation
   * and categories (the rules found nobody), minus cadres in conflict with the concerned unit
   * when the category has the conflict-of-interest exclusion (member status not checked).
   */
  async placeable(category: string, concernedUnitId: string, at: Date): Promise<CadreAssignmentDoc[]> {
    const rule = this.policy().categories[category];
    if (!rule) return [];
    const concernedPath = new Set(await this.chainFrom(concernedUnitId, at));
    return (await this.cadres.active()).filter((a) => !(rule.conflictExclusion && a.conflictUnitIds.some((u) => concernedPath.has(u))));
  }

  /** Whether this member may still be given this concern by hand (see `placeable`). */
  async stillPlaceable(memberId: string, category: string, concernedUnitId: string, at: Date): Promise<boolean> {
    const mine = (await this.placeable(category, concernedUnitId, at)).filter((a) => a.memberId === memberId);
    return (await this.withActiveMembers(mine)).length > 0;
  }

  /** Whether this member may still handle this concern at this unit. */
  async stillEligible(memberId: string, category: string, concernedUnitId: string, unitId: string, at: Date): Promise<boolean> {
    const mine = (await this.fitting(category, concernedUnitId, at, [])).filter((a) => a.memberId === memberId && a.orgUnitId === unitId);
    return (await this.withActiveMembers(mine)).length > 0;
  }

  /** The member with the fewest open concerns (ties: smallest id, so routing is predictable). */
  async leastLoaded(memberIds: string[]): Promise<string> {
    if (memberIds.length === 1) return memberIds[0]!;
    const open = await this.cm.Concern.find({ assigneeId: { $in: memberIds }, status: { $in: OPEN_STATUSES } }, { assigneeId: 1 }).lean();
    const load = new Map(memberIds.map((m) => [m, 0]));
    for (const c of open) load.set(c.assigneeId!, (load.get(c.assigneeId!) ?? 0) + 1);
    return [...load.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]![0];
  }

  /**
   * Secretariat members of the top unit (any secretariat member if none is placed there). Finding
   * them reads every member (no index serves it on the local FerretDB: 0.4 s at 5,000 members,
   * paid by every flagged concern), so the list is found at most once a minute per process; each
   * one chosen is read again by id, so a role revoked or a member erased since is never told.
   */
  async secretariatOf(topUnitId: string): Promise<string[]> {
    const now = Date.now();
    if (!this.secretariat || now - this.secretariat.at >= SECRETARIAT_LIST_MS) {
      this.secretariat = { at: now, members: this.models.Member.find({ roles: 'secretariat', status: 'active' }, { orgUnitId: 1 }).lean().exec() };
      this.secretariat.members.catch(() => (this.secretariat = undefined));
    }
    const all = await this.secretariat.members;
    const atTop = all.filter((m) => m.orgUnitId === topUnitId);
    const chosen = (atTop.length ? atTop : all).map((m) => m._id);
    const current = await Promise.all(chosen.map((id) => this.models.Member.findById(id, { roles: 1, status: 1 }).lean()));
    return chosen.filter((_, i) => current[i]?.status === 'active' && current[i].roles.includes('secretariat'));
  }

  private secretariat: { at: number; members: Promise<{ _id: string; orgUnitId?: string }[]> } | undefined;
}
