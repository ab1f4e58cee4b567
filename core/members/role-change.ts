/**
 * Granting or revoking one role of one member, as the admin CLI's grant-role and the web console's
 * roles page both do it: the new roles and grants (`applyGrant`), the cadre's assignments ended
 * and their open concerns re-routed when the cadre role goes, the write, and the audit entry.
 * Who may make the change is the caller's question (the CLI is the operator; the web console
 * checks the scope and `mayGrant` first).
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Notice } from '../concerns/notices.js';
import type { MemberDoc, Models, Role, RoleGrant } from '../db.js';
import { applyGrant, type GrantChange } from './role-grants.js';

/** Roles from least to most: a person may grant or revoke only roles up to their own highest. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { worker: 0, cadre: 1, secretariat: 2, admin: 3 };

/** Whether someone holding `roles` may grant or revoke `role` (never one above their own highest). */
export function mayGrant(roles: readonly Role[], role: Role): boolean {
  return roles.some((r) => ROLE_RANK[r] >= ROLE_RANK[role]);
}

/** What a change did. */
export interface RoleChangeResult {
  roles: Role[];
  grants: RoleGrant[];
  /** The cadre role went: assignments ended and concerns re-routed (their notices still to deliver). */
  cadreEnded?: { ended: number; rerouted: number; notices: Notice[] };
}

/**
 * Applies `change` to `member` and records it as `role.granted` / `role.revoked` by `actor`.
 * Revoking the cadre role ends the member's assignments and re-routes their open concerns
 * (a cadre removed must stop receiving concerns at once); the caller delivers the notices.
 */
export async function changeRole(
  d: { models: Models; audit: AuditLog; /** ConcernService.revokeCadreRole (asked for only when the cadre role goes). */ revokeCadreRole: (memberId: string, at: Date) => Promise<{ ended: number; rerouted: number; notices: Notice[] }> },
  member: Pick<MemberDoc, '_id' | 'roles' | 'grants'>,
  change: GrantChange,
  actor: string,
  at: Date,
): Promise<RoleChangeResult> {
  const { roles, grants } = applyGrant(member, change);
  const details = { role: change.role, ...(change.unitId ? { unit: change.unitId } : {}), ...(change.organisation ? { organisation: change.organisation } : {}) };
  if (change.revoke && change.role === 'cadre' && !roles.includes('cadre')) {
    if (grants.length !== (member.grants ?? []).length) await d.models.Member.updateOne({ _id: member._id }, { $set: { grants } });
    const ended = await d.revokeCadreRole(member._id, at);
    await d.audit.record({ actor, action: 'role.revoked', target: member._id, details: { ...details, assignmentsEnded: ended.ended, rerouted: ended.rerouted }, at });
    return { roles, grants, cadreEnded: ended };
  }
  await d.models.Member.updateOne({ _id: member._id }, { $set: { roles, grants } });
  await d.audit.record({ actor, action: change.revoke ? 'role.revoked' : 'role.granted', target: member._id, details, at });
  return { roles, grants };
}
