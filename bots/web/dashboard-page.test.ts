/**
 * The dashboard over real HTTP against the real Redis and MongoDB-wire server: figures in the data
 * tables for the city and for a zone (which sees nothing of another zone), a chosen period, a unit
 * to drill into (outside the scope: 404, audited), bad periods and hostile query strings.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { parseDashboardQuery } from './dashboard-page.js';
import { HOSTILE_UNIT_NAME, seedDashboard, tableOf, vn } from './dashboard-test-seed.js';
import { signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
let city: WebClient;
let zone: WebClient;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

beforeAll(async () => {
  app = await startTestApp();
  await seedDashboard(app);
  ({ server, base } = await startWebServer(app));
  city = await signedIn('m-thu');
  zone = await signedIn('m-vy');
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

/** Only the rows of a table, keyed by their first cell. */
const rows = (page: string, id: string) => Object.fromEntries(tableOf(page, id).slice(1).map((r) => [r[0], r.slice(1)]));

describe('the period in the query string', () => {
  it('defaults to the last 8 weeks and reads Vietnam days, `to` included', () => {
    const now = vn('2026-11-25 09:00');
    expect(parseDashboardQuery({}, now)).toEqual({ form: { from: '2026-10-05', to: '2026-11-25', unit: '' }, period: { from: vn('2026-10-05 00:00'), until: vn('2026-11-26 00:00') }, problems: [] });
    expect(parseDashboardQuery({ from: '2026-11-16', to: '2026-11-22' }, now).period).toEqual({ from: vn('2026-11-16 00:00'), until: vn('2026-11-23 00:00') });
    expect(parseDashboardQuery({ from: '2026-02-30' }, now).problems).toEqual([{ kind: 'bad_date', value: '2026-02-30' }]);
    expect(parseDashboardQuery({ from: '2026-11-20', to: '2026-11-19' }, now).problems).toEqual([{ kind: 'bad_range' }]);
    expect(parseDashboardQuery({ from: '2024-01-01', to: '2026-11-19' }, now).problems).toEqual([{ kind: 'too_long' }]);
    // Objects and arrays are never operators: the first plain string, or nothing.
    expect(parseDashboardQuery({ from: { $gt: '' }, to: ['2026-11-22', 'x'], unit: { $ne: 'x' } }, now).form).toEqual({ from: '2026-10-05', to: '2026-11-22', unit: '' });
  });
});

describe('the city level', () => {
  it('shows every zone\'s concerns by category, unit and status, with SLA figures per week', async () => {
    const { status, text } = await city.get('/web/dashboard');
    expect(status).toBe(200);
    expect(text).toContain('<h1>Bảng tổng hợp</h1>');
    expect(text).toContain('Phạm vi: toàn bộ các đơn vị');
    expect(text).toContain('Từ 05/10/2026 đến 25/11/2026');
    const cat = rows(text, 't-by-category');
    expect(cat['Tiền lương, nợ/chậm lương']).toEqual(['2', '1', '1', '0']);
    expect(cat['Tăng ca, làm thêm giờ']).toEqual(['1', '1', '0', '1']);
    expect(cat['Học nghề, nâng cao tay nghề']).toEqual(['1', '1', '0', '0']);
    expect(cat['Gửi trẻ']).toEqual(['0', '0', '0', '0']);
    expect(tableOf(text, 't-by-category').at(-1)).toEqual(['Tổng số phản ánh', '6', '4', '1', '1']);
    expect(rows(text, 't-by-unit')).toEqual({ 'KCN Sóng Thần 2': ['3', '2', '0', '0'], 'KCN VSIP I': ['3', '2', '1', '1'] });
    const st = rows(text, 't-by-status');
    expect([st['Đã tiếp nhận'], st['Đang xử lý'], st['Đã chuyển cấp trên'], st['Đã giải quyết'], st['Đã rút lại']]).toEqual([['2'], ['1'], ['1'], ['1'], ['1']]);
    // SLA: 3 of 5 deadlines met; first responses 30 and 90 min; one resolution in 2 h.
    expect(text).toContain('60% (3/5)');
    const weeks = tableOf(text, 't-sla-trend');
    expect(weeks).toHaveLength(1 + 8 + 1);
    expect(weeks[1]![0]).toBe('Tuần từ 05/10/2026');
    expect(rows(text, 't-sla-trend')['Tuần từ 16/11/2026']).toEqual(['4', '3', '5', '60%', '60 phút', '2 giờ']);
    expect(rows(text, 't-sla-trend')['Tuần từ 09/11/2026']).toEqual(['1', '0', '0', '—', '—', '—']);
    expect(weeks.at(-1)).toEqual(['Tổng số phản ánh', '6', '3', '5', '60%', '60 phút', '2 giờ']);
  });

  it('lists workplaces and categories routing finds no cadre for', async () => {
    const { text } = await city.get('/web/dashboard');
    expect(text).toContain('Đã kiểm tra 4 doanh nghiệp.');
    const gaps = rows(text, 't-gaps-units');
    // The trade-union cadre at Phúc Thịnh covers its labour categories; the rest find nobody.
    expect(gaps['Công ty TNHH Giày da Phúc Thịnh']).toEqual(['Nhà trọ, an ninh trật tự, tín dụng đen; Học nghề, nâng cao tay nghề; Đời sống văn hóa tinh thần, về quê ăn Tết']);
    expect(gaps['Công ty CP May mặc Hoa Sen']![0]!.split('; ')).toHaveLength(10);
    expect(rows(text, 't-gaps-category')['Tiền lương, nợ/chậm lương']).toEqual(['3']);
    expect(rows(text, 't-gaps-category')['Học nghề, nâng cao tay nghề']).toEqual(['4']);
  });

  it('shows the reach of every broadcast and per week, and members by unit and chat app, new and erased', async () => {
    const { text } = await city.get('/web/dashboard');
    const each = tableOf(text, 't-bc-each');
    expect(each.slice(1).map((r) => r.slice(2))).toEqual([
      ['100', '95', '5', '7'],
      ['40', '38', '2', '1'],
      ['10', '10', '0', '0'],
      ['150', '143', '7', '8'],
    ]);
    expect(each[1]![0]).toBe('08:00 03/11/2026 · Chúc mừng ngày Nhà giáo cho toàn thành phố');
    expect(each[1]![1]).toBe('Đã gửi xong');
    expect(rows(text, 't-bc-weeks')['Tuần từ 02/11/2026']).toEqual(['1', '100', '95', '5', '7']);
    expect(rows(text, 't-bc-weeks')['Tuần từ 16/11/2026']).toEqual(['2', '50', '48', '2', '1']);
    expect(tableOf(text, 't-members-unit')[0]).toEqual(['Đơn vị', 'Đang hoạt động', 'Thử nghiệm (console)', 'Telegram', 'Zalo', 'Chưa liên kết chat']);
    expect(rows(text, 't-members-unit')).toEqual({
      'KCN VSIP I': ['4', '2', '1', '2', '0'],
      'KCN Sóng Thần 2': ['1', '0', '1', '0', '0'],
      'Thành Đoàn TP. Hồ Chí Minh (trực tiếp)': ['1', '1', '0', '0', '0'],
    });
    const mw = rows(text, 't-members-weeks');
    expect(mw['Tuần từ 09/11/2026']).toEqual(['1', '1']);
    expect(mw['Tuần từ 16/11/2026']).toEqual(['1', '0']);
    // The three staff members were created "now", on Wednesday 25/11.
    expect(mw['Tuần từ 23/11/2026']).toEqual(['3', '0']);
  });

  it('draws every chart as inline SVG, with no script, and shows a hostile unit name as text', async () => {
    const { text, res } = await city.get('/web/dashboard');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((text.match(/<svg class="chart"/g) ?? []).length).toBe(10);
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<svg[^>]*\sstyle=|<style/);
    // The hostile name reached the page only escaped (in the gaps table).
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Cty &quot;X&quot;');
    expect(rows(text, 't-gaps-units')[HOSTILE_UNIT_NAME]).toHaveLength(1);
    // Every chart is labelled by its caption, which names a table right below.
    for (const m of text.matchAll(/<svg class="chart" role="img" aria-labelledby="([^"]+)"/g)) expect(text).toContain(`<figcaption id="${m[1]}">`);
  });

  it('narrows to a chosen period', async () => {
    const { status, text } = await city.get('/web/dashboard?from=2026-11-16&to=2026-11-22');
    expect(status).toBe(200);
    expect(tableOf(text, 't-sla-trend')).toHaveLength(3);
    expect(tableOf(text, 't-by-category').at(-1)).toEqual(['Tổng số phản ánh', '4', '3', '1', '0']);
    expect(tableOf(text, 't-bc-each').slice(1, -1).map((r) => r[2])).toEqual(['40', '10']);
  });

  it('speaks English when the person chose it', async () => {
    const c = await signedIn('m-thu');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await c.get('/web/dashboard')).text)![1]!;
    await c.post('/web/lang', { _csrf: csrf, lang: 'en', next: '/web/dashboard' });
    const { text } = await c.get('/web/dashboard');
    expect(text).toContain('<h1>Dashboard</h1>');
    expect(text).toContain('60% (3/5)');
    expect(rows(text, 't-sla-trend')['Week of 16/11/2026']).toEqual(['4', '3', '5', '60%', '60 min', '2 h']);
  });
});

describe('a zone secretariat member', () => {
  it('sees only their zone: no other zone\'s concerns, broadcasts or members, and erased members are not placed', async () => {
    const { status, text } = await zone.get('/web/dashboard');
    expect(status).toBe(200);
    expect(text).toContain('Phạm vi: KCN VSIP I và các đơn vị trực thuộc');
    expect(tableOf(text, 't-by-category').at(-1)).toEqual(['Tổng số phản ánh', '3', '2', '1', '1']);
    expect(rows(text, 't-by-unit')).toEqual({ 'Công ty CP May mặc Hoa Sen': ['2', '2', '0', '1'], 'Công ty TNHH Giày da Phúc Thịnh': ['1', '0', '1', '0'] });
    expect(text).toContain('75% (3/4)');
    expect(tableOf(text, 't-bc-each').slice(1, -1).map((r) => r[0])).toEqual(['19:00 17/11/2026 · Sinh hoạt chi đoàn tối thứ Sáu']);
    expect(rows(text, 't-members-unit')).toEqual({ 'Công ty TNHH Giày da Phúc Thịnh': ['2', '1', '1', '1', '0'], 'Công ty CP May mặc Hoa Sen': ['1', '0', '0', '1', '0'], 'KCN VSIP I (trực tiếp)': ['1', '1', '0', '0', '0'] });
    expect(text).toContain('Số người đã xóa dữ liệu chỉ có ở cấp thành phố');
    expect(Object.keys(rows(text, 't-gaps-units')).sort()).toEqual(['Công ty CP May mặc Hoa Sen', 'Công ty TNHH Giày da Phúc Thịnh']);
    for (const other of ['Sóng Thần', 'toàn thành phố', 'alert(1)', 'PA-', 'Nội dung phản ánh']) expect(text).not.toContain(other);
  });

  it('drills into a unit of their zone, and gets 404 (audited) for a unit outside it or unknown', async () => {
    const inside = await zone.get('/web/dashboard?unit=ent-hoa-sen');
    expect(inside.status).toBe(200);
    expect(inside.text).toContain('Phạm vi: Công ty CP May mặc Hoa Sen và các đơn vị trực thuộc');
    expect(tableOf(inside.text, 't-by-category').at(-1)).toEqual(['Tổng số phản ánh', '2', '2', '0', '1']);
    const before = await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' });
    const outside = await zone.get('/web/dashboard?unit=kcn-song-than-2');
    expect(outside.status).toBe(404);
    expect(outside.text).toContain('Không tìm thấy trang');
    expect(outside.text).not.toContain('Sóng Thần');
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' })).toBe(before + 1);
    expect((await zone.get('/web/dashboard?unit=nowhere')).status).toBe(404);
    // The city level may drill anywhere; its table's units link there.
    const all = await city.get('/web/dashboard');
    expect(all.text).toContain('href="/web/dashboard?from=2026-10-05&amp;to=2026-11-25&amp;unit=kcn-song-than-2"');
    expect((await city.get('/web/dashboard?unit=kcn-song-than-2')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('says clearly what is wrong with a period, in a 400 with the form kept', async () => {
    const bad = await city.get('/web/dashboard?from=2026-13-45&to=2026-11-22');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Ngày &quot;2026-13-45&quot; không hợp lệ');
    expect(bad.text).toContain('value="2026-13-45"');
    expect(bad.text).not.toContain('<svg');
    const backwards = await city.get('/web/dashboard?from=2026-11-22&to=2026-11-01');
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('&quot;Từ ngày&quot; đang sau &quot;Đến ngày&quot;');
    const long = await city.get('/web/dashboard?from=2020-01-01&to=2026-11-22');
    expect(long.status).toBe(400);
    expect(long.text).toContain('Khoảng thời gian dài quá 366 ngày');
  });

  it('treats hostile query strings as text: never an operator, never markup, never a 500', async () => {
    const hostile = [
      '?from[$gt]=&to[$ne]=x',
      '?unit[$ne]=x',
      '?unit=%7B%22%24gt%22%3A%22%22%7D',
      '?from=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      '?to=2026-11-22&to=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E',
      `?from=${'9'.repeat(5000)}`,
      '?unit=hcm&unit=vsip1',
    ];
    for (const q of hostile) {
      const { status, text } = await zone.get(`/web/dashboard${q}`);
      expect([200, 400, 404]).toContain(status);
      expect(text).not.toMatch(/<script|<img/i);
      expect(text).not.toContain('Sóng Thần');
    }
    expect((await zone.get('/web/dashboard?unit=%7B%22%24gt%22%3A%22%22%7D')).status).toBe(404);
    expect((await zone.get('/web/dashboard?unit[$ne]=x')).status).toBe(200);
  });

  it('asks to sign in first', async () => {
    const { status, text } = await new WebClient(base).get('/web/dashboard');
    expect(status).toBe(401);
    expect(text).toContain('<h1>Đăng nhập</h1>');
  });
});
