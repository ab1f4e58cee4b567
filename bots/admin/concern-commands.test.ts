import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { addMember, fastPolicy, waitForMessage } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
let dir: string;
let c2: ConsolePerson;
let c3: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp();
  app.services.concerns.policy = fastPolicy();
  await insertSampleUnits(app.models);
  dir = await mkdtemp(join(tmpdir(), 'dh-cadres-'));
  await addMember(app, { id: 'c1', name: 'Cán bộ Một' });
  c2 = await addMember(app, { id: 'c2', name: 'Cán bộ Hai' });
  await addMember(app, { id: 'w1', orgUnitId: 'ent-hoa-sen' });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI as operators do, against this file's own database. */
const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

describe('npm run admin -- import-cadres / concern-report', () => {
  it('imports assignments, rejects bad rows with their line, and grants the cadre role', async () => {
    const file = join(dir, 'cadres.csv');
    await writeFile(
      file,
      '\uFEFFmember_id,org_unit,organisation,categories,conflict_units,active\n' +
        'c1,vsip1,trade_union,wages;overtime,ent-phuc-thinh,true\n' +
        'c2,vsip1,trade_union,wages,,true\n' +
        'c2,vsip1,police,wages,,true\n' +
        'ghost,vsip1,trade_union,,,true\n' +
        'c1,vsip1,youth_union,weather,,true\n',
    );
    const r = await admin('import-cadres', file);
    expect(r.stdout).toBe('created 2, updated 0, ended 0, concerns re-routed 0, rejected 3\n');
    expect(r.stderr).toContain('[####################] 3/3 rows'); // the progress bar over the rows that parsed
    expect(r.stderr).toContain('line 4: organisation "police" is not one of');
    expect(r.stderr).toContain('line 5: no active member ghost');
    expect(r.stderr).toContain('line 6: unknown categories weather');
    expect(r.code).toBe(1);
    expect(await app.services.concerns.cm.CadreAssignment.findById('c1:vsip1:trade_union').lean()).toMatchObject({ categories: ['wages', 'overtime'], conflictUnitIds: ['ent-phuc-thinh'], active: true });
    expect((await app.models.Member.findById('c1').lean())!.roles).toContain('cadre');
  });

  it('ending an assignment re-routes the open concerns and tells the new cadre', async () => {
    const { concern } = await app.services.concerns.submit({ memberId: 'w1', category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Nợ lương tháng 10', photos: 0, anonymous: true, intakeKey: 'cli-1', at: app.clock.now() });
    expect(concern.assigneeId).toBe('c1');
    const file = join(dir, 'leave.csv');
    await writeFile(file, 'member_id,org_unit,organisation,active\nc1,vsip1,trade_union,false\n');
    const r = await admin('import-cadres', file);
    expect(r).toMatchObject({ code: 0, stdout: 'created 0, updated 0, ended 1, concerns re-routed 1, rejected 0\n' });
    expect((await app.services.concerns.get(concern._id))!.assigneeId).toBe('c2');
    await waitForMessage(c2, (m) => m.text.includes(concern._id) && m.text.includes('thôi nhiệm vụ'));
  });

  it('prints the report and writes it as CSV', async () => {
    const out = join(dir, 'report.csv');
    const r = await admin('concern-report', '--csv', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wages');
    const csv = await readFile(out, 'utf8');
    // For Excel: UTF-8 with a BOM, CRLF lines (core/csv-writer.ts).
    expect(csv.split('\r\n')[0]).toBe('\uFEFFcategory,org_unit,level,open,resolved,flagged,sla_met,sla_total,sla_hit_rate,median_first_response_min,median_resolution_min');
    expect(csv).toContain('wages,ent-hoa-sen,0,1,0,0,0,0,,,');
    expect(csv).toContain('*,*,*,1,0,0,0,0,,,');
    expect((await admin('concern-report', '--pdf')).code).toBe(2);
  });

  it("takes a member's chat (<channel>:<platform user id>) in member_id, as grant-role does", async () => {
    const file = join(dir, 'by-chat.csv');
    await writeFile(file, 'member_id,org_unit,organisation\nconsole:chat-c1,vsip1,youth_union\ntelegram:404,vsip1,youth_union\n');
    const r = await admin('import-cadres', file);
    expect(r.stdout).toBe('created 1, updated 0, ended 0, concerns re-routed 0, rejected 1\n');
    expect(r.stderr).toContain('line 3: no active member telegram:404');
    expect(await app.services.concerns.cm.CadreAssignment.findById('c1:vsip1:youth_union').lean()).toMatchObject({ memberId: 'c1', active: true });
  });

  it('imports, with a warning, an assignment that routing can never reach', async () => {
    c3 = await addMember(app, { id: 'c3', name: 'Cán bộ Ba' });
    await app.models.OrgUnit.insertMany([
      // Beside the enterprises, not above them: no concern is ever routed here.
      { _id: 'congdoan-kcn-vsip1', name: 'Công đoàn KCN VSIP I', kind: 'trade_union', organisation: 'trade_union', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: [] },
      // The company's own union: reached before the zone.
      { _id: 'congdoan-hoa-sen', name: 'Công đoàn cơ sở Công ty CP May mặc Hoa Sen', kind: 'trade_union', organisation: 'trade_union', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
    ]);
    const file = join(dir, 'reach.csv');
    await writeFile(file, 'member_id,org_unit,organisation,categories\nc3,congdoan-kcn-vsip1,trade_union,\nc3,congdoan-hoa-sen,trade_union,\nc3,vsip1,youth_federation,wages\n');
    const r = await admin('import-cadres', file);
    expect(r).toMatchObject({ code: 0, stdout: 'created 3, updated 0, ended 0, concerns re-routed 0, rejected 0\n' });
    expect(r.stderr).toContain('line 2: warning: org unit congdoan-kcn-vsip1 is not a workplace, nor under one, nor above one');
    expect(r.stderr).toContain('line 4: warning: youth_federation is not responsible for wages');
    expect(r.stderr).not.toContain('line 3:');
  });

  it('revoking the cadre role ends the assignments and hands the open concerns to another cadre at once', async () => {
    const open = (await app.services.concerns.cm.Concern.findOne({ intakeKey: 'cli-1' }).lean())!;
    expect(open.assigneeId).toBe('c2');
    const r = await admin('grant-role', 'c2', 'cadre', '--revoke');
    expect(r).toMatchObject({ code: 0, stdout: 'c2: roles worker; assignments ended 1, concerns re-routed 1\n' });
    expect(await app.services.concerns.cm.CadreAssignment.findById('c2:vsip1:trade_union').lean()).toMatchObject({ active: false });
    // Hoa Sen's own union comes before the zone.
    expect(await app.services.concerns.get(open._id)).toMatchObject({ assigneeId: 'c3', levelUnitId: 'congdoan-hoa-sen' });
    await waitForMessage(c3, (m) => m.text.includes(open._id) && m.text.includes('thôi nhiệm vụ'));
    expect(await app.models.Audit.findOne({ action: 'role.revoked', target: 'c2' }).lean()).toMatchObject({ details: { role: 'cadre', assignmentsEnded: 1, rerouted: 1 } });
  });

  it('a member import that leaves out the cadre role ends that cadre\'s assignments too', async () => {
    const file = join(dir, 'members.csv');
    await writeFile(file, 'name,roles,org_unit,channel,platform_user_id\nCán bộ Một,worker,hcm,console,chat-c1\n');
    const r = await admin('import-members', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cadre role removed from 1: assignments ended 1, concerns re-routed 0');
    expect(await app.services.concerns.cm.CadreAssignment.findById('c1:vsip1:youth_union').lean()).toMatchObject({ active: false });
  });
});
