/**
 * The steering committee's monthly report in chromium: a zone secretariat member opens it from
 * the navigation (November 2026 of KCN VSIP I, the seeded month of test/support/steering-seed.ts),
 * on a desktop and on a phone; the page is self-contained and runs no script, its charts are drawn,
 * nothing overflows sideways on the phone, and its "Print / PDF" link answers a PDF. Screenshots
 * go to .data/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSteering, STEERING_NOW } from './support/steering-seed.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';

let app: TestApp;
let web: WebBrowser;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  await seedSteering(app);
  app.clock.advance(STEERING_NOW.getTime() - app.clock.now().getTime());
  web = await startWebBrowser(app);
  ({ browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

const linkFor = async (memberId: string) => web.base + new URL((await app.services.webSignIn.issueLink((await app.services.members.get(memberId))!, { at: app.clock.now(), via: 'chat' })).url).pathname;

describe('the steering report in chromium', () => {
  it('a zone secretariat member reads last month’s report on a desktop and a phone, and gets its PDF', async () => {
    for (const [viewport, name] of [[DESKTOP, 'web-steering-report-desktop'], [PHONE, 'web-steering-report-phone']] as const) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: 1, locale: 'vi-VN' });
      await web.confirm(page, await linkFor('m-vy'));
      await page.getByRole('link', { name: 'Báo cáo Ban chỉ đạo' }).click();
      await page.waitForURL(/\/web\/reports\/steering/);
      const dom = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        scripts: document.querySelectorAll('script').length,
        charts: document.querySelectorAll('svg').length,
        text: document.body.innerText,
      }));
      await web.shot(page, name);
      expect(dom.scripts).toBe(0);
      expect(dom.charts).toBeGreaterThan(0);
      expect(dom.text).toContain('KCN VSIP I');
      expect(dom.text).toContain('11/2026');
      if (viewport === PHONE) expect(dom.overflow).toBeLessThanOrEqual(0);
      if (viewport === DESKTOP) {
        const href = await page.getByRole('link', { name: 'In / tải PDF' }).getAttribute('href');
        const cookies = await page.context().cookies();
        const res = await fetch(new URL(href!, web.base), { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
      }
      await page.close();
    }
  });
});
