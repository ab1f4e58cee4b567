/**
 * The web console in a real browser: Debian's chromium, headless, driven by playwright-core.
 * A secretariat member asks the bot for a link in chat, opens it, signs in, reads the audit log
 * on a phone and on a desktop, switches to English, signs out; a zone secretariat member sees
 * only their zone. Screenshots go to .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots
 * refreshes the ones committed for the README).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { addMember } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

/** The sign-in link the bot sent; the person opens it a minute later (so the audit log orders the two entries). */
const linkFromBot = (chatId: string) => web.linkFromBot(chatId, { openAfterMs: 60_000 });
const shot = (page: Page, name: string) => web.shot(page, name);
const signIn = async (page: Page, chatId: string) => web.confirm(page, await linkFromBot(chatId));

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Nguyễn Thị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await addMember(app, { id: 'm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  const audit = app.services.audit;
  const at = (iso: string) => new Date(iso);
  await audit.record({ actor: 'm-cadre-hung', action: 'concern.accepted', target: 'PA-7K3Q', at: at('2026-11-20T02:15:00Z') });
  await audit.record({ actor: 'system:relay', action: 'concern.reporter.read', target: 'PA-7K3Q', details: { purpose: 'relay' }, at: at('2026-11-20T02:20:00Z') });
  await audit.record({ actor: 'm-cadre-hung', action: 'concern.reporter.viewed', target: 'PA-7K3Q', details: { basis: 'named' }, at: at('2026-11-20T03:05:00Z') });
  await audit.record({ actor: 'admin-cli', action: 'role.granted', target: 'm-vy', details: { role: 'secretariat', unit: 'vsip1' }, at: at('2026-11-21T01:00:00Z') });
  await audit.record({ actor: 'm-thu', action: 'broadcast.created', target: 'bc-2026-11-22', details: { audience: 'vsip1' }, at: at('2026-11-22T09:30:00Z') });
  await audit.record({ actor: '<script>alert(1)</script>', action: 'test.hostile', target: '{"$gt": ""}', details: { note: '<img src=x onerror=alert(1)>' }, at: at('2026-11-19T03:00:00Z') });
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('the web console in chromium', () => {
  it('a city secretariat member signs in through the bot link and reads the audit log on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await page.goto(`${base}/web`);
    expect(await page.locator('h1').textContent()).toBe('Đăng nhập');
    await shot(page, 'web-sign-in-phone');
    await page.goto(await linkFromBot('c-thu'));
    expect(await page.locator('h1').textContent()).toBe('Xác nhận đăng nhập');
    await shot(page, 'web-confirm-phone');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(`${base}/web`);
    expect(await page.locator('.greeting').textContent()).toBe('Xin chào Chị Nguyễn Thị Thư');
    expect(await page.locator('dl.who').textContent()).toContain('Thành Đoàn TP. Hồ Chí Minh — toàn bộ các đơn vị');
    await shot(page, 'web-home-phone');

    await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Nhật ký hoạt động' }).click();
    await page.waitForURL(`${base}/web/audit`);
    // The rendered DOM: newest first, identity views marked, hostile text shown as text and never run.
    const dom = await page.evaluate(() => ({
      rows: [...document.querySelectorAll('table.audit tbody tr')].map((tr) => ({ identity: tr.classList.contains('identity-view'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()) })),
      scripts: document.querySelectorAll('script, img').length,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      labels: [...document.querySelectorAll('form.filters input')].every((i) => !!document.querySelector(`label[for="${i.id}"]`)),
    }));
    expect(dom.rows.map((r) => r.cells[2]!.replace(/\s*Xem danh tính$/, ''))).toEqual([
      'web.signed_in',
      'web.link_issued',
      'broadcast.created',
      'role.granted',
      'concern.reporter.viewed',
      'concern.reporter.read',
      'concern.accepted',
      'test.hostile',
    ]);
    expect(dom.rows.map((r) => r.identity)).toEqual([false, false, false, false, true, true, false, false]);
    expect(dom.rows[0]!.cells[0]).toBe('09:01 25/11/2026');
    expect(dom.rows[4]!.cells[0]).toBe('10:05 20/11/2026');
    expect(dom.rows[7]!.cells[1]).toBe('<script>alert(1)</script>');
    expect(dom.rows[7]!.cells[4]).toBe('{"note":"<img src=x onerror=alert(1)>"}');
    expect(dom.scripts).toBe(0);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(dom.labels).toBe(true);
    await shot(page, 'web-audit-phone');

    // Filtering with a query-operator lookalike finds nothing and shows the text back as typed.
    await page.getByLabel('Người thực hiện (mã)').fill('{"$gt": ""}');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/actor=/);
    expect(await page.locator('p.empty').textContent()).toBe('Không có mục nào khớp bộ lọc.');
    expect(await page.getByLabel('Người thực hiện (mã)').inputValue()).toBe('{"$gt": ""}');
    await page.close();
  });

  it('on a desktop: filters identity views, switches to English, and signs out', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-thu');
    await page.goto(`${base}/web/audit`);
    await shot(page, 'web-audit-desktop');
    await page.getByLabel('Thao tác').fill('concern.reporter.*');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/action=/);
    expect(await page.locator('table.audit tbody tr.identity-view').count()).toBe(2);
    expect(await page.locator('table.audit tbody tr').count()).toBe(2);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Xuất CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);

    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Audit log');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // The filter survived the switch.
    expect(await page.getByLabel('Action').inputValue()).toBe('concern.reporter.*');
    await shot(page, 'web-audit-desktop-en');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/web/signed-out`);
    expect(await page.locator('h1').textContent()).toBe('Signed out');
    await page.goto(`${base}/web/audit`);
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    await page.close();
  });

  it('a zone secretariat member sees their zone and no audit log', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-vy');
    expect(await page.locator('dl.who').textContent()).toContain('KCN VSIP I và các đơn vị trực thuộc');
    expect(await page.getByRole('link', { name: 'Nhật ký hoạt động' }).count()).toBe(0);
    await shot(page, 'web-home-zone-phone');
    const res = await page.goto(`${base}/web/audit`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Không tìm thấy trang');
    await page.close();
  });
});
