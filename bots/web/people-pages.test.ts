/**
 * The people pages over real HTTP, against the real Redis and MongoDB-wire server, with the
 * import worker running (workers/import-jobs.ts): a zone secretariat member imports members with
 * bad rows (line numbers and reasons shown, rows outside the zone rejected and audited, a
 * `{"$gt": ""}` cell escaped and refused), empty and huge files are answered at once, the org tree
 * is the city level's only, forms without CSRF are refused; the cadres page shows the review's
 * load; roles are granted and revoked inside the scope only (outside: 404, audited; above one's
 * own role: refused, audited); someone not signed in as staff is refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

/** Follows an import to its end: the progress page refreshes itself until then, as this loop does. */
async function finished(c: WebClient, location: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const p = await c.get(location);
    expect(p.status).toBe(200);
    if (!p.text.includes('http-equiv="refresh"')) return p.text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the import did not finish');
}

async function startImport(c: WebClient, kind: string, text: string) {
  const form = await c.get('/web/people/import');
  return c.post('/web/people/import', { _csrf: csrfOf(form.text)!, kind, text });
}

const deniedCount = async (actor: string) => app.models.Audit.countDocuments({ actor, action: 'access.denied' });

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'm-lan', name: 'Lan', orgUnitId: 'ent-phuc-thinh' });
  await addMember(app, { id: 'm-ha', name: 'Hà', orgUnitId: 'ent-det-song-than' });
  await addMember(app, { id: 'm-hung', name: 'Anh Hùng', roles: ['worker', 'cadre'], orgUnitId: 'vsip1' });
  await assign(app, { memberId: 'm-hung', unit: 'vsip1', organisation: 'youth_union' });
  ({ server, base } = await startWebServer(app));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('CSV imports on the web console', () => {
  it('a zone secretariat member imports members: good rows written, bad ones listed by line, rows outside the zone rejected and audited', async () => {
    const c = await signedIn('m-vy');
    const csv = [
      'name,roles,org_unit,channel,platform_user_id',
      'Nguyễn Văn An,worker,ent-phuc-thinh,telegram,1001',
      'Sai Kênh,worker,ent-phuc-thinh,fax,1002',
      'Ngoài Vùng,worker,ent-det-song-than,telegram,1003',
      'Muốn Quản Trị,admin,vsip1,telegram,1004',
      '"{""$gt"": """"}",worker,"{""$gt"": """"}",telegram,1005',
      'Trần Thị Bình,worker;cadre,ent-hoa-sen,zalo,z-2001',
    ].join('\n');
    const denied = await deniedCount('m-vy');
    const started = await startImport(c, 'members', csv);
    expect(started.status).toBe(303);
    const location = started.res.headers.get('location')!;
    expect(location).toMatch(/^\/web\/people\/import\/imp-[0-9a-f]{16}\?started=1$/);
    const done = await finished(c, location);
    expect(done).toContain('data-state="completed"');
    expect(done).toMatch(/data-figure="created">2</);
    expect(done).toMatch(/data-figure="rejected">4</);
    for (const line of [3, 4, 5, 6]) expect(done).toContain(`data-line="${line}"`);
    expect(done).not.toContain('data-line="2"');
    expect(done).toContain('Kênh &quot;fax&quot; không có (chỉ dùng: telegram, zalo, console).');
    expect(done).toContain('Đơn vị &quot;ent-det-song-than&quot; không thuộc phạm vi của bạn.');
    expect(done).toContain('Vai trò admin cao hơn vai trò của bạn');
    // The hostile cell is text: escaped on the page, matched as nothing in the database.
    expect(done).toContain('Đơn vị &quot;{&quot;$gt&quot;: &quot;&quot;}&quot; không thuộc phạm vi');
    expect(done).not.toContain('{"$gt"');
    const written = await app.models.ChannelIdentity.find({ _id: { $in: ['telegram:1001', 'telegram:1003', 'telegram:1004', 'telegram:1005', 'zalo:z-2001'] } }).lean();
    expect(written.map((i) => i._id).sort()).toEqual(['telegram:1001', 'zalo:z-2001']);
    expect(await deniedCount('m-vy')).toBe(denied + 1);
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', action: 'members.import' })).toBe(1);
    // The file's text is not kept on the job once it ran.
    const job = await (await import('../../workers/import-jobs.js')).importQueue(app.jobs).getJob(/imp-[0-9a-f]+/.exec(location)![0]);
    expect(job!.data.content).toBe('');

    // Someone else's import is not there for them.
    const thu = await signedIn('m-thu');
    expect((await thu.get(location)).status).toBe(404);
  });

  it('a zone secretariat member cannot rewrite someone held outside the zone by importing their chat', async () => {
    const c = await signedIn('m-vy');
    const done = await finished(c, (await startImport(c, 'members', 'name,roles,org_unit,channel,platform_user_id\nHà Mới,worker,ent-phuc-thinh,console,chat-m-ha\n')).res.headers.get('location')!);
    expect(done).toContain('data-line="2"');
    expect(done).toContain('ngoài phạm vi của bạn');
    expect((await app.models.Member.findById('m-ha').lean())!.orgUnitId).toBe('ent-det-song-than');
  });

  it('cadre assignments: rows at units outside the zone are rejected; the org tree is the city level’s only', async () => {
    const c = await signedIn('m-vy');
    const csv = 'member_id,org_unit,organisation,categories\nm-lan,ent-phuc-thinh,youth_union,\nm-lan,kcn-song-than-2,youth_union,\n';
    const done = await finished(c, (await startImport(c, 'cadres', csv)).res.headers.get('location')!);
    expect(done).toMatch(/data-figure="created">1</);
    expect(done).toContain('data-line="3"');
    expect(await app.services.concerns.cm.CadreAssignment.exists({ _id: 'm-lan:kcn-song-than-2:youth_union' })).toBeNull();

    const form = await c.get('/web/people/import');
    expect(form.text).not.toContain('value="org"');
    const denied = await deniedCount('m-vy');
    expect((await c.post('/web/people/import', { _csrf: csrfOf(form.text)!, kind: 'org', text: 'code,name,kind\nx,X,enterprise\n' })).status).toBe(404);
    expect(await deniedCount('m-vy')).toBe(denied + 1);

    const thu = await signedIn('m-thu');
    const org = await finished(thu, (await startImport(thu, 'org', 'code,name,kind,parent\nent-moi,Công ty Mới,enterprise,vsip1\nent-mo-coi,Mồ Côi,enterprise,khong-co\n')).res.headers.get('location')!);
    expect(org).toMatch(/data-figure="created">1</);
    expect(org).toContain('data-line="3"');
    expect(org).toContain('parent &quot;khong-co&quot; is neither in the file nor in the database');
  });

  it('an empty file, a huge file and a form without the CSRF token are answered at once, and nothing is queued', async () => {
    const c = await signedIn('m-vy');
    const before = await (await import('../../workers/import-jobs.js')).importQueue(app.jobs).count();
    const empty = await startImport(c, 'members', '  \n');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Tệp trống');
    const huge = await startImport(c, 'members', 'name,roles,org_unit,channel,platform_user_id\n' + 'a,worker,vsip1,telegram,1\n'.repeat(45_000));
    expect(huge.status).toBe(413);
    expect(huge.text).toContain('Tệp quá lớn: mỗi lần chỉ nhập được tối đa 1024 KB');
    // Beyond even what the form parser reads: the same answer, from the parser's limit.
    const enormous = await startImport(c, 'members', 'x'.repeat(4 * 1024 * 1024));
    expect(enormous.status).toBe(413);
    expect(enormous.text).toContain('Tệp quá lớn');
    const noCsrf = await c.post('/web/people/import', { kind: 'members', text: 'name,roles,org_unit,channel,platform_user_id\nA,worker,vsip1,telegram,9\n' });
    expect(noCsrf.status).toBe(403);
    expect(await (await import('../../workers/import-jobs.js')).importQueue(app.jobs).count()).toBe(before);
    expect(await app.models.ChannelIdentity.exists({ _id: 'telegram:9' })).toBeNull();
  });
});

describe('cadres and roles on the web console', () => {
  it('the cadres page shows the review of the zone with each cadre’s open load; a unit outside the zone is 404', async () => {
    const c = await signedIn('m-vy');
    const p = await c.get('/web/people/cadres');
    expect(p.status).toBe(200);
    expect(p.text).toContain('data-cadre="m-hung"');
    const review = await app.services.concerns.review.review('vsip1', app.clock.now());
    expect(p.text).toMatch(new RegExp(`data-cadre="m-hung">.*?data-figure="open">${review.cadres.find((x) => x.memberId === 'm-hung')!.stats.open}<`));
    const denied = await deniedCount('m-vy');
    expect((await c.get('/web/people/cadres?unit=kcn-song-than-2')).status).toBe(404);
    expect(await deniedCount('m-vy')).toBe(denied + 1);
  });

  it('roles are granted and revoked inside the scope; outside it is 404 and audited; a role above one’s own is refused', async () => {
    const c = await signedIn('m-vy');
    const found = await c.get(`/web/people/roles?q=${encodeURIComponent('lan')}`);
    expect(found.text).toContain('data-member="m-lan"');
    expect(found.text).not.toContain('data-member="m-ha"');
    expect(found.text).not.toContain('chat-m-lan');
    const hostile = await c.get(`/web/people/roles?q=${encodeURIComponent('{"$gt": ""}')}`);
    expect(hostile.status).toBe(200);
    expect(hostile.text).not.toContain('data-member=');
    expect(hostile.text).toContain('value="{&quot;$gt&quot;: &quot;&quot;}"');

    let denied = await deniedCount('m-vy');
    expect((await c.get('/web/people/roles/m-ha')).status).toBe(404);
    expect(await deniedCount('m-vy')).toBe(++denied);
    const page = await c.get('/web/people/roles/m-lan');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<option value="admin"');
    const csrf = csrfOf(page.text)!;
    expect((await c.post('/web/people/roles/m-ha/grant', { _csrf: csrf, role: 'cadre', unit: 'ent-phuc-thinh' })).status).toBe(404);
    expect(await deniedCount('m-vy')).toBe(++denied);
    expect((await c.post('/web/people/roles/m-lan/grant', { _csrf: csrf, role: 'secretariat', unit: 'kcn-song-than-2' })).status).toBe(404);
    expect(await deniedCount('m-vy')).toBe(++denied);
    const above = await c.post('/web/people/roles/m-lan/grant', { _csrf: csrf, role: 'admin', unit: 'vsip1' });
    expect(above.status).toBe(403);
    expect(above.text).toContain('không thể cấp hoặc thu hồi vai trò cao hơn');
    expect(await deniedCount('m-vy')).toBe(++denied);
    expect((await c.post('/web/people/roles/m-lan/grant', { role: 'secretariat', unit: 'ent-phuc-thinh' })).status).toBe(403);
    // She became a cadre through the assignments import above; nothing else was given.
    expect((await app.models.Member.findById('m-lan').lean())!.roles).toEqual(['worker', 'cadre']);
    expect((await c.post('/web/people/roles/m-lan/revoke', { _csrf: csrf, role: 'worker' })).status).toBe(422);

    const granted = await c.post('/web/people/roles/m-lan/grant', { _csrf: csrf, role: 'secretariat', unit: 'ent-phuc-thinh', organisation: '' });
    expect(granted.status).toBe(303);
    let lan = (await app.models.Member.findById('m-lan').lean())!;
    expect(lan.roles).toContain('secretariat');
    expect(lan.grants).toEqual([{ role: 'secretariat', unitId: 'ent-phuc-thinh' }]);
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', action: 'role.granted', target: 'm-lan' })).toBe(1);
    // She is staff now, and signs in; once revoked, her next request finds her session ended.
    const lanWeb = await signedIn('m-lan');
    expect((await lanWeb.get('/web/people')).status).toBe(200);
    const after = await c.get(granted.res.headers.get('location')!);
    expect(after.text).toContain('Đã cấp vai trò.');
    const revoked = await c.post('/web/people/roles/m-lan/revoke', { _csrf: csrfOf(after.text)!, role: 'secretariat', unit: 'ent-phuc-thinh' });
    expect(revoked.status).toBe(303);
    lan = (await app.models.Member.findById('m-lan').lean())!;
    expect(lan.roles).toEqual(['worker', 'cadre']);
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', action: 'role.revoked', target: 'm-lan' })).toBe(1);
    expect((await lanWeb.get('/web/people')).status).toBe(403);

    // Revoking the cadre role ends her assignments at once, as the CLI's revoke does.
    const cadre = await c.post('/web/people/roles/m-lan/revoke', { _csrf: csrf, role: 'cadre' });
    expect(cadre.status).toBe(200);
    expect(cadre.text).toContain('Đã thu hồi vai trò cán bộ: 1 phân công kết thúc');
    expect((await app.models.Member.findById('m-lan').lean())!.roles).toEqual(['worker']);
    expect(await app.services.concerns.cm.CadreAssignment.countDocuments({ memberId: 'm-lan', active: true })).toBe(0);
  });

  it('someone not signed in as staff is refused every people page', async () => {
    const c = new WebClient(base);
    for (const path of ['/web/people', '/web/people/import', '/web/people/cadres', '/web/people/roles', '/web/people/roles/m-lan']) expect((await c.get(path)).status).toBe(401);
    expect((await c.post('/web/people/roles/m-lan/grant', { role: 'cadre' })).status).toBe(401);
  });
});
