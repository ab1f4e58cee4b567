/**
 * Collective cases on the web console over real HTTP, with cases formed by the service as the chat
 * forms them (three concerns of one category about one enterprise): a zone secretariat member
 * lists the zone's cases only, with counts and filters; a case of another zone, a unit outside
 * the zone, an unknown or malformed id answer 404 (scope refusals audited); a case's page lists its
 * concerns by code, linking to their pages, and its history; no reporter's id or name appears
 * anywhere; hostile text is escaped; without a staff session the sign-in page answers.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
const HOSTILE = '<script>alert(1)</script> {"$gt": ""}';
/** The reporters: their ids and names must never reach a case page. */
const workers = ['Trần Thị Lan Anh', 'Phạm Văn Hải Đăng', 'Vũ Thị Tuyết Mai', 'Đỗ Minh Sơn Tùng', 'Lê Thị Hồng Nhung', 'Ngô Văn Bảo Long', 'Huỳnh Thị Kim Oanh', 'Bùi Văn Quốc Việt', 'Đặng Thị Thu Trang'].map((name, i) => ({ id: `cp-worker-${i}`, name }));
/** Case ids: wages at an enterprise of VSIP (with a lead), overtime at Sóng Thần (resolved), skills at VSIP (no eligible cadre). */
const ids = { wages: '', overtime: '', skills: '' };
const codes: Record<keyof typeof ids, string[]> = { wages: [], overtime: [], skills: [] };

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

/** Three concerns of one category about one enterprise, through the chat's service call: one case. */
async function formCase(kind: keyof typeof ids, unit: string, from: number): Promise<void> {
  for (let i = from; i < from + 3; i++) {
    const r = await app.services.cases.submit({ memberId: workers[i]!.id, category: kind, orgUnitId: unit, description: `Phản ánh số ${i} về ${kind}`, photos: 0, anonymous: i % 3 !== 0, intakeKey: `cp-${i}`, at: app.clock.now() });
    codes[kind].push(r.concern._id);
    if (r.caseId) ids[kind] = r.caseId;
    app.clock.advance(600_000);
  }
}

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  for (const [id, name, unit] of [['cp-vy', 'Chị Vy KCN VSIP', 'vsip1'], ['cp-ngoc', 'Chị Ngọc Sóng Thần', 'kcn-song-than-2']] as const) {
    await addMember(app, { id, name, roles: ['worker', 'secretariat'], orgUnitId: unit });
    await app.models.Member.updateOne({ _id: id }, { $set: { grants: [{ role: 'secretariat', unitId: unit }] } });
  }
  await addMember(app, { id: 'cp-thu', name: 'Chị Thu Thành Đoàn', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'cp-lead', name: 'Anh Tâm Công đoàn', roles: ['worker', 'cadre'] });
  await addMember(app, { id: 'cp-lead-st', name: 'Anh Lực Sóng Thần', roles: ['worker', 'cadre'] });
  await assign(app, { memberId: 'cp-lead', unit: 'vsip1', organisation: 'trade_union' });
  await assign(app, { memberId: 'cp-lead-st', unit: 'kcn-song-than-2', organisation: 'trade_union' });
  for (const [i, w] of workers.entries()) await addMember(app, { id: w.id, name: w.name, orgUnitId: i >= 3 && i < 6 ? 'ent-det-song-than' : i < 3 ? 'ent-hoa-sen' : 'ent-phuc-thinh' });
  await formCase('wages', 'ent-hoa-sen', 0);
  await formCase('overtime', 'ent-det-song-than', 3);
  await formCase('skills', 'ent-phuc-thinh', 6);
  await app.services.cases.leadAction('cp-lead', ids.wages, { kind: 'reply', text: `Công đoàn đã làm việc với công ty về lương tháng 10. ${HOSTILE}` }, app.clock.now(), 'cp-reply');
  await app.services.cases.leadAction('cp-lead-st', ids.overtime, { kind: 'resolve', summary: 'Công ty cam kết tăng ca không quá 2 giờ mỗi ngày.' }, app.clock.now(), 'cp-resolve');
  ({ server, base } = await startWebServer(app));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

beforeEach(async () => {
  const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
  if (keys.length) await app.redis.del(...keys);
});

const rowsOf = (page: string) => [...page.matchAll(/data-case="(VV-[A-Z0-9]{6})"/g)].map((m) => m[1]);
const count = (page: string, kind: string) => Number(new RegExp(`data-count="${kind}">(\\d+)<`).exec(page)?.[1]);

describe('collective cases on the web console', () => {
  it('formed the three cases the tests read (two with a lead, one without)', async () => {
    const cases = await Promise.all(Object.values(ids).map((id) => app.services.cases.get(id)));
    expect(cases.map((c) => [c?.orgUnitId, c?.concernCodes.length, c?.status, !!c?.leadId])).toEqual([
      ['ent-hoa-sen', 3, 'open', true],
      ['ent-det-song-than', 3, 'resolved', true],
      ['ent-phuc-thinh', 3, 'open', false],
    ]);
  });

  it('lists the zone’s cases only, newest first, with counts and filters; a unit outside the zone answers 404, audited', async () => {
    const vy = await signedIn('cp-vy');
    const list = await vy.get('/web/cases');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<a href="/web/cases" aria-current="page">Vụ việc tập thể</a>');
    expect(rowsOf(list.text)).toEqual([ids.skills, ids.wages]);
    expect([count(list.text, 'open'), count(list.text, 'resolved'), count(list.text, 'concerns')]).toEqual([2, 0, 6]);
    expect(list.text).toContain('Anh Tâm Công đoàn');
    expect(list.text).toMatch(new RegExp(`data-case="${ids.skills}"[\\s\\S]*?Chưa có cán bộ chủ trì[\\s\\S]*?</tr>`));
    expect(list.text).toContain('Công ty CP May mặc Hoa Sen');
    expect(list.text).not.toContain('Công ty TNHH Dệt Sóng Thần');

    expect(rowsOf((await vy.get('/web/cases?category=skills')).text)).toEqual([ids.skills]);
    expect(rowsOf((await vy.get('/web/cases?unit=ent-hoa-sen')).text)).toEqual([ids.wages]);
    const resolved = await vy.get('/web/cases?status=resolved');
    expect(rowsOf(resolved.text)).toEqual([]);
    expect(resolved.text).toContain('Chưa có vụ việc tập thể nào phù hợp.');
    // Counts follow category and unit, not status.
    expect(count(resolved.text, 'open')).toBe(2);

    expect((await vy.get('/web/cases?unit=kcn-song-than-2')).status).toBe(404);
    const denied = await app.models.Audit.find({ actor: 'cp-vy', action: 'access.denied' }).lean();
    expect(denied.map((d) => [d.target, (d.details as { attempted?: string }).attempted])).toEqual([['kcn-song-than-2', 'web.cases']]);

    // The city level sees every case.
    const thu = await signedIn('cp-thu');
    const all = await thu.get('/web/cases');
    expect(rowsOf(all.text)).toEqual([ids.skills, ids.overtime, ids.wages]);
    expect([count(all.text, 'open'), count(all.text, 'resolved')]).toEqual([2, 1]);
    expect(rowsOf((await thu.get('/web/cases?status=resolved')).text)).toEqual([ids.overtime]);

    // Without a staff session: the sign-in page, no case.
    const stranger = await new WebClient(base).get('/web/cases');
    expect(stranger.status).toBe(401);
    expect(rowsOf(stranger.text)).toEqual([]);
  });

  it('shows a case’s concerns by code and status, linking to their pages, and its history with the lead’s reply escaped', async () => {
    const vy = await signedIn('cp-vy');
    const one = await vy.get(`/web/cases/${ids.wages}`);
    expect(one.status).toBe(200);
    for (const code of codes.wages) expect(one.text).toContain(`<a href="/web/concerns/${code}"><code>${code}</code></a>`);
    expect(one.text).toContain('Các phản ánh trong vụ việc (3)');
    expect(one.text).toContain('Vụ việc được hình thành');
    expect(one.text).toContain('Anh Tâm Công đoàn trả lời tất cả người phản ánh');
    expect(one.text).not.toContain('<script>alert(1)</script>');
    expect(one.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; {&quot;$gt&quot;: &quot;&quot;}');
    // The linked concern page opens for the same person.
    expect((await vy.get(`/web/concerns/${codes.wages[0]}`)).status).toBe(200);

    const leadless = await vy.get(`/web/cases/${ids.skills}`);
    expect(leadless.status).toBe(200);
    expect(leadless.text).toContain('Chưa tìm được cán bộ phù hợp để chủ trì vụ việc này.');
    expect(leadless.text).toMatch(new RegExp(`data-concern="${codes.skills[0]}"[\\s\\S]*?Chưa có người phụ trách`));

    const thu = await signedIn('cp-thu');
    const resolved = await thu.get(`/web/cases/${ids.overtime}`);
    expect(resolved.text).toContain('data-status="resolved"');
    expect(resolved.text).toContain('Công ty cam kết tăng ca không quá 2 giờ mỗi ngày.');
    expect(resolved.text).toContain('Anh Lực Sóng Thần giải quyết cả vụ việc');
  });

  it('answers 404 for a case of another zone (audited), an unknown id and a malformed one', async () => {
    const ngoc = await signedIn('cp-ngoc');
    const other = await ngoc.get(`/web/cases/${ids.wages}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(codes.wages[0]);
    const denied = await app.models.Audit.find({ actor: 'cp-ngoc', action: 'access.denied' }).lean();
    expect(denied.map((d) => [d.target, (d.details as { attempted?: string }).attempted])).toEqual([['ent-hoa-sen', 'web.case']]);
    expect((await ngoc.get(`/web/cases/${ids.overtime}`)).status).toBe(200);

    for (const bad of ['%7B%22%24gt%22%3A%22%22%7D', 'VV-ABCDEF', ids.wages.toLowerCase(), 'VV-AAAAAI', `${ids.wages}x`, '%3Cscript%3E']) {
      const r = await ngoc.get(`/web/cases/${bad}`);
      expect(r.status, bad).toBe(404);
      expect(r.text).not.toContain('<script>');
    }
    // Only the out-of-scope case was a refusal: unknown and malformed ids are simply not found.
    expect(await app.models.Audit.countDocuments({ actor: 'cp-ngoc', action: 'access.denied' })).toBe(1);

    const hostile = await ngoc.get(`/web/cases?status=${encodeURIComponent(HOSTILE)}&category[$gt]=&unit=`);
    expect(hostile.status).toBe(200);
    expect(hostile.text).not.toContain('<script>alert(1)</script>');
    expect(hostile.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rowsOf(hostile.text)).toEqual([ids.overtime]);
  });

  it('names no reporter anywhere: no worker’s id or name on any case page', async () => {
    const thu = await signedIn('cp-thu');
    const pages = [await thu.get('/web/cases'), ...(await Promise.all(Object.values(ids).map((id) => thu.get(`/web/cases/${id}`))))];
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    for (const p of pages) {
      for (const w of workers) {
        expect(p.text).not.toContain(w.id);
        expect(p.text).not.toContain(w.name);
      }
      // What the reporters wrote stays on each concern's own page.
      expect(p.text).not.toContain('Phản ánh số');
    }
  });
});
