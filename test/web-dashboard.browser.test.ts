/**
 * The dashboard in a real browser (Debian's chromium via playwright-core, as
 * web-console.browser.test.ts): the city level on a desktop and a phone, a zone on a phone. Checks
 * the SVG charts are drawn (sized, with bars), that nothing runs or overflows the phone's width,
 * and saves screenshots (the top 2,400 px of each page) to .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots refreshes the
 * committed ones).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SHOTS, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { seedDashboard } from '../bots/web/dashboard-test-seed.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

async function signIn(page: Page, memberId: string): Promise<void> {
  const url = (await app.services.webSignIn.issueLink((await app.services.members.get(memberId))!, { at: app.clock.now(), via: 'chat' })).url;
  await web.confirm(page, base + new URL(url).pathname);
}

/** What the browser drew: each chart's size and shapes, scripts, horizontal overflow. */
function drawn(page: Page) {
  return page.evaluate(() => ({
    charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
      const box = svg.getBoundingClientRect();
      return { id: svg.getAttribute('aria-labelledby'), width: box.width, height: box.height, paths: svg.querySelectorAll('path').length, texts: svg.querySelectorAll('text').length };
    }),
    scripts: document.querySelectorAll('script').length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    tables: document.querySelectorAll('table.data').length,
  }));
}

beforeAll(async () => {
  app = await startTestApp();
  await seedDashboard(app);
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('the dashboard in chromium', () => {
  it('the city level on a desktop: every chart drawn, with its table', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'm-thu');
    await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Bảng tổng hợp' }).click();
    await page.waitForURL(`${base}/web/dashboard`);
    expect(await page.locator('h1').textContent()).toBe('Bảng tổng hợp');
    const d = await drawn(page);
    expect(d.charts).toHaveLength(10);
    for (const c of d.charts) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.height).toBeGreaterThan(100);
      expect(c.paths).toBeGreaterThan(3);
      expect(c.texts).toBeGreaterThan(2);
    }
    expect(d.tables).toBe(11);
    expect(d.scripts).toBe(0);
    expect(d.overflow).toBeLessThanOrEqual(0);
    // The SVG is labelled by its caption for a screen reader.
    expect(await page.getByRole('img', { name: 'Phản ánh theo lĩnh vực' }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'web-dashboard-desktop.png'), fullPage: true, clip: { x: 0, y: 0, width: DESKTOP.width, height: 2400 } });

    // A chosen period through the form.
    await page.getByLabel('Từ ngày').fill('2026-11-16');
    await page.getByLabel('Đến ngày').fill('2026-11-22');
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.waitForURL(/from=2026-11-16/);
    expect(await page.locator('#t-sla-trend tbody tr').count()).toBe(1);
    await page.close();
  });

  it('the city level on a phone: charts scale to the screen, nothing overflows', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'm-thu');
    await page.goto(`${base}/web/dashboard`);
    const d = await drawn(page);
    expect(d.charts).toHaveLength(10);
    for (const c of d.charts) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.width).toBeLessThanOrEqual(PHONE.width);
    }
    expect(d.overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'web-dashboard-phone.png'), fullPage: true, clip: { x: 0, y: 0, width: PHONE.width, height: 2400 } });
    await page.close();
  });

  it('a zone on a phone sees its own units, and a bad period is explained', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'm-vy');
    await page.goto(`${base}/web/dashboard`);
    expect(await page.locator('.scope-line').textContent()).toContain('KCN VSIP I và các đơn vị trực thuộc');
    expect(await page.locator('main').textContent()).not.toContain('Sóng Thần');
    expect((await drawn(page)).overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'web-dashboard-zone-phone.png'), fullPage: true, clip: { x: 0, y: 0, width: PHONE.width, height: 2400 } });
    const res = await page.goto(`${base}/web/dashboard?from=2026-11-22&to=2026-11-01`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('.problem').textContent()).toContain('"Từ ngày" đang sau "Đến ngày"');
    await page.close();
  });
});
