/** `npm run admin -- case-list / case-show` and the report's collective cases, as operators run them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
let caseId = '';
const codes: string[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-tu', name: 'Anh Tâm Công đoàn', roles: ['worker', 'cadre'] });
  await assign(app, { memberId: 'm-tu', unit: 'vsip1', organisation: 'trade_union' });
  for (let i = 0; i < 3; i++) {
    await addMember(app, { id: `m-w${i}`, name: `Công nhân Số ${i}`, orgUnitId: 'ent-hoa-sen' });
    const r = await app.services.cases.submit({ memberId: `m-w${i}`, category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Công ty nợ lương tháng 10', photos: 0, anonymous: true, intakeKey: `cli-${i}`, at: app.clock.now() });
    codes.push(r.concern._id);
    if (r.caseId) caseId = r.caseId;
  }
});
afterAll(async () => app?.close());

const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

describe('npm run admin -- case-list / case-show', () => {
  it('lists cases of a unit’s subtree, or all; an unknown unit is a clear usage error', async () => {
    expect(caseId).toMatch(/^VV-/);
    const all = await admin('case-list');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(caseId);
    expect(all.stdout).toContain('m-tu');
    expect((await admin('case-list', '--unit', 'vsip1')).stdout).toContain(caseId);
    expect((await admin('case-list', '--unit', 'kcn-song-than-2')).stdout).toContain('no collective cases under kcn-song-than-2');
    const bad = await admin('case-list', '--unit', '{"$gt": ""}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no unit');
  });

  it('shows one case by codes, never a reporter; a malformed or unknown id gets a clear answer', async () => {
    const r = await admin('case-show', caseId.toLowerCase());
    expect(r.code).toBe(0);
    for (const code of codes) expect(r.stdout).toContain(code);
    expect(r.stdout).toContain('Anh Tâm Công đoàn');
    expect(r.stdout).not.toMatch(/m-w\d|Công nhân Số/);
    const injected = await admin('case-show', '{"$gt": ""}');
    expect(injected.code).toBe(2);
    expect(injected.stderr).toContain('is not a case id');
    const missing = await admin('case-show', 'VV-222222');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain('no collective case VV-222222');
  });

  it('counts collective cases apart from concerns in concern-report', async () => {
    const r = await admin('concern-report');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('collective cases: 1 (open 1, resolved 0) holding 3 concerns');
  });
});
