/**
 * The one check of who may act where: a role held through grants reaches the subtrees of the
 * granted units; a grant at a root unit (the city level) reaches the whole tree. Chat, the admin
 * CLI and the web console all ask here, and every refusal is audited as `access.denied`.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc, Role, RoleGrant } from '../db.js';
import type { OrgDirectory } from '../org/org-directory.js';

/** Who asks: a member, or the part of one the check needs. */
export type Grantee = Pick<MemberDoc, '_id' | 'roles'> & { grants?: readonly RoleGrant[] };

/** Stands for the whole tree in a scope: a role held without any grant (as before grants existed). */
export const WHOLE_TREE = '*';

/** The staff roles that act for the secretariat (broadcasts, flagged concerns, results). */
export const STAFF_ROLES: readonly Role[] = ['secretariat', 'admin'];

/** What a scope resolves to against the org tree. */
export interface ResolvedScope {
  /** True at the city level: no unit is outside. */
  whole: boolean;
  /** The granted units (their subtrees are in scope). */
  units: string[];
  /** Every unit in scope (granted units and all under them, ended ones too); undefined when whole. */
  unitIds?: string[];
  /** Whether a unit lies in scope (unknown units do not, unless the scope is whole). */
  has(unitId: string | undefined): boolean;
}

/**
 * The unit ids (subtrees) a member may act on with `role`: those of its grants, or WHOLE_TREE for
 * a role held without any grant of it (migrated to the root at start-up; see role-grants.ts).
 * Empty when the role is not held: `roles` decides whether a role is held, grants only where.
 */
export function scopeOf(member: Grantee, role: Role): string[] {
  if (!member.roles.includes(role)) return [];
  const units = (member.grants ?? []).filter((g) => g.role === role).map((g) => g.unitId);
  return units.length ? [...new Set(units)] : [WHOLE_TREE];
}

export class AccessScope {
  constructor(private readonly org: OrgDirectory, private readonly audit: AuditLog) {}

  /** The scope of one or several roles together (any of them may act), resolved against the tree at `now`. */
  async resolve(member: Grantee, role: Role | readonly Role[], now: Date): Promise<ResolvedScope> {
    const roles: readonly Role[] = typeof role === 'string' ? [role] : role;
    const units = [...new Set(roles.flatMap((r) => scopeOf(member, r)))];
    const granted = units.filter((u) => u !== WHOLE_TREE);
    const found = await Promise.all(granted.map((u) => this.org.get(u, now)));
    // A grant at a root unit is the city level; a grant at a unit no longer in the tree reaches nothing.
    const whole = units.includes(WHOLE_TREE) || found.some((u) => u !== undefined && !u.parentId);
    const inside = whole ? new Set<string>() : new Set(await this.org.idsUnder(granted, now));
    return { whole, units: granted, unitIds: whole ? undefined : [...inside], has: (unitId) => whole || (unitId !== undefined && inside.has(unitId)) };
  }

  /**
   * Whether the member may act with `role` (one of them, given several) on `unitId` and what lies
   * under it; `unitId` undefined means the whole tree ("everyone"), which needs the city level.
   * A refusal is audited with the actor, the role, the unit and the attempted action.
   */
  async allows(member: Grantee, role: Role | readonly Role[], unitId: string | undefined, now: Date, action: string): Promise<boolean> {
    const scope = await this.resolve(member, role, now);
    if (scope.has(unitId)) return true;
    await this.audit.record({ actor: member._id, action: 'access.denied', target: unitId ?? WHOLE_TREE, details: { role, unit: unitId ?? WHOLE_TREE, attempted: action }, at: now });
    return false;
  }
}
