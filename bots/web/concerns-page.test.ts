/**
 * The concerns pages over real HTTP, against the real Redis and MongoDB-wire server: the list
 * scoped to the person's units (a zone sees its zone; a concern or unit outside → 404 and
 * access.denied), every filter, hostile filter values, a concern's page without its anonymous
 * reporter (the whole response scanned for their id, name, phone and chat), a named reporter
 * shown only after the audited POST with the CSRF token, assigning a flagged concern as in chat,
 * and the CSV export. The clock is the test's: ages and deadlines are fixed.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
let tuyet: ConsolePerson;
/** The concerns, by role in the test. */
const code = { anonVsip: '', namedFlagged: '', anonSongThan: '', resolvedL2: '' };

/** Who raised the anonymous concerns: none of this may reach a page or an export. */
const LAN = { id: 'm-lan-7731', name: 'Phạm Thị Lan', phone: '0912345678', chat: 'zl-84912345678' };
const AN = { id: 'm-an-5520', name: 'Đỗ Văn An', phone: '0987654321', chat: 'zl-84987654321' };
const MAI = { id: 'm-mai-4410', name: 'Lê Thị Mai', chat: 'zl-84933333333' };
const HOSTILE = '<script>alert(1)</script> {"$gt": ""}';

const rowsOf = (page: string) => [...page.matchAll(/<td data-label="[^"]*"><a href="\/web\/concerns\/(PA-[0-9A-Z]+)">/g)].map((m) => m[1]);

function expectNoReporter(text: string): void {
  for (const secret of [LAN.id, LAN.name, LAN.phone, LAN.chat, AN.id, AN.name, AN.phone, AN.chat, 'Lan', 'An ']) expect(text).not.toContain(secret);
}

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy(3600, 7200) });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: LAN.id, name: `${LAN.name} (${LAN.phone})`, orgUnitId: 'ent-phuc-thinh', chatId: LAN.chat });
  await addMember(app, { id: AN.id, name: `${AN.name} ${AN.phone}`, orgUnitId: 'ent-phuc-thinh', chatId: AN.chat });
  await addMember(app, { id: MAI.id, name: MAI.name, orgUnitId: 'ent-hoa-sen', chatId: MAI.chat });
  await addMember(app, { id: 'm-hung', name: 'Anh Trần Văn Hùng', roles: ['worker', 'cadre'], chatId: 'c-hung' });
  tuyet = await addMember(app, { id: 'm-tuyet', name: 'Chị Võ Thị Tuyết', roles: ['worker', 'cadre'], chatId: 'c-tuyet' });
  // Wages only: Hùng at Phúc Thịnh, Tuyết at the zone. Overtime and Sóng Thần have nobody → flagged.
  await assign(app, { memberId: 'm-hung', unit: 'ent-phuc-thinh', organisation: 'trade_union', categories: ['wages'] });
  await assign(app, { memberId: 'm-tuyet', unit: 'vsip1', organisation: 'trade_union', categories: ['wages'] });

  const concerns = app.services.concerns;
  const t0 = app.clock.now(); // 09:00 25/11/2026 in Vietnam
  const submit = async (memberId: string, o: { category: string; unit: string; anonymous: boolean; text: string; minutes: number }) =>
    (await concerns.submit({ memberId, category: o.category, orgUnitId: o.unit, description: o.text, photos: 0, anonymous: o.anonymous, intakeKey: `web-${o.minutes}`, at: new Date(t0.getTime() + o.minutes * 60_000) })).concern;
  // Intake never before the clock: move it to each concern's time first.
  const at = (minutes: number) => {
    app.clock.advance(t0.getTime() + minutes * 60_000 - app.clock.now().getTime());
    return app.clock.now();
  };
  at(0);
  code.anonVsip = (await submit(LAN.id, { category: 'wages', unit: 'ent-phuc-thinh', anonymous: true, text: `Công ty nợ lương hai tháng. ${HOSTILE}`, minutes: 0 }))._id;
  at(10);
  code.namedFlagged = (await submit(MAI.id, { category: 'overtime', unit: 'ent-hoa-sen', anonymous: false, text: 'Tăng ca quá 40 giờ mỗi tháng', minutes: 10 }))._id;
  at(20);
  code.anonSongThan = (await submit(LAN.id, { category: 'wages', unit: 'ent-det-song-than', anonymous: true, text: 'Chậm lương ở Sóng Thần', minutes: 20 }))._id;
  at(30);
  code.resolvedL2 = (await submit(AN.id, { category: 'wages', unit: 'ent-phuc-thinh', anonymous: true, text: 'Trả thiếu tiền phụ cấp', minutes: 30 }))._id;
  // Hùng has Lan's first concern and An's; he escalates An's, Tuyết (the zone) accepts, replies and resolves it.
  await concerns.act('m-hung', code.resolvedL2, { kind: 'accept' }, at(35), 'k1');
  await concerns.act('m-hung', code.resolvedL2, { kind: 'escalate' }, at(40), 'k2');
  await concerns.act('m-tuyet', code.resolvedL2, { kind: 'reply', text: 'Đã làm việc với phòng nhân sự.' }, at(45), 'k3');
  await concerns.act('m-tuyet', code.resolvedL2, { kind: 'resolve', summary: 'Công ty đã trả đủ phụ cấp tháng 10.' }, at(50), 'k4');
  // 10:30: the first-response deadlines (an hour) of the three others have passed.
  at(90);
  ({ server, base } = await startWebServer(app));
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});
// Each sign-in counts two attempts of 127.0.0.1 (20 per 10 minutes): every test starts with a clean count.
beforeEach(async () => {
  const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
  if (keys.length) await app.redis.del(...keys);
});

describe('the concerns list', () => {
  it('shows the city level every concern, newest first, with category, unit, level, status, age and deadline', async () => {
    const c = await signedIn('m-thu');
    const home = await c.get('/web');
    expect(home.text).toContain('<a href="/web/concerns">Phản ánh</a>');
    const { status, text } = await c.get('/web/concerns');
    expect(status).toBe(200);
    expect(text).toContain('aria-current="page">Phản ánh</a>');
    expect(rowsOf(text)).toEqual([code.resolvedL2, code.anonSongThan, code.namedFlagged, code.anonVsip]);
    const first = text.slice(text.indexOf(`/web/concerns/${code.anonVsip}"`));
    const row = first.slice(0, first.indexOf('</tr>'));
    expect(row).toContain('Tiền lương, nợ/chậm lương');
    expect(row).toContain('Công ty TNHH Giày da Phúc Thịnh');
    expect(row).toContain('Cấp 1');
    expect(row).toContain('Mới tiếp nhận');
    expect(row).toContain('1 giờ trước');
    expect(row).toContain('Quá hạn phản hồi (hạn 10:00 25/11/2026)');
    const resolved = text.slice(text.indexOf(`/web/concerns/${code.resolvedL2}"`));
    expect(resolved.slice(0, resolved.indexOf('</tr>'))).toMatch(/Cấp 2[\s\S]*Đã giải quyết[\s\S]*Đúng hạn/);
    expect(text).toMatch(new RegExp(`<tr class="flagged overdue">\\s*<td data-label="Mã"><a href="/web/concerns/${code.namedFlagged}">`));
    expect(text).not.toContain('<script');
    expectNoReporter(text);
  });

  it('shows a zone secretariat only the concerns about its zone; a unit outside is 404 and audited', async () => {
    const c = await signedIn('m-vy');
    const { text } = await c.get('/web/concerns');
    expect(rowsOf(text)).toEqual([code.resolvedL2, code.namedFlagged, code.anonVsip]);
    // The unit filter offers the zone and what is under it, nothing else.
    expect(text).toContain('<option value="vsip1">KCN VSIP I</option>');
    expect(text).toContain('value="ent-hoa-sen"');
    expect(text).not.toContain('value="kcn-song-than-2"');
    expect(text).not.toContain('value="hcm"');
    const outside = await c.get('/web/concerns?unit=kcn-song-than-2');
    expect(outside.status).toBe(404);
    expect((await c.get('/web/concerns.csv?unit=hcm')).status).toBe(404);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', 'details.attempted': { $in: ['web.concerns', 'web.concerns.export'] } })).toBe(2);
    // Within the zone, a unit narrows the list.
    expect(rowsOf((await c.get('/web/concerns?unit=ent-hoa-sen')).text)).toEqual([code.namedFlagged]);
  });

  it('filters by status, category, unit, level, flagged and overdue', async () => {
    const c = await signedIn('m-thu');
    const rows = async (q: string) => rowsOf((await c.get(`/web/concerns?${q}`)).text);
    expect(await rows('status=resolved')).toEqual([code.resolvedL2]);
    expect(await rows('status=open')).toEqual([code.anonSongThan, code.namedFlagged, code.anonVsip]);
    expect(await rows('status=received&category=overtime')).toEqual([code.namedFlagged]);
    expect(await rows('unit=vsip1')).toEqual([code.resolvedL2, code.namedFlagged, code.anonVsip]);
    expect(await rows('unit=kcn-song-than-2')).toEqual([code.anonSongThan]);
    expect(await rows('level=2')).toEqual([code.resolvedL2]);
    expect(await rows('flagged=1')).toEqual([code.anonSongThan, code.namedFlagged]);
    expect(await rows('overdue=1')).toEqual([code.anonSongThan, code.namedFlagged, code.anonVsip]);
    expect(await rows('overdue=1&unit=vsip1&flagged=1')).toEqual([code.namedFlagged]);
    const filtered = await c.get('/web/concerns?status=open&flagged=1');
    expect(filtered.text).toContain('<option value="open" selected>');
    expect(filtered.text).toMatch(/id="f-flagged" name="flagged" type="checkbox" value="1" checked/);
    expect(filtered.text).toContain('href="/web/concerns.csv?status=open&amp;flagged=1"');
  });

  it('drops hostile filter values with a note, escapes them, and never reads them as query operators', async () => {
    const c = await signedIn('m-thu');
    const op = encodeURIComponent('{"$gt": ""}');
    const status = await c.get(`/web/concerns?status=${op}`);
    expect(status.status).toBe(200);
    expect(status.text).toContain('Giá trị &quot;{&quot;$gt&quot;: &quot;&quot;}&quot; của mục &quot;Trạng thái&quot; không hợp lệ');
    expect(rowsOf(status.text)).toHaveLength(4);
    // A unit that is no unit, for the city level: nothing matches, and it says so.
    const unit = await c.get(`/web/concerns?unit=${op}`);
    expect(rowsOf(unit.text)).toEqual([]);
    expect(unit.text).toContain('Không có đơn vị &quot;{&quot;$gt&quot;: &quot;&quot;}&quot; trong cây tổ chức.');
    // Bracketed and repeated parameters are no operators either.
    expect(rowsOf((await c.get('/web/concerns?category[$ne]=wages')).text)).toHaveLength(4);
    expect(rowsOf((await c.get('/web/concerns?category=overtime&category=wages')).text)).toEqual([code.namedFlagged]);
    const script = await c.get(`/web/concerns?level=${encodeURIComponent('"><script>alert(1)</script>')}&page=-5`);
    expect(script.status).toBe(200);
    expect(script.text).not.toContain('<script>');
    expect(script.text).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(script.text).toContain('Trang 1');
  });

  it('speaks English when the person chose it', async () => {
    const c = await signedIn('m-thu');
    await c.post('/web/lang', { _csrf: csrfOf((await c.get('/web')).text)!, lang: 'en', next: '/web/concerns' });
    const { text } = await c.get('/web/concerns?overdue=1');
    expect(text).toContain('<h1>Concerns</h1>');
    expect(text).toContain('First response overdue (due 10:00 25/11/2026)');
    expect(text).toContain('1 hour ago');
    expect(text).toContain('Nobody assigned');
    const detail = await c.get(`/web/concerns/${code.anonVsip}`);
    expect(detail.text).toContain('Anonymous. Who raised this concern is sealed');
    expect(detail.text).toContain('Assigned to Anh Trần Văn Hùng (level 1 — Công ty TNHH Giày da Phúc Thịnh)');
  });

  it('is for signed-in staff only', async () => {
    const anon = new WebClient(base);
    expect((await anon.get('/web/concerns')).status).toBe(401);
    expect((await anon.get(`/web/concerns/${code.anonVsip}`)).status).toBe(401);
    expect((await anon.get('/web/concerns.csv')).status).toBe(401);
  });
});

describe('a concern', () => {
  it('shows its facts and timeline in Vietnam time, never its anonymous reporter', async () => {
    const c = await signedIn('m-thu');
    const { status, text } = await c.get(`/web/concerns/${code.resolvedL2}`);
    expect(status).toBe(200);
    expect(text).toContain(`<h1>Phản ánh ${code.resolvedL2}</h1>`);
    expect(text).toContain('Cấp 2 — KCN VSIP I');
    expect(text).toContain('Chị Võ Thị Tuyết');
    expect(text).toContain('Trả thiếu tiền phụ cấp');
    expect(text).toContain('Công ty đã trả đủ phụ cấp tháng 10.');
    expect(text).toContain('Ẩn danh. Danh tính người phản ánh được bảo mật');
    expect(text).not.toContain(`/web/concerns/${code.resolvedL2}/reporter`);
    const timeline = text.slice(text.indexOf('<ol class="timeline">'));
    const items = [...timeline.matchAll(/<li class="event [^"]*"><time[^>]*>([^<]+)<\/time> <span class="what">([^<]+)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(items).toEqual([
      '09:30 25/11/2026 Người phản ánh gửi phản ánh',
      '09:30 25/11/2026 Giao cho Anh Trần Văn Hùng (cấp 1 — Công ty TNHH Giày da Phúc Thịnh)',
      '09:35 25/11/2026 Anh Trần Văn Hùng tiếp nhận',
      '09:40 25/11/2026 Anh Trần Văn Hùng chuyển lên cấp 2 — KCN VSIP I',
      '09:40 25/11/2026 Giao cho Chị Võ Thị Tuyết (cấp 2 — KCN VSIP I)',
      '09:45 25/11/2026 Chị Võ Thị Tuyết phản hồi người phản ánh',
      '09:50 25/11/2026 Chị Võ Thị Tuyết giải quyết xong',
    ]);
    expectNoReporter(text);
  });

  it('keeps an anonymous reporter hidden even when the reveal is posted, escapes what was written, and 404s outside the scope (audited)', async () => {
    const c = await signedIn('m-vy');
    const page = await c.get(`/web/concerns/${code.anonVsip}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Công ty nợ lương hai tháng. &lt;script&gt;alert(1)&lt;/script&gt; {&quot;$gt&quot;: &quot;&quot;}');
    expect(page.text).toContain('Quá hạn phản hồi (hạn 10:00 25/11/2026)');
    expectNoReporter(page.text);
    const forced = await c.post(`/web/concerns/${code.anonVsip}/reporter`, { _csrf: csrfOf(page.text)! });
    expect(forced.status).toBe(200);
    expect(forced.text).toContain('Ẩn danh.');
    expectNoReporter(forced.text);
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', target: code.anonVsip })).toBe(0);

    const outside = await c.get(`/web/concerns/${code.anonSongThan}`);
    expect(outside.status).toBe(404);
    expect(outside.text).toContain('Không tìm thấy trang');
    expect((await c.post(`/web/concerns/${code.anonSongThan}/reporter`, { _csrf: csrfOf(page.text)! })).status).toBe(404);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', target: 'ent-det-song-than', 'details.attempted': { $in: ['web.concern', 'web.concern.reporter'] } })).toBe(2);
    // Not a concern at all: the same page.
    expect((await c.get('/web/concerns/PA-ZZZZ')).status).toBe(404);
    expect((await c.get(`/web/concerns/${encodeURIComponent('{"$gt": ""}')}`)).status).toBe(404);
  });

  it('shows a named reporter only after the audited POST with the CSRF token', async () => {
    const c = await signedIn('m-vy');
    const page = await c.get(`/web/concerns/${code.namedFlagged}`);
    expect(page.text).not.toContain(MAI.name);
    expect(page.text).not.toContain(MAI.id);
    expect(page.text).toContain(`<form method="post" action="/web/concerns/${code.namedFlagged}/reporter">`);
    expect((await c.post(`/web/concerns/${code.namedFlagged}/reporter`, {})).status).toBe(403);
    const other = csrfOf((await new WebClient(base).get('/web')).text)!;
    expect((await c.post(`/web/concerns/${code.namedFlagged}/reporter`, { _csrf: other })).status).toBe(403);
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', target: code.namedFlagged })).toBe(0);
    const shown = await c.post(`/web/concerns/${code.namedFlagged}/reporter`, { _csrf: csrfOf(page.text)! });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(`Tên người phản ánh: ${MAI.name}`);
    expect(shown.text).not.toContain(MAI.id);
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', target: code.namedFlagged, actor: 'm-vy', 'details.basis': 'named' })).toBe(1);
    // Each view is its own entry.
    await c.post(`/web/concerns/${code.namedFlagged}/reporter`, { _csrf: csrfOf(page.text)! });
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', target: code.namedFlagged })).toBe(2);
    // Back on the page, the name is gone again.
    expect((await c.get(`/web/concerns/${code.namedFlagged}`)).text).not.toContain(MAI.name);
  });
});

describe('the CSV export', () => {
  it('exports the filtered list with the one CSV writer, without reporters, and audits it', async () => {
    const c = await signedIn('m-thu');
    const { status, text, res } = await c.get('/web/concerns.csv?status=open');
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="phan-anh-2026-11-25.csv"');
    const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('ma,linh_vuc,ma_don_vi,don_vi,cap,don_vi_xu_ly,trang_thai,khan_cap,chua_co_nguoi_phu_trach,gui_luc_utc,gui_luc_viet_nam,han_phan_hoi,da_phan_hoi_luc,han_giai_quyet,da_giai_quyet_luc,thoi_han,ma_can_bo,can_bo_phu_trach');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([code.anonSongThan, code.namedFlagged, code.anonVsip]);
    expect(lines[3]).toBe(
      `${code.anonVsip},"Tiền lương, nợ/chậm lương",ent-phuc-thinh,Công ty TNHH Giày da Phúc Thịnh,1,Công ty TNHH Giày da Phúc Thịnh,Mới tiếp nhận,,,2026-11-25T02:00:00.000Z,09:00 25/11/2026,10:00 25/11/2026,,11:00 25/11/2026,,Quá hạn phản hồi (hạn 10:00 25/11/2026),m-hung,Anh Trần Văn Hùng`,
    );
    expectNoReporter(text);
    expect(text).not.toContain(MAI.name);
    expect(await app.models.Audit.countDocuments({ action: 'concerns.exported', actor: 'm-thu', 'details.status': 'open', 'details.rows': 3 })).toBe(1);
    // A zone's export holds its zone only.
    const zone = await (await signedIn('m-vy')).get('/web/concerns.csv');
    expect(zone.text).not.toContain(code.anonSongThan);
    expect(zone.text).toContain(code.anonVsip);
  });
});

describe('assigning a flagged concern', () => {
  it('offers the cadres the chat offers, refuses without the CSRF token or another cadre, assigns, tells the cadre and audits', async () => {
    const c = await signedIn('m-vy');
    const page = await c.get(`/web/concerns/${code.namedFlagged}`);
    expect(page.text).toContain(`<form method="post" action="/web/concerns/${code.namedFlagged}/assign">`);
    const offered = [...page.text.matchAll(/<option value="(m-[a-z]+)">([^<]+)<\/option>/g)].map((m) => [m[1], m[2]]);
    expect(offered.map(([id]) => id).sort()).toEqual((await app.services.concerns.placementTargets(code.namedFlagged, app.clock.now())).map((x) => x.memberId).sort());
    expect(offered).toContainEqual(['m-tuyet', 'Chị Võ Thị Tuyết · Công đoàn · KCN VSIP I']);
    expect((await c.post(`/web/concerns/${code.namedFlagged}/assign`, { cadre: 'm-tuyet' })).status).toBe(403);
    const wrong = await c.post(`/web/concerns/${code.namedFlagged}/assign`, { _csrf: csrfOf(page.text)!, cadre: 'm-thu' });
    expect(wrong.status).toBe(409);
    expect(wrong.text).toContain('Chưa giao được');
    expect((await app.services.concerns.get(code.namedFlagged))!.flagged).toBe(true);
    // Outside the scope: refused before anything happens.
    expect((await c.post(`/web/concerns/${code.anonSongThan}/assign`, { _csrf: csrfOf(page.text)!, cadre: 'm-tuyet' })).status).toBe(404);
    expect((await app.services.concerns.get(code.anonSongThan))!.flagged).toBe(true);

    const done = await c.post(`/web/concerns/${code.namedFlagged}/assign`, { _csrf: csrfOf(page.text)!, cadre: 'm-tuyet' });
    expect(done.status).toBe(303);
    expect(done.res.headers.get('location')).toBe(`/web/concerns/${code.namedFlagged}?assigned=1`);
    const after = await c.get(`/web/concerns/${code.namedFlagged}?assigned=1`);
    expect(after.text).toContain('Đã giao phản ánh. Cán bộ đã được báo');
    expect(after.text).toContain('Chị Vy giao cho Chị Võ Thị Tuyết (cấp 1 — Thành Đoàn TP. Hồ Chí Minh)');
    expect(after.text).not.toContain(`action="/web/concerns/${code.namedFlagged}/assign"`);
    const c2 = (await app.services.concerns.get(code.namedFlagged))!;
    expect(c2).toMatchObject({ assigneeId: 'm-tuyet', flagged: false });
    expect(c2.firstResponseDue!.getTime()).toBe(app.clock.now().getTime() + 3600_000);
    expect(await app.models.Audit.countDocuments({ action: 'concern.placed', actor: 'm-vy', target: code.namedFlagged, 'details.assignee': 'm-tuyet' })).toBe(1);
    await waitForMessage(tuyet, (m) => m.text.includes(code.namedFlagged));
  });
});
