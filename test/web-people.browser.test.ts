/**
 * People and organisation on the web console in a real browser (Debian's chromium, headless,
 * playwright-core), on the sample org tree with the demo staff (core/members/demo-staff.ts): the
 * ward secretariat of Bình Hòa signs in through the bot's link on a phone, chooses a members CSV
 * with one row outside the ward (the file chooser fills the text box), watches the progress page
 * refresh itself to the end and sees the rejected row with its line; views the cadres of the ward
 * with their load; finds an imported member, grants a role and revokes it. Without JavaScript the
 * same form takes pasted text. Screenshots go to .data/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoStaff } from '../core/members/demo-staff.js';
import { seedSampleOrg } from '../core/org/sample-seed.js';
import { pageChecks, DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

const CSV = [
  'name,roles,org_unit,channel,platform_user_id',
  'Nguyễn Văn An,worker,ent-phuc-thinh,zalo,z-9001',
  'Ngoài Phường,worker,ent-an-loc-phat,zalo,z-9002',
  'Trần Thị Bình,worker,kcn-vsip1,zalo,z-9003',
].join('\n');

beforeAll(async () => {
  app = await startTestApp();
  await seedSampleOrg(app.models);
  await seedDemoStaff(app.models, app.services.concerns, app.clock.now());
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('people and organisation in the web console, in chromium', () => {
  it('the ward secretariat imports members with one bad row, sees its line, views the cadres and grants and revokes a role', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'thuky-phuong');
    await page.getByRole('link', { name: 'Người và tổ chức' }).click();
    await page.waitForURL(`${base}/web/people`);
    await page.getByRole('link', { name: 'Nhập danh sách (CSV)' }).click();
    await page.waitForURL(`${base}/web/people/import`);
    // The one script of the console shows the file chooser and fills the box from the file.
    await page.getByLabel('Chọn tệp CSV').setInputFiles({ name: 'thanh-vien.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    await expect.poll(() => page.getByLabel('Nội dung tệp').inputValue()).toBe(CSV);
    let dom = await pageChecks(page);
    expect(dom.unlabelled).toBe(0);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-people-import-phone');

    await page.getByRole('button', { name: 'Bắt đầu nhập' }).click();
    await page.waitForURL(/\/web\/people\/import\/imp-[0-9a-f]{16}/);
    // The page refreshes itself (meta refresh) until the import has ended.
    await page.locator('[data-state="completed"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-figure="created"]').textContent()).toBe('2');
    expect(await page.locator('[data-figure="rejected"]').textContent()).toBe('1');
    const rejected = page.locator('tr[data-line="3"]');
    expect(await rejected.textContent()).toContain('Đơn vị "ent-an-loc-phat" không thuộc phạm vi của bạn.');
    dom = await pageChecks(page);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-people-import-result-phone');

    // The cadres of the ward, by unit, with their open load.
    await page.goto(`${base}/web/people`);
    await page.getByRole('link', { name: 'Cán bộ theo đơn vị' }).click();
    await page.waitForURL(`${base}/web/people/cadres`);
    expect(await page.locator('tr[data-cadre="cadre-hung"]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-cadre="cadre-hung"] [data-figure="open"]').first().textContent()).toBe('0');
    dom = await pageChecks(page);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-people-cadres-phone');

    // Find the imported member, grant the cadre role at her unit, then revoke it.
    await page.goto(`${base}/web/people/roles`);
    await page.getByLabel('Mã thành viên hoặc tên').fill('Nguyễn Văn An');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await page.getByRole('link', { name: 'Nguyễn Văn An' }).click();
    await page.waitForURL(/\/web\/people\/roles\/m[0-9a-f]{20}$/);
    const memberId = /roles\/(m[0-9a-f]{20})$/.exec(page.url())![1]!;
    await page.getByLabel('Vai trò', { exact: true }).selectOption('cadre');
    await page.getByRole('button', { name: 'Cấp vai trò' }).click();
    await page.waitForURL(/\?done=granted$/);
    expect(await page.locator('p.notice').textContent()).toBe('Đã cấp vai trò.');
    expect((await app.models.Member.findById(memberId).lean())!.roles).toEqual(['worker', 'cadre']);
    await web.shot(page, 'web-people-role-granted-phone');
    await page.locator('li[data-grant^="cadre:"]').getByRole('button', { name: 'Thu hồi' }).click();
    await page.locator('p.notice').waitFor();
    expect(await page.locator('p.notice').textContent()).toContain('Đã thu hồi vai trò cán bộ');
    expect((await app.models.Member.findById(memberId).lean())!.roles).toEqual(['worker']);
    expect(await app.models.Audit.countDocuments({ actor: 'thuky-phuong', action: { $in: ['role.granted', 'role.revoked'] }, target: memberId })).toBe(2);
    await web.shot(page, 'web-people-role-revoked-phone');
    await page.close();
  });

  it('without JavaScript the file chooser stays hidden and pasted text is imported', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false, locale: 'vi-VN' });
    const page = await context.newPage();
    await web.signIn(page, 'thuky-phuong');
    await page.goto(`${base}/web/people/import`);
    expect(await page.locator('#f-file').count()).toBe(0);
    await page.getByLabel('Nội dung tệp').fill('name,roles,org_unit,channel,platform_user_id\nLê Văn Cường,worker,ent-phuc-thinh,zalo,z-9010\n');
    await page.getByRole('button', { name: 'Bắt đầu nhập' }).click();
    await page.waitForURL(/\/web\/people\/import\/imp-[0-9a-f]{16}/);
    await page.locator('[data-state="completed"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-figure="created"]').textContent()).toBe('1');
    await web.shot(page, 'web-people-import-nojs-desktop');
    await context.close();
  });
});
