/**
 * The broadcasts pages of the web console in a real browser: Debian's chromium, headless, driven
 * by playwright-core (the same launcher as web-console.browser.test.ts). A city secretariat member
 * on a phone signs in through the bot's link, opens the broadcasts from the navigation, composes
 * one, previews its audience and creates it scheduled; a zone secretariat member on a desktop
 * sees the list and the compose page with only the zone's units. The rendered DOM is checked (no
 * sideways scroll, every input labelled, no script). Screenshots go to .data/screenshots/
 * (WEB_SCREENSHOTS=docs/screenshots refreshes the committed ones).
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

const signIn = (page: Page, chatId: string) => web.signIn(page, chatId);
const shot = (page: Page, name: string) => web.shot(page, name);

const domOf = (page: Page) =>
  page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((i) => !document.querySelector(`label[for="${i.id}"]`)).length,
    scripts: document.querySelectorAll('script').length,
    units: [...document.querySelectorAll('select#f-unit option')].map((o) => (o as HTMLOptionElement).value),
  }));

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Nguyễn Thị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await addMember(app, { id: 'm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  for (const [i, unit] of ['ent-phuc-thinh', 'ent-phuc-thinh', 'ent-hoa-sen', 'ent-det-song-than'].entries()) await addMember(app, { id: `m-w${i}`, name: `Công nhân ${i}`, orgUnitId: unit });
  await app.models.Member.updateOne({ _id: 'm-w2' }, { $set: { broadcastsOptOut: true } });
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('broadcasts in the web console, in chromium', () => {
  it('a city secretariat member composes, previews and schedules a broadcast on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-thu');
    await page.getByRole('link', { name: 'Tin nhắn hàng loạt' }).click();
    await page.waitForURL(`${base}/web/broadcasts`);
    await page.getByRole('link', { name: 'Soạn tin mới' }).click();
    await page.waitForURL(`${base}/web/broadcasts/new`);
    let dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(dom.units).toEqual(expect.arrayContaining(['', 'hcm', 'vsip1', 'kcn-song-than-2']));
    await shot(page, 'web-broadcast-compose-phone');

    await page.getByLabel('Nội dung tin nhắn').fill('Chủ nhật này có hội thao công nhân KCN VSIP I, mời các bạn tham gia!');
    await page.getByLabel('Đơn vị (gồm các đơn vị trực thuộc)').selectOption('vsip1');
    await page.getByLabel('Gửi một lần vào thời điểm').check();
    await page.getByLabel('Ngày giờ gửi (giờ Việt Nam)').fill('2027-01-20T08:00');
    await page.getByRole('button', { name: 'Xem trước số người nhận' }).click();
    await page.waitForLoadState();
    const size = await app.services.broadcasts.preview({ orgUnitId: 'vsip1' });
    expect(await page.locator('[data-figure="targeted"]').textContent()).toBe(String(size.targeted));
    expect(await page.locator('[data-figure="optedOut"]').textContent()).toBe('1');
    dom = await domOf(page);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await shot(page, 'web-broadcast-preview-phone');

    await page.getByRole('button', { name: 'Tạo tin nhắn' }).click();
    await page.waitForURL(/\/web\/broadcasts\/bc-[0-9a-f]{12}\?done=created$/);
    expect(await page.locator('p.notice').textContent()).toContain('Đã tạo và lên lịch tin nhắn.');
    expect(await page.locator('[data-status]').textContent()).toBe('Đã lên lịch');
    expect((await domOf(page)).overflow).toBeLessThanOrEqual(0);
    await shot(page, 'web-broadcast-detail-phone');
    await page.getByRole('button', { name: 'Tạm dừng' }).click();
    await page.waitForURL(/done=pause$/);
    expect(await page.locator('[data-status]').textContent()).toBe('Tạm dừng');

    await page.goto(`${base}/web/broadcasts`);
    expect(await page.locator('table.broadcasts tbody tr').count()).toBe(1);
    expect((await domOf(page)).overflow).toBeLessThanOrEqual(0);
    await shot(page, 'web-broadcasts-phone');
    await page.close();
  });

  it('a zone secretariat member sees the list and composes within the zone on a desktop', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-vy');
    await page.goto(`${base}/web/broadcasts`);
    expect(await page.locator('table.broadcasts tbody tr').count()).toBe(1); // the city's broadcast to VSIP I
    await shot(page, 'web-broadcasts-desktop');
    await page.goto(`${base}/web/broadcasts/new`);
    const dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0, overflow: 0 });
    expect([...dom.units].sort()).toEqual(['ent-hoa-sen', 'ent-phuc-thinh', 'vsip1']);
    expect(dom.units).not.toContain('kcn-song-than-2');
    expect(dom.units).not.toContain('');
    await shot(page, 'web-broadcast-compose-desktop');
    await page.close();
  });
});
