import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../core/reports/pdf.js';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { seedSteering, STEERING_NOW } from '../../test/support/steering-seed.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
let dir: string;
const AT = ['--at', STEERING_NOW.toISOString()];
const HAS_CHROMIUM = !!chromiumPath(process.env.CHROMIUM_PATH);

beforeAll(async () => {
  app = await startTestApp();
  await seedSteering(app);
  dir = await mkdtemp(join(tmpdir(), 'dh-steering-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

describe('npm run admin -- steering-report', () => {
  it('prints the key figures and writes the printable page and its PDF', async () => {
    const html = join(dir, 'vsip1.html');
    const pdf = join(dir, 'vsip1.pdf');
    const r = await admin('steering-report', '--unit', 'vsip1', '--month', '2026-11', '--html', html, ...(HAS_CHROMIUM ? ['--pdf', pdf] : []), ...AT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['Báo cáo Ban chỉ đạo Tháng 11/2026 — KCN VSIP I', '• Thành viên đang hoạt động: 10; đã gửi 8 lượt tin (1 đợt)', '• Sinh hoạt: 2 buổi, tỷ lệ tham dự 66,7 %']);
    expect(r.stdout).toContain(`wrote ${html}`);
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>\n<html lang="vi">/);
    expect(page).toContain('<h1>Báo cáo gửi Ban chỉ đạo — Tháng 11/2026</h1>');
    expect(page).toContain('@page { size: A4;');
    expect(page).not.toMatch(/<script|<link|<img|src=/i);
    if (HAS_CHROMIUM) expect((await readFile(pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await app.models.Audit.countDocuments({ action: 'report.steering_exported', actor: 'admin-cli', target: 'vsip1' })).toBe(1);
  }, 60_000);

  it('writes English with --lang en, and reports the current month so far', async () => {
    const r = await admin('steering-report', '--unit', 'ent-hoa-sen', '--month', '2026-11', '--lang', 'en', '--at', '2026-11-25T09:00:00+07:00');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['Steering committee report, November 2026 — Công ty CP May mặc Hoa Sen', 'The month is not over: figures so far, until 09:00 25/11/2026.']);
    expect(r.stderr).toContain('note: 2026-11 is not over yet');
  }, 60_000);

  it('refuses a month not begun, a malformed month, an unknown unit and an unknown language', async () => {
    const future = await admin('steering-report', '--unit', 'vsip1', '--month', '2026-12', '--at', '2026-11-25T09:00:00+07:00');
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('2026-12 has not begun yet (today is 25/11/2026 in Vietnam): there is no report for it');
    expect(await admin('steering-report', '--unit', 'vsip1', '--month', '2026-13', ...AT)).toMatchObject({ code: 2, stderr: expect.stringContaining('--month "2026-13" is not a month: write it as YYYY-MM, e.g. 2026-11') });
    expect(await admin('steering-report', '--unit', 'vsip1', ...AT)).toMatchObject({ code: 2, stderr: expect.stringContaining('--month is required') });
    const unit = await admin('steering-report', '--unit', 'nowhere', '--month', '2026-11', ...AT);
    expect(unit).toMatchObject({ code: 2, stdout: '' });
    expect(unit.stderr).toContain('no org unit "nowhere"');
    expect((await admin('steering-report', '--unit', 'vsip1', '--month', '2026-11', '--lang', 'fr', ...AT)).stderr).toContain('--lang "fr" is not a language of the app');
  }, 60_000);

  it('answers within a member\'s scope with --as, and refuses (audited) outside it', async () => {
    const out = await admin('steering-report', '--unit', 'kcn-song-than-2', '--month', '2026-11', '--as', 'm-vy', ...AT);
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toBe('refused: KCN Sóng Thần 2 (kcn-song-than-2) is outside the scope of member m-vy, whose secretariat/admin scope is vsip1\n');
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', 'details.attempted': 'cli.steering_report' })).toBe(1);
    const cadre = await admin('steering-report', '--unit', 'vsip1', '--month', '2026-11', '--as', 'c-tu', ...AT);
    expect(cadre.stderr).toContain('whose secretariat/admin scope is no unit (no secretariat or admin role)');
    const inside = await admin('steering-report', '--unit', 'ent-phuc-thinh', '--month', '2026-11', '--as', 'm-vy', ...AT);
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain('Báo cáo Ban chỉ đạo Tháng 11/2026 — Công ty TNHH Giày da Phúc Thịnh');
  }, 60_000);
});
