/**
 * The steering report in the web console over real HTTP (real Redis and MongoDB-wire server, the
 * seeded month of test/support/steering-seed.ts, the clock at 07:00 1/12/2026): behind sign-in,
 * only units of the person's scope (404 otherwise, audited), the previous month by default, bad
 * months answered, the page self-contained under a policy that still allows no script, and its
 * "Print / PDF" link answering a PDF printed by chromium (skipped only where chromium is absent).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../core/reports/pdf.js';
import { seedSteering, STEERING_NOW } from '../../test/support/steering-seed.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { tableOf } from './dashboard-test-seed.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { STEERING_STYLE_SOURCE } from './steering-report-html.js';
import { signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
let city: WebClient;
let zone: WebClient;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

beforeAll(async () => {
  app = await startTestApp();
  await seedSteering(app);
  app.clock.advance(STEERING_NOW.getTime() - app.clock.now().getTime());
  ({ server, base } = await startWebServer(app));
  city = await signedIn('m-thu');
  zone = await signedIn('m-vy');
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

/** The cells of the page's n-th table, header row first. */
function nthTable(page: string, n: number): string[][] {
  const tables = [...page.matchAll(/<table>([\s\S]*?)<\/table>/g)];
  return tableOf(`<table class="data" id="t">${tables[n]![1]}</table>`, 't');
}

describe('the steering report page', () => {
  it('asks to sign in first', async () => {
    const r = await new WebClient(base).get('/web/reports/steering?unit=vsip1&month=2026-11');
    expect(r.status).toBe(401);
    expect(r.text).not.toContain('KCN VSIP I');
  });

  it('shows a zone its report: every section, charts drawn on the server, tables, no script', async () => {
    const { status, text, res } = await zone.get('/web/reports/steering?unit=vsip1&month=2026-11');
    expect(status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`style-src 'self' ${STEERING_STYLE_SOURCE}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(text).toContain('<h1>Báo cáo gửi Ban chỉ đạo — Tháng 11/2026</h1>');
    expect(text).toContain('Đơn vị: KCN VSIP I và các đơn vị trực thuộc');
    expect(text).toContain('Kỳ báo cáo: Tháng 11/2026 (từ 01/11/2026 đến 30/11/2026, giờ Việt Nam)');
    expect(text).not.toContain('Tạm tính');
    for (const h of ['1. Tiếp cận thành viên', '2. Sinh hoạt chi Đoàn, chi Hội', '3. Khảo sát tâm tư, nguyện vọng', '4. Phản ánh, kiến nghị của người lao động', '5. Vụ việc tập thể', '6. Kiểm tra chất lượng chi Đoàn, chi Hội', '7. Rà soát đội ngũ cán bộ']) expect(text).toContain(`>${h}</h2>`);
    expect(text.match(/<svg class="chart"/g)).toHaveLength(5);
    expect(text).not.toMatch(/<script|\son[a-z]+=|<img|<link/i);
    expect(text.match(/<div class="sheet">/g)).toHaveLength(4);
    expect(text).toContain('href="/web/reports/steering.pdf?unit=vsip1&amp;month=2026-11&amp;lang=vi">In / tải PDF</a>');
    // Meetings, surveys, concerns, cases, inspections: the figures of core/reports/steering-report.ts.
    expect(nthTable(text, 1)).toEqual([
      ['Chi Đoàn, chi Hội', 'Buổi đã tổ chức', 'Lượt điểm danh', 'Lượt được mời', 'Tỷ lệ tham dự'],
      ['Chi đoàn Hoa Sen', '1', '2', '3', '66,7 %'],
      ['Chi đoàn Phân xưởng May', '1', '4', '6', '66,7 %'],
      ['Tổng', '2', '6', '9', '66,7 %'],
    ]);
    expect(nthTable(text, 2).slice(1)).toEqual([
      ['Nhà ở công nhân', '01/11/2026 – 30/11/2026 (đã đóng)', 'Ẩn danh', '10', '9', '90 %'],
      ['it-nguoi', '01/11/2026 – 30/11/2026 (đã đóng)', 'Ẩn danh', '10', 'Ẩn (nhóm nhỏ)', '—'],
    ]);
    expect(nthTable(text, 3)[1]).toEqual(['Tiền lương, nợ/chậm lương', '3', '2', '1', '0', '75 % (3/4)', '60 phút', '2 giờ']);
    expect(nthTable(text, 4).slice(1)).toEqual([
      ['Tiền lương, nợ/chậm lương', '1', '1', '0', '3'],
      ['Tổng', '1', '1', '0', '3'],
    ]);
    expect(text).toContain('Nhà trọ, an ninh trật tự, tín dụng đen; Học nghề, nâng cao tay nghề; Đời sống văn hóa tinh thần, về quê ăn Tết');
  });

  it('defaults to the person\'s one unit and the previous month; the city level to the top unit; another language on request', async () => {
    const mine = await zone.get('/web/reports/steering');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('Đơn vị: KCN VSIP I và các đơn vị trực thuộc');
    expect(mine.text).toContain('Tháng 11/2026');
    const whole = await city.get('/web/reports/steering?lang=en');
    expect(whole.status).toBe(200);
    expect(whole.text).toContain('<h1>Report to the steering committee — November 2026</h1>');
    expect(whole.text).toContain('Unit: Thành Đoàn TP. Hồ Chí Minh and the units under it');
    // The current month, so far.
    const now = await city.get('/web/reports/steering?unit=hcm&month=2026-12');
    expect(now.text).toContain('Tạm tính: Tháng chưa kết thúc: số liệu tạm tính đến 07:00 01/12/2026.');
  });

  it('answers 404 for a unit outside the scope (audited) or unknown, and 400 for a bad or future month', async () => {
    const outside = await zone.get('/web/reports/steering?unit=kcn-song-than-2&month=2026-11');
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain('Sóng Thần');
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', 'details.attempted': 'web.steering_report' })).toBe(1);
    expect((await zone.get('/web/reports/steering?unit=nowhere&month=2026-11')).status).toBe(404);
    expect((await zone.get('/web/reports/steering.pdf?unit=kcn-song-than-2&month=2026-11')).status).toBe(404);
    const bad = await zone.get('/web/reports/steering?unit=vsip1&month=2026-13');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('&quot;2026-13&quot; không phải là một tháng');
    const future = await zone.get('/web/reports/steering?unit=vsip1&month=2027-01');
    expect(future.status).toBe(400);
    expect(future.text).toContain('Tháng 2027-01 chưa bắt đầu nên chưa có báo cáo.');
    // Query values are plain strings, never objects.
    expect((await zone.get('/web/reports/steering?unit[$ne]=x&month=2026-11')).status).toBe(200);
  });

  it.skipIf(!chromiumPath(process.env.CHROMIUM_PATH))('"Print / PDF" answers the report as a PDF', async () => {
    const res = await fetch(`${base}/web/reports/steering.pdf?unit=vsip1&month=2026-11`, { headers: { cookie: `${SESSION_COOKIE}=${zone.cookie}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bao-cao-ban-chi-dao-vsip1-2026-11.pdf"');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // One page per sheet at least (the print CSS breaks before each).
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)!.length).toBeGreaterThanOrEqual(4);
    expect(await app.models.Audit.countDocuments({ action: 'report.steering_exported', actor: 'm-vy', target: 'vsip1' })).toBe(1);
  }, 60_000);
});
