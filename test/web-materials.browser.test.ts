/**
 * Materials and the queues board of the web console in a real browser (Debian's chromium,
 * headless, playwright-core; test/support/web-browser.ts). A city-level member holding the
 * secretariat and admin roles signs in through the bot's link on a phone, opens the materials
 * from the navigation, adds one in Vietnamese and English with photo URLs (a first try with an
 * http photo is refused next to the field), edits it and unpublishes it; then on a desktop opens
 * the queues board, whose own scripts run under its CSP and list the app's queues. The materials
 * pages are checked for no sideways scroll, labelled inputs and no script. Screenshots go to
 * .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots refreshes the committed ones).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_QUEUE } from '../core/broadcasts/broadcast-service.js';
import { pageChecks, DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { addMember } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-quan', name: 'Anh Lê Minh Quân', roles: ['worker', 'secretariat', 'admin'], orgUnitId: 'hcm', chatId: 'c-quan' });
  await app.models.Member.updateOne({ _id: 'm-quan' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }, { role: 'admin', unitId: 'hcm' }] } });
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('materials and the queues board, in chromium', () => {
  it('adds a material in two languages with photos, edits and unpublishes it on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-quan');
    await page.getByRole('link', { name: 'Tài liệu' }).click();
    await page.waitForURL(`${base}/web/materials`);
    await page.getByRole('link', { name: 'Thêm tài liệu' }).click();
    await page.waitForURL(`${base}/web/materials/new`);
    let dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);

    await page.getByLabel('Chủ đề').selectOption('health');
    const vi = page.locator('fieldset[lang="vi"]');
    const en = page.locator('fieldset[lang="en"]');
    await vi.getByLabel('Tiêu đề').fill('Phòng say nắng khi làm ca');
    await vi.getByLabel('Nội dung', { exact: true }).fill('Uống nước mỗi 20 phút, nghỉ nơi thoáng mát, báo ngay tổ trưởng khi thấy chóng mặt.');
    await vi.getByLabel('Địa chỉ ảnh (không bắt buộc)').fill('http://example.org/nang.jpg');
    await en.getByLabel('Tiêu đề').fill('Avoiding heatstroke on shift');
    await en.getByLabel('Nội dung', { exact: true }).fill('Drink water every 20 minutes, rest in the shade, tell your team leader if you feel dizzy.');
    await en.getByLabel('Địa chỉ ảnh (không bắt buộc)').fill('https://example.org/heat.jpg');
    await page.getByRole('button', { name: 'Lưu tài liệu' }).click();
    await page.waitForLoadState();
    // Refused next to the photo field, with what was typed kept.
    expect(await page.locator('#err-vi-photoUrl').textContent()).toContain('https://');
    expect(await vi.getByLabel('Địa chỉ ảnh (không bắt buộc)').getAttribute('aria-invalid')).toBe('true');
    expect(await en.getByLabel('Tiêu đề').inputValue()).toBe('Avoiding heatstroke on shift');
    expect((await pageChecks(page)).overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-material-refused-phone');

    await vi.getByLabel('Địa chỉ ảnh (không bắt buộc)').fill('https://example.org/nang.jpg');
    await page.getByRole('button', { name: 'Lưu tài liệu' }).click();
    await page.waitForURL(/\/web\/materials\/mat-[0-9a-f]{10}\?done=created$/);
    const id = /mat-[0-9a-f]{10}/.exec(page.url())![0];
    expect(await page.locator('p.notice').textContent()).toContain('Đã lưu tài liệu mới.');
    expect((await app.services.materials.get(id))!.content.vi!.photoUrl).toBe('https://example.org/nang.jpg');
    dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-material-edit-phone');

    // Edit the English text.
    await page.locator('fieldset[lang="en"]').getByLabel('Nội dung', { exact: true }).fill('Drink water often and rest in the shade.');
    await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.waitForURL(/done=updated$/);
    expect((await app.services.materials.get(id))!.content.en!.body).toBe('Drink water often and rest in the shade.');

    // Unpublish.
    await page.getByRole('button', { name: 'Gỡ tài liệu' }).click();
    await page.waitForURL(/done=unpublished$/);
    expect(await page.locator('dl.facts [data-state]').textContent()).toBe('Đã gỡ');
    expect((await app.services.materials.newest({ now: app.clock.now() })).items).toHaveLength(0);
    await web.shot(page, 'web-material-unpublished-phone');

    await page.goto(`${base}/web/materials`);
    expect(await page.locator(`tr[data-material="${id}"] [data-state]`).textContent()).toBe('Đã gỡ');
    expect((await pageChecks(page)).overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-materials-phone');
    await page.close();
  });

  it('opens the queues board on a desktop: its scripts run and list the queues', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    const blocked: string[] = [];
    page.on('console', (m) => {
      // The board links Google Fonts, which our CSP leaves out on purpose; anything else blocked is a failure.
      if (m.type() === 'error' && /Content Security Policy/.test(m.text()) && !/fonts\.googleapis\.com/.test(m.text())) blocked.push(m.text());
    });
    await web.signIn(page, 'c-quan');
    await page.getByRole('link', { name: 'Hàng đợi' }).click();
    await page.waitForURL(`${base}/web/queues`);
    await page.getByText(BROADCAST_QUEUE, { exact: true }).first().waitFor({ timeout: 15_000 });
    expect(await page.getByText('deliver', { exact: false }).count()).toBeGreaterThan(0);
    // Open one queue: its view loads through the board's JSON API.
    await page.getByText(BROADCAST_QUEUE, { exact: true }).first().click();
    await page.waitForURL(`${base}/web/queues/queue/${BROADCAST_QUEUE}`);
    await page.getByText(/Loading/).first().waitFor({ state: 'detached', timeout: 15_000 });
    expect(blocked).toEqual([]);
    await web.shot(page, 'web-queues-desktop');
    await page.close();
  });
});
