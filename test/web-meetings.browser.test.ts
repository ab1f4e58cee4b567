/**
 * Branch meetings in the web console, in chromium on a phone: a zone secretariat member opens the
 * page from the navigation, sees a meeting's vote counts, opens it and fixes the most voted time.
 * The rendered DOM is checked (no sideways scroll, every input labelled, no script); screenshots
 * go to .data/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { pageChecks, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;
let meetingId: string;
const vn = (s: string) => new Date(`${s}+07:00`);

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'wm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'wm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  for (let i = 0; i < 4; i++) await addMember(app, { id: `wm-w${i}`, name: `Công nhân ${i}`, orgUnitId: 'ent-hoa-sen' });
  const slots = [
    { at: vn('2026-11-27T14:30:00'), label: 'Sau ca sáng thứ 6' },
    { at: vn('2026-11-29T09:00:00'), label: 'Sáng Chủ nhật' },
  ];
  meetingId = (await app.services.meetings.create({ unitId: 'ent-hoa-sen', topic: 'Tìm hiểu BHXH một lần', place: 'Nhà văn hóa KCN VSIP I', slots, deadline: vn('2026-11-26T20:00:00') }, { operator: 'test' }, app.clock.now()))._id;
  for (const [i, chosen] of [[1], [0, 1], [1], []].entries()) await app.services.meetings.vote(meetingId, (await app.services.members.get(`wm-w${i}`))!, chosen, app.clock.now());
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('branch meetings in the web console, in chromium', () => {
  it('a zone secretariat member reads the vote counts and fixes the most voted time on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-vy');
    await page.getByRole('link', { name: 'Sinh hoạt chi đoàn' }).click();
    await page.waitForURL(`${base}/web/meetings`);
    let dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(await page.locator(`tr[data-meeting="${meetingId}"] li[data-slot="1"]`).textContent()).toBe('Sáng Chủ nhật — 09:00 29/11/2026: 3 người');
    await web.shot(page, 'web-meetings-phone');

    await page.getByRole('link', { name: 'Tìm hiểu BHXH một lần' }).click();
    await page.waitForURL(`${base}/web/meetings/${meetingId}`);
    await page.getByLabel('Giờ được chọn nhiều nhất').check();
    dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-meeting-detail-phone');
    await page.getByRole('button', { name: 'Chốt giờ' }).click();
    await page.waitForURL(`${base}/web/meetings/${meetingId}?done=fixed`);
    expect(await page.locator('p.notice').textContent()).toContain('Đã chốt giờ');
    expect(await page.locator('dl.facts [data-status]').textContent()).toBe('Đã chốt giờ');
    expect((await app.services.meetings.get(meetingId))!).toMatchObject({ status: 'fixed', fixedSlot: 1 });
    await page.close();
  });
});
