/**
 * Who handles a concern: from a unit, walk up its ancestors to the nearest unit with an active
 * cadre of a responsible organisation covering the category, leaving out cadres with a conflict
 * of interest in the concerned unit; among them, the one with the fewest open concerns. When
 * nobody qualifies anywhere, the concern goes to the top unit's secretariat, flagged.
 */
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import type { OrgDirectory } from '../org/org-directory.js';
import type { CadreDirectory } from './cadre-directory.js';
import { OPEN_STATUSES, type CadreAssignmentDoc, type ConcernModels } from './models.js';
import type { ConcernPolicy } from './policy.js';

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

  private async unit(id: string, at: Date): Promise<OrgUnitDoc | undefined> {
    return (await this.org.get(id, at)) ?? (await this.models.OrgUnit.findById(id).lean()) ?? undefined;
  }

  /** Active assignments whose rules fit this category and concerned unit, minus `exclude` (member status not checked). */
  private async fitting(category: string, concernedUnitId: string, at: Date, exclude: string[]): Promise<CadreAssignmentDoc[]> {
    const rule = this.policy().categories[category];
    if (!rule) return [];
    const concernedPath = new Set(await this.chainFrom(concernedUnitId, at));
    return (await this.cadres.active()).filter(
      (a) =>
        rule.organisations.includes(a.organisation) &&
        (a.categories.length === 0 || a.categories.includes(category)) &&
        !(rule.conflictExclusion && a.conflictUnitIds.some((u) => concernedPath.has(u))) &&
        !exclude.includes(a.memberId),
    );
  }

  /** Keeps the assignments whose member is active, reading each member once by id. */
  private async withActiveMembers(assignments: CadreAssignmentDoc[]): Promise<Candidate[]> {
    const ids = [...new Set(assignments.map((a) => a.memberId))];
    const members = new Map<string, MemberDoc>();
    await Promise.all(
      ids.map(async (id) => {
        const m = await this.models.Member.findById(id).lean<MemberDoc>();
        if (m?.status === 'active') members.set(id, m);
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
   * Routes from `fromUnitId` upwards (see the module comment). Only the members of the units
   * looked at are read (by id), nearest unit first; the assignee's record comes back with it.
   */
  async route(args: { category: string; concernedUnitId: string; fromUnitId: string; at: Date; exclude?: string[] }): Promise<RouteResult> {
    const chain = await this.chainFrom(args.fromUnitId, args.at);
    const fitting = await this.fitting(args.category, args.concernedUnitId, args.at, args.exclude ?? []);
    for (const unitId of chain) {
      const here = await this.withActiveMembers(fitting.filter((a) => a.orgUnitId === unitId));
      if (here.length === 0) continue;
      const assigneeId = await this.leastLoaded([...new Set(here.map((c) => c.assignment.memberId))]);
      return { unitId, assigneeId, assignee: here.find((c) => c.member._id === assigneeId)!.member, flagged: false };
    }
    return { unitId: chain[chain.length - 1]!, flagged: true };
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

  /** Secretariat members of the top unit (any secretariat member if none is placed there). */
  async secretariatOf(topUnitId: string): Promise<string[]> {
    const all = await this.models.Member.find({ roles: 'secretariat', status: 'active' }, { orgUnitId: 1 }).lean();
    const atTop = all.filter((m) => m.orgUnitId === topUnitId);
    return (atTop.length ? atTop : all).map((m) => m._id);
  }
}
