/**
 * Roles as grants: a role held at an org unit (its subtree), optionally for one organisation.
 * `MemberDoc.roles` stays the set of roles held, because flows and the engine check roles; the
 * grants say where. Who may act where is decided in access-scope.ts.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc, Models, Role, RoleGrant } from '../db.js';
import { isInEffect } from '../org/org-directory.js';

/** Roles that are held at a unit. A worker belongs to their own unit; a cadre's reach is their assignments. */
export const SCOPED_ROLES: readonly Role[] = ['secretariat', 'admin'];

/** Whether a role must name a unit when granted. */
export function isScopedRole(role: Role): boolean {
  return SCOPED_ROLES.includes(role);
}

const sameGrant = (a: RoleGrant, b: RoleGrant) => a.role === b.role && a.unitId === b.unitId && (a.organisation ?? '') === (b.organisation ?? '');

/** A change to one member's roles: grant (or revoke) `role`, at `unitId` when given, for `organisation` when given. */
export interface GrantChange {
  role: Role;
  unitId?: string;
  organisation?: RoleGrant['organisation'];
  revoke?: boolean;
}

/**
 * The member's roles and grants after a change. Granting with a unit adds that grant; revoking
 * with a unit removes the grants of the role there (of that organisation, when given), without
 * one every grant of the role. The role stays held while a grant of it remains; a role without
 * grants (worker, cadre) is held or not as asked.
 */
export function applyGrant(member: Pick<MemberDoc, 'roles' | 'grants'>, change: GrantChange): { roles: Role[]; grants: RoleGrant[] } {
  let grants = [...(member.grants ?? [])];
  const { role, unitId, organisation } = change;
  if (!change.revoke) {
    if (unitId) {
      const g: RoleGrant = { role, unitId, ...(organisation ? { organisation } : {}) };
      if (!grants.some((x) => sameGrant(x, g))) grants.push(g);
    }
    return { roles: [...new Set([...member.roles, role])], grants };
  }
  grants = grants.filter((g) => g.role !== role || (unitId !== undefined && g.unitId !== unitId) || (organisation !== undefined && g.organisation !== organisation));
  const still = grants.some((g) => g.role === role);
  return { roles: still ? [...member.roles] : member.roles.filter((r) => r !== role), grants };
}

/** The root units of the org tree in effect at `at`: where the city level is granted. */
export async function rootUnitIds(models: Models, at: Date): Promise<string[]> {
  const roots = await models.OrgUnit.find({ $or: [{ parentId: { $exists: false } }, { parentId: null }] }).lean();
  return roots.filter((u) => isInEffect(u, at)).map((u) => u._id);
}

/**
 * Start-up migration: a secretariat or admin role held without any grant of it (the global flag
 * of before) becomes a grant at the root unit. Idempotent: a role with a grant is left alone.
 * Without an org tree nothing is written (such a role still counts as the whole tree, see
 * access-scope.ts) and the next start-up tries again. Returns the members changed.
 */
export async function migrateGlobalRoles(models: Models, audit: AuditLog, at: Date): Promise<number> {
  const members = await models.Member.find({ status: 'active', roles: { $in: [...SCOPED_ROLES] } }, { roles: 1, grants: 1 }).lean<Pick<MemberDoc, '_id' | 'roles' | 'grants'>[]>();
  const pending = members.filter((m) => SCOPED_ROLES.some((r) => m.roles.includes(r) && !(m.grants ?? []).some((g) => g.role === r)));
  if (pending.length === 0) return 0;
  const roots = await rootUnitIds(models, at);
  if (roots.length !== 1) return 0; // no tree yet, or several: an operator grants with --unit
  const root = roots[0]!;
  for (const m of pending) {
    const added = SCOPED_ROLES.filter((r) => m.roles.includes(r) && !(m.grants ?? []).some((g) => g.role === r)).map((role): RoleGrant => ({ role, unitId: root }));
    await models.Member.updateOne({ _id: m._id }, { $set: { grants: [...(m.grants ?? []), ...added] } });
    await audit.record({ actor: 'system', action: 'role.migrated', target: m._id, details: { grants: added }, idempotencyKey: `role-migration:${m._id}:${added.map((g) => g.role).join(',')}`, at });
  }
  return pending.length;
}
