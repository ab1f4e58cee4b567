/** Roles held at units: the start-up migration of global roles, the grant changes, and the one scope check. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc } from '../db.js';
import { OrgDirectory } from '../org/org-directory.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { startTestApp } from '../../test/support/test-app.js';
import { AccessScope, scopeOf, STAFF_ROLES, WHOLE_TREE } from './access-scope.js';
import { applyGrant, migrateGlobalRoles } from './role-grants.js';

const now = new Date('2026-11-27T03:00:00Z');
let db: TestDb;
let access: AccessScope;

const member = (_id: string, roles: MemberDoc['roles'], grants?: MemberDoc['grants']): MemberDoc => ({
  _id, roles, ...(grants ? { grants } : {}), locale: 'vi', status: 'active', broadcastsOptOut: false, createdAt: now,
});

beforeAll(async () => {
  db = await openTestDb();
  await insertSampleUnits(db.models);
  access = new AccessScope(new OrgDirectory(db.models), new AuditLog(db.models));
});
afterAll(async () => db?.close());

describe('migration of global roles', () => {
  it('turns a global secretariat or admin role into a grant at the root unit, once', async () => {
    await db.models.Member.create([
      member('mg-sec', ['worker', 'secretariat']),
      member('mg-admin', ['admin']),
      member('mg-ward', ['secretariat'], [{ role: 'secretariat', unitId: 'vsip1' }]),
      member('mg-worker', ['worker']),
    ]);
    expect(await migrateGlobalRoles(db.models, new AuditLog(db.models), now)).toBe(2);
    const grantsOf = async (id: string) => (await db.models.Member.findById(id).lean())!.grants;
    expect(await grantsOf('mg-sec')).toEqual([{ role: 'secretariat', unitId: 'hcm' }]);
    expect(await grantsOf('mg-admin')).toEqual([{ role: 'admin', unitId: 'hcm' }]);
    // A role already held at a unit stays there; a worker needs no unit.
    expect(await grantsOf('mg-ward')).toEqual([{ role: 'secretariat', unitId: 'vsip1' }]);
    expect(await grantsOf('mg-worker')).toBeUndefined();
    // Run again (every start-up): nothing changes, nothing more is audited.
    expect(await migrateGlobalRoles(db.models, new AuditLog(db.models), now)).toBe(0);
    expect(await grantsOf('mg-sec')).toEqual([{ role: 'secretariat', unitId: 'hcm' }]);
    expect(await db.models.Audit.countDocuments({ action: 'role.migrated' })).toBe(2);
  });
});

describe('migration at start-up', () => {
  it('runs when the app starts', async () => {
    const other = await openTestDb();
    await insertSampleUnits(other.models);
    await other.models.Member.create(member('mg-start', ['worker', 'secretariat']));
    await other.conn.close();
    const app = await startTestApp({ MONGODB_DB: other.dbName });
    try {
      expect((await app.models.Member.findById('mg-start').lean())!.grants).toEqual([{ role: 'secretariat', unitId: 'hcm' }]);
    } finally {
      await app.close();
    }
  });
});

describe('grant changes', () => {
  it('keeps roles as the set of roles held', () => {
    const m = member('x', ['worker']);
    const a = applyGrant(m, { role: 'secretariat', unitId: 'vsip1' });
    expect(a).toEqual({ roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'vsip1' }] });
    const b = applyGrant({ ...m, ...a }, { role: 'secretariat', unitId: 'kcn-song-than-2', organisation: 'youth_union' });
    expect(b.grants).toHaveLength(2);
    // Revoking one unit keeps the role while another grant of it remains; revoking the last drops it.
    const c = applyGrant({ ...m, ...b }, { role: 'secretariat', unitId: 'vsip1', revoke: true });
    expect(c).toEqual({ roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'kcn-song-than-2', organisation: 'youth_union' }] });
    expect(applyGrant({ ...m, ...c }, { role: 'secretariat', revoke: true })).toEqual({ roles: ['worker'], grants: [] });
  });
});

describe('the scope check', () => {
  const ward = member('m-vsip', ['worker', 'secretariat'], [{ role: 'secretariat', unitId: 'vsip1' }]);
  const city = member('m-city', ['secretariat'], [{ role: 'secretariat', unitId: 'hcm' }]);

  it('names the granted units, the whole tree for a role held without grants, nothing for a role not held', () => {
    expect(scopeOf(ward, 'secretariat')).toEqual(['vsip1']);
    expect(scopeOf(member('legacy', ['secretariat']), 'secretariat')).toEqual([WHOLE_TREE]);
    expect(scopeOf(ward, 'admin')).toEqual([]);
    // Grants of a role no longer held reach nothing: roles decide whether, grants where.
    expect(scopeOf(member('revoked', ['worker'], [{ role: 'secretariat', unitId: 'hcm' }]), 'secretariat')).toEqual([]);
  });

  it('allows the subtree, refuses outside it and everyone, and audits each refusal', async () => {
    expect(await access.allows(ward, 'secretariat', 'vsip1', now, 'test')).toBe(true);
    expect(await access.allows(ward, 'secretariat', 'ent-phuc-thinh', now, 'test')).toBe(true);
    expect(await access.allows(ward, STAFF_ROLES, 'ent-det-song-than', now, 'create a broadcast')).toBe(false);
    expect(await access.allows(ward, 'secretariat', 'hcm', now, 'test')).toBe(false);
    expect(await access.allows(ward, 'secretariat', undefined, now, 'broadcast to everyone')).toBe(false);
    expect(await access.allows(ward, 'admin', 'vsip1', now, 'test')).toBe(false);
    const denied = await db.models.Audit.find({ action: 'access.denied', actor: 'm-vsip' }).lean();
    expect(denied).toHaveLength(4);
    expect(denied.map((d) => d.details)).toContainEqual({ role: STAFF_ROLES, unit: 'ent-det-song-than', attempted: 'create a broadcast' });
    expect(denied.map((d) => d.details)).toContainEqual({ role: 'secretariat', unit: WHOLE_TREE, attempted: 'broadcast to everyone' });
  });

  it('gives the city level (a grant at the root) the whole tree', async () => {
    for (const unit of ['hcm', 'vsip1', 'ent-det-song-than', undefined]) expect(await access.allows(city, 'secretariat', unit, now, 'test')).toBe(true);
    const scope = await access.resolve(city, 'secretariat', now);
    expect(scope.whole).toBe(true);
    const wardScope = await access.resolve(ward, 'secretariat', now);
    expect(wardScope.whole).toBe(false);
    expect(wardScope.unitIds?.sort()).toEqual(['ent-hoa-sen', 'ent-phuc-thinh', 'vsip1']);
    expect(await db.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-city' })).toBe(0);
  });
});
