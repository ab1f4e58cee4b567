/**
 * The web console over real HTTP, against the real Redis and MongoDB-wire server: sign-in through
 * a one-time link, the session cookie, CSRF, the sign-in rate limit, a revoked role, unit
 * scoping, the audit page and its CSV export, hostile input, and the security headers.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { csrfOf, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;

const link = async (memberId: string) => (await app.services.webSignIn.issueLink((await app.services.members.get(memberId))!, { at: app.clock.now(), via: 'chat' })).url;

async function signedIn(memberId: string): Promise<WebClient> {
  const c = new WebClient(base);
  const done = await c.signInWith(await link(memberId));
  expect(done.status).toBe(303);
  expect(done.res.headers.get('location')).toBe('/web');
  return c;
}

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await addMember(app, { id: 'm-kha', name: 'Anh Kha', roles: ['worker', 'admin'], orgUnitId: 'hcm', locale: 'en' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await app.models.Member.updateOne({ _id: 'm-kha' }, { $set: { grants: [{ role: 'admin', unitId: 'hcm' }] } });
  const audit = app.services.audit;
  // 23:30 on 19/11 and 00:30 on 20/11, Vietnam time; then an identity view at 10:00 on 20/11.
  await audit.record({ actor: 'm-cadre', action: 'concern.accepted', target: 'PA-AAAA', at: new Date('2026-11-19T16:30:00Z') });
  await audit.record({ actor: 'm-cadre', action: 'concern.replied', target: 'PA-AAAA', at: new Date('2026-11-19T17:30:00Z') });
  await audit.record({ actor: 'm-cadre', action: 'concern.reporter.viewed', target: 'PA-7K3Q', details: { basis: 'named' }, at: new Date('2026-11-20T03:00:00Z') });
  await audit.record({ actor: '<script>alert(1)</script>', action: 'test.hostile', target: '{"$gt": ""}', details: { note: '<img src=x onerror=alert(1)>' }, at: new Date('2026-11-18T03:00:00Z') });
  for (let i = 0; i < 60; i++) await audit.record({ actor: 'system', action: 'test.bulk', target: `b${i}`, at: new Date(Date.UTC(2026, 9, 1, 0, i)) });
  ({ server, base } = await startWebServer(app));
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});
// Every test starts with a clean count of sign-in attempts from 127.0.0.1.
beforeEach(async () => {
  const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
  if (keys.length) await app.redis.del(...keys);
});

describe('signing in', () => {
  it('shows how to sign in, in Vietnamese by default, on a page for phones with the security headers', async () => {
    const { status, text, res } = await new WebClient(base).get('/web');
    expect(status).toBe(200);
    expect(text).toContain('<html lang="vi">');
    expect(text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(text).toContain('nhắn &quot;đăng nhập web&quot; cho chatbot Đồng Hành');
    expect(text).not.toContain('<script');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toMatch(/^dh_web=[^;]+; Path=\/web; Max-Age=43200; HttpOnly; SameSite=Lax$/);
  });

  it('uses a link once: opening it takes nothing, pressing the button signs in, the link is then spent', async () => {
    const url = await link('m-thu');
    expect(url.startsWith('http://localhost:3000/web/login/')).toBe(true);
    const c = new WebClient(base);
    const path = new URL(url).pathname;
    // A chat app's link preview opens the link too: that must not spend it.
    expect((await new WebClient(base).get(path)).status).toBe(200);
    const confirm = await c.get(path);
    expect(confirm.text).toContain('Xác nhận đăng nhập');
    const before = c.cookie;
    const done = await c.post(path, { _csrf: csrfOf(confirm.text)! });
    expect(done.status).toBe(303);
    expect(c.cookie).not.toBe(before);
    const home = await c.get('/web');
    expect(home.text).toContain('Xin chào Chị Thư');
    expect(home.text).toContain('Thành Đoàn TP. Hồ Chí Minh — toàn bộ các đơn vị');
    expect(home.text).toContain('href="/web/audit"');
    // Spent: a second use, in this browser or another, is refused.
    const again = new WebClient(base);
    expect((await again.get(path)).status).toBe(410);
    expect((await again.post(path, { _csrf: csrfOf((await again.get('/web')).text)! })).status).toBe(410);
    expect(await app.models.Audit.countDocuments({ action: 'web.signed_in', actor: 'm-thu' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unknown or expired link with a page saying to ask the bot again', async () => {
    const { status, text } = await new WebClient(base).get(`/web/login/${'A'.repeat(43)}`);
    expect(status).toBe(410);
    expect(text).toContain('Đường dẫn không còn hiệu lực');
  });

  it('refuses the button without the session\'s CSRF token, and the link stays usable', async () => {
    const url = await link('m-thu');
    const path = new URL(url).pathname;
    const c = new WebClient(base);
    await c.get(path);
    const other = new WebClient(base);
    const othersToken = csrfOf((await other.get('/web')).text)!;
    expect((await c.post(path, { _csrf: othersToken })).status).toBe(403);
    expect((await c.post(path, {})).status).toBe(403);
    expect(await app.services.webSignIn.isPending(url.split('/').pop()!)).toBe(true);
  });

  it('limits attempts per address and says so in the person\'s language (429)', async () => {
    const c = new WebClient(base);
    const lang = await c.post('/web/lang', { _csrf: csrfOf((await c.get('/web')).text)!, lang: 'en', next: '/web' });
    expect(lang.status).toBe(303);
    for (let i = 0; i < 20; i++) expect((await c.get(`/web/login/${'B'.repeat(43)}`)).status).toBe(410);
    const refused = await c.get(`/web/login/${'B'.repeat(43)}`);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many attempts');
    // A good link is refused too while the address is over the limit.
    const good = await link('m-thu');
    expect((await c.get(new URL(good).pathname)).status).toBe(429);
  });
});

describe('a signed-in session', () => {
  it('rejects a tampered cookie: the person is simply not signed in', async () => {
    const c = await signedIn('m-thu');
    expect((await c.get('/web/audit')).status).toBe(200);
    const cookie = c.cookie!;
    const i = 20;
    c.cookie = cookie.slice(0, i) + (cookie[i] === 'A' ? 'B' : 'A') + cookie.slice(i + 1);
    const tampered = await c.get('/web/audit');
    expect(tampered.status).toBe(401);
    expect(tampered.text).toContain('nhắn &quot;đăng nhập web&quot;');
  });

  it('ends on the next request once the role is revoked, and the end is audited', async () => {
    const c = await signedIn('m-kha');
    const home = await c.get('/web');
    // Kha chose English in chat: the console follows.
    expect(home.text).toContain('<html lang="en">');
    expect(home.text).toContain('Hello, Anh Kha');
    await app.models.Member.updateOne({ _id: 'm-kha' }, { $set: { roles: ['worker'], grants: [] } });
    const next = await c.get('/web/audit');
    expect(next.status).toBe(403);
    expect(next.text).toContain('no longer holds a secretariat or administrator role');
    expect(await app.models.Audit.countDocuments({ action: 'web.signed_out', actor: 'm-kha', 'details.reason': 'role_revoked' })).toBe(1);
    // Regranting does not bring the old session back: it was signed out.
    await app.models.Member.updateOne({ _id: 'm-kha' }, { $set: { roles: ['worker', 'admin'], grants: [{ role: 'admin', unitId: 'hcm' }] } });
    expect((await c.get('/web/audit')).status).toBe(401);
  });

  it('signs out only with the CSRF token, and audits it', async () => {
    const c = await signedIn('m-thu');
    const home = await c.get('/web');
    expect((await c.post('/web/logout', {})).status).toBe(403);
    expect((await c.post('/web/logout', { _csrf: 'x'.repeat(24) })).status).toBe(403);
    expect((await c.get('/web/audit')).status).toBe(200);
    const out = await c.post('/web/logout', { _csrf: csrfOf(home.text)! });
    expect(out.status).toBe(303);
    expect(out.res.headers.get('location')).toBe('/web/signed-out');
    expect((await c.get('/web/signed-out')).text).toContain('Anh/chị đã đăng xuất');
    expect((await c.get('/web/audit')).status).toBe(401);
    expect(await app.models.Audit.countDocuments({ action: 'web.signed_out', actor: 'm-thu', details: { $exists: false } })).toBe(1);
  });

  it('switches language only with the CSRF token and only back into the console', async () => {
    const c = await signedIn('m-thu');
    const home = await c.get('/web');
    expect((await c.post('/web/lang', { lang: 'en', next: '/web' })).status).toBe(403);
    const switched = await c.post('/web/lang', { _csrf: csrfOf(home.text)!, lang: 'en', next: 'https://evil.example/' });
    expect(switched.res.headers.get('location')).toBe('/web');
    expect((await c.get('/web')).text).toContain('Hello, Chị Thư');
  });
});

describe('scope', () => {
  it('shows a zone secretariat their zone, no audit log link, and 404 for the audit log (audited)', async () => {
    const c = await signedIn('m-vy');
    const home = await c.get('/web');
    expect(home.text).toContain('KCN VSIP I và các đơn vị trực thuộc');
    expect(home.text).not.toContain('href="/web/audit"');
    expect(home.text).toContain('chỉ dành cho cán bộ cấp thành phố');
    const audit = await c.get('/web/audit');
    expect(audit.status).toBe(404);
    expect(audit.text).toContain('Không tìm thấy trang');
    expect((await c.get('/web/audit.csv')).status).toBe(404);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', 'details.attempted': { $in: ['web.audit', 'web.audit.export'] } })).toBe(2);
  });

  it('answers an unknown console path with a 404 page', async () => {
    const { status, text } = await new WebClient(base).get('/web/nothing-here');
    expect(status).toBe(404);
    expect(text).toContain('Không tìm thấy trang');
  });
});

describe('the audit log', () => {
  it('lists entries newest first in Vietnam time, marks identity views, and pages by 50', async () => {
    const c = await signedIn('m-thu');
    const first = await c.get('/web/audit?action=' + encodeURIComponent('concern.*'));
    expect(first.status).toBe(200);
    const rows = first.text.match(/<tr[ >]/g)!.length - 1;
    expect(rows).toBe(3);
    expect(first.text.indexOf('17:00 20/11/2026')).toBeLessThan(0); // not UTC
    expect(first.text).toContain('10:00 20/11/2026');
    expect(first.text.indexOf('10:00 20/11/2026')).toBeLessThan(first.text.indexOf('00:30 20/11/2026'));
    expect(first.text).toMatch(/<tr class="identity-view">[\s\S]*?concern\.reporter\.viewed[\s\S]*?Xem danh tính/);
    const bulk = await c.get('/web/audit?action=test.bulk');
    expect(bulk.text.match(/<tr[ >]/g)!.length - 1).toBe(50);
    expect(bulk.text).toContain('href="/web/audit?action=test.bulk&amp;page=2"');
    const second = await c.get('/web/audit?action=test.bulk&page=2');
    expect(second.text.match(/<tr[ >]/g)!.length - 1).toBe(10);
    expect(second.text).toContain('>b9<');
    expect(second.text).not.toContain('rel="next"');
  });

  it('filters by actor, target and a period of Vietnam days', async () => {
    const c = await signedIn('m-thu');
    const day = await c.get('/web/audit?actor=m-cadre&from=2026-11-20&to=2026-11-20');
    expect(day.text).toContain('concern.replied');
    expect(day.text).toContain('concern.reporter.viewed');
    expect(day.text).not.toContain('concern.accepted');
    const target = await c.get('/web/audit?target=PA-AAAA');
    expect(target.text.match(/<tr[ >]/g)!.length - 1).toBe(2);
    const bad = await c.get('/web/audit?from=2026-02-31');
    expect(bad.text).toContain('Ngày &quot;2026-02-31&quot; không hợp lệ');
  });

  it('escapes hostile entries and hostile filters, and never reads a filter as a query operator', async () => {
    const c = await signedIn('m-thu');
    const all = await c.get('/web/audit?action=test.hostile');
    expect(all.text).not.toContain('<script>alert(1)</script>');
    expect(all.text).not.toContain('<img src=x');
    expect(all.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const op = encodeURIComponent('{"$gt": ""}');
    const asActor = await c.get(`/web/audit?actor=${op}`);
    expect(asActor.text).toContain('Không có mục nào khớp bộ lọc.');
    expect(asActor.text).toContain('value="{&quot;$gt&quot;: &quot;&quot;}"');
    // The same text as a target finds exactly the entry whose target is that text.
    const asTarget = await c.get(`/web/audit?target=${op}`);
    expect(asTarget.text.match(/<tr[ >]/g)!.length - 1).toBe(1);
    // Bracketed and repeated parameters are no operators either.
    const bracket = await c.get('/web/audit?actor[$gt]=&action=test.hostile');
    expect(bracket.text.match(/<tr[ >]/g)!.length - 1).toBe(1);
    const repeated = await c.get('/web/audit?actor=nobody&actor=m-cadre');
    expect(repeated.text).toContain('Không có mục nào khớp bộ lọc.');
    const script = await c.get(`/web/audit?target=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(script.text).not.toContain('<script>');
    expect(script.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('exports the filtered entries as CSV with the one CSV writer, and audits the export', async () => {
    const c = await signedIn('m-thu');
    const { status, text, res } = await c.get('/web/audit.csv?actor=m-cadre');
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('thoi_gian_utc,thoi_gian_viet_nam,nguoi_thuc_hien,thao_tac,doi_tuong,xem_danh_tinh,chi_tiet');
    expect(lines[1]).toBe('2026-11-20T03:00:00.000Z,10:00 20/11/2026,m-cadre,concern.reporter.viewed,PA-7K3Q,có,"{""basis"":""named""}"');
    expect(lines.filter(Boolean)).toHaveLength(4);
    const hostile = await c.get('/web/audit.csv?action=test.hostile');
    // Formula-like and markup text stays text.
    expect(hostile.text).toContain('<script>alert(1)</script>');
    expect(await app.models.Audit.countDocuments({ action: 'audit.exported', actor: 'm-thu', 'details.actor': 'm-cadre', 'details.rows': 3 })).toBe(1);
  });
});

describe('the HTTP server without platforms', () => {
  it('answers health and readiness, and has no webhook routes', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/webhooks/telegram`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    const css = await fetch(`${base}/web/assets/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('@media (max-width: 40rem)');
  });
});

describe('without a session key where one is required', () => {
  it('keeps the console off (503, saying why) while health still answers', async () => {
    const other = await startTestApp({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', PORT: '0' });
    const { server: s, base: b } = await startWebServer(other);
    try {
      for (const path of ['/web', '/web/audit', `/web/login/${'A'.repeat(43)}`]) {
        const res = await fetch(b + path);
        expect(res.status).toBe(503);
        expect(await res.text()).toContain('WEB_SESSION_SECRET');
      }
      expect((await fetch(`${b}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
      await other.close();
    }
  });
});
