/** Reading the audit log on the real MongoDB-wire server: filters as plain strings, newest first, pages. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { AuditLog } from './audit-log.js';
import { AuditReader, IDENTITY_VIEW_ACTIONS, isIdentityView } from './audit-reader.js';

let db: TestDb;
let reader: AuditReader;

beforeAll(async () => {
  db = await openTestDb();
  reader = new AuditReader(db.models);
  const audit = new AuditLog(db.models);
  const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 0, m));
  await audit.record({ actor: 'm-a', action: 'concern.accepted', target: 'PA-1', at: at(1) });
  await audit.record({ actor: 'm-a', action: 'concern.reporter.viewed', target: 'PA-1', at: at(2) });
  await audit.record({ actor: 'm-b', action: 'concernXreporter', target: 'PA-2', at: at(3) });
  await audit.record({ actor: '{"$gt": ""}', action: 'test.hostile', target: '', at: at(4) });
  for (let i = 0; i < 7; i++) await audit.record({ actor: 'system', action: 'bulk', at: at(10 + i) });
});
afterAll(async () => db?.close());

describe('audit reader', () => {
  it('matches actor, target and action as plain strings, and an action prefix with a trailing *', async () => {
    const actions = async (f: Parameters<AuditReader['page']>[0]) => (await reader.page(f, 1, 50)).entries.map((e) => e.action);
    expect(await actions({ actor: 'm-a' })).toEqual(['concern.reporter.viewed', 'concern.accepted']);
    expect(await actions({ target: 'PA-2' })).toEqual(['concernXreporter']);
    // "." in a prefix is a dot, not any character.
    expect(await actions({ action: 'concern.*' })).toEqual(['concern.reporter.viewed', 'concern.accepted']);
    expect(await actions({ action: 'concern.' })).toEqual([]);
    expect(await actions({ actor: '{"$gt": ""}' })).toEqual(['test.hostile']);
    expect(await actions({ actor: '.*' })).toEqual([]);
    expect(await actions({ from: new Date(Date.UTC(2026, 10, 20, 0, 2)), until: new Date(Date.UTC(2026, 10, 20, 0, 4)), actor: 'm-a' })).toEqual(['concern.reporter.viewed']);
  });

  it('pages newest first and says whether there is more', async () => {
    const p1 = await reader.page({ action: 'bulk' }, 1, 3);
    const p3 = await reader.page({ action: 'bulk' }, 3, 3);
    expect(p1.entries.map((e) => e.at.getUTCMinutes())).toEqual([16, 15, 14]);
    expect(p1.hasNext).toBe(true);
    expect(p3.entries.map((e) => e.at.getUTCMinutes())).toEqual([10]);
    expect(p3.hasNext).toBe(false);
    expect(await reader.all({ action: 'bulk' }, 5)).toMatchObject({ truncated: true });
    expect((await reader.all({ action: 'bulk' }, 7)).truncated).toBe(false);
  });

  it('knows the identity-view actions by the names the reporter vault writes', () => {
    const vault = readFileSync(new URL('../concerns/reporter-vault.ts', import.meta.url), 'utf8');
    for (const action of IDENTITY_VIEW_ACTIONS) expect(vault).toContain(`action: '${action}'`);
    expect(isIdentityView('concern.reporter.viewed')).toBe(true);
    expect(isIdentityView('concern.accepted')).toBe(false);
  });
});
