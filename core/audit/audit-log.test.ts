/** The audit log on the real MongoDB-wire server: one entry per idempotency key, by insert. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { AuditLog } from './audit-log.js';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db?.close());

describe('audit log', () => {
  it('writes each (action, idempotency key) once, also when replays run at the same time, and keeps the first', async () => {
    const audit = new AuditLog(db.models);
    const at = new Date('2026-03-02T03:00:00Z');
    const e = (key: string, actor = 'system') => audit.record({ actor, action: 'concern.test', target: `PA-${key}`, details: { purpose: 'relay' }, idempotencyKey: key, at });
    await e('a');
    await Promise.all([e('a', 'replay'), e('b'), e('b', 'replay'), e('c')]);
    const entries = await db.models.Audit.find({ action: 'concern.test' }).lean();
    expect(entries).toHaveLength(3);
    expect(entries.map((x) => x.target).sort()).toEqual(['PA-a', 'PA-b', 'PA-c']);
    expect(entries.find((x) => x.target === 'PA-a')).toMatchObject({ actor: 'system', details: { purpose: 'relay' }, at });
    // The same key under another action is another entry.
    await audit.record({ actor: 'system', action: 'concern.other', idempotencyKey: 'a', at });
    expect(await db.models.Audit.countDocuments({ action: 'concern.other' })).toBe(1);
  });

  it('writes every entry without a key, and leaves out what was not given', async () => {
    const audit = new AuditLog(db.models);
    const at = new Date('2026-03-02T03:00:00Z');
    await Promise.all([1, 2, 3].map(() => audit.record({ actor: 'admin', action: 'member.viewed', at })));
    const entries = await db.models.Audit.find({ action: 'member.viewed' }).lean();
    expect(entries).toHaveLength(3);
    expect(entries[0]).not.toHaveProperty('target');
    expect(entries[0]).not.toHaveProperty('details');
  });
});
