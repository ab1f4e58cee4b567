/**
 * The concerns pages of the web console in a real browser: Debian's chromium, headless, driven by
 * playwright-core (the same launcher as web-console.browser.test.ts). A city secretariat member
 * signs in through the bot's link on a phone, opens the list from the navigation and a concern
 * from the list; a zone secretariat member on a desktop filters, reveals a named reporter (the
 * audited POST) and assigns a flagged concern. The rendered DOM is checked (rows, cards on the
 * phone, no sideways scroll, labels, no reporter of an anonymous concern anywhere in the page).
 * Screenshots go to .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots refreshes the committed ones).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { addMember, assign, fastPolicy } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;
const code = { anon: '', named: '', songThan: '', resolved: '' };
/** The anonymous reporter: none of it may appear in any page. */
const LAN = { id: 'm-lan-7731', name: 'Phạm Thị Lan', phone: '0912345678', chat: 'zl-84912345678' };
const MAI = { name: 'Lê Thị Mai' };

const signIn = (page: Page, chatId: string) => web.signIn(page, chatId);
const shot = (page: Page, name: string) => web.shot(page, name);

/** What the page shows: the list's codes, whether rows are cards, sideways scroll, unlabelled inputs, scripts, the whole text. */
const domOf = (page: Page) =>
  page.evaluate(() => ({
    codes: [...document.querySelectorAll('table.concerns tbody tr td:first-child a')].map((a) => a.textContent!.trim()),
    rowDisplay: document.querySelector('table.concerns tbody tr') ? getComputedStyle(document.querySelector('table.concerns tbody tr')!).display : '',
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select')].filter((i) => !document.querySelector(`label[for="${i.id}"]`)).length,
    scripts: document.querySelectorAll('script').length,
    text: document.documentElement.outerHTML,
  }));

function expectNoReporter(text: string): void {
  for (const secret of [LAN.id, LAN.name, LAN.phone, LAN.chat]) expect(text).not.toContain(secret);
}

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy(3600, 7200) });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Nguyễn Thị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await addMember(app, { id: 'm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: LAN.id, name: `${LAN.name} (${LAN.phone})`, orgUnitId: 'ent-phuc-thinh', chatId: LAN.chat });
  await addMember(app, { id: 'm-mai', name: MAI.name, orgUnitId: 'ent-hoa-sen', chatId: 'zl-mai' });
  await addMember(app, { id: 'm-an', name: 'Đỗ Văn An', orgUnitId: 'ent-phuc-thinh', chatId: 'zl-an' });
  await addMember(app, { id: 'm-hung', name: 'Anh Trần Văn Hùng', roles: ['worker', 'cadre'], chatId: 'c-hung' });
  await addMember(app, { id: 'm-tuyet', name: 'Chị Võ Thị Tuyết', roles: ['worker', 'cadre'], chatId: 'c-tuyet' });
  await assign(app, { memberId: 'm-hung', unit: 'ent-phuc-thinh', organisation: 'trade_union', categories: ['wages'] });
  await assign(app, { memberId: 'm-tuyet', unit: 'vsip1', organisation: 'trade_union', categories: ['wages'] });
  const concerns = app.services.concerns;
  const step = (minutes: number) => {
    app.clock.advance(minutes * 60_000);
    return app.clock.now();
  };
  const submit = async (memberId: string, category: string, unit: string, anonymous: boolean, description: string) =>
    (await concerns.submit({ memberId, category, orgUnitId: unit, description, photos: 0, anonymous, intakeKey: `b-${description}`, at: app.clock.now() })).concern._id;
  code.anon = await submit(LAN.id, 'wages', 'ent-phuc-thinh', true, 'Công ty nợ lương tháng 9 và tháng 10, hẹn mãi chưa trả.');
  step(10);
  code.named = await submit('m-mai', 'overtime', 'ent-hoa-sen', false, 'Tổ em tăng ca hơn 60 giờ mỗi tháng, không được hỏi ý kiến.');
  step(10);
  code.songThan = await submit(LAN.id, 'wages', 'ent-det-song-than', true, 'Chậm lương ở Sóng Thần.');
  step(10);
  code.resolved = await submit('m-an', 'wages', 'ent-phuc-thinh', true, 'Trả thiếu tiền phụ cấp xăng xe tháng 10.');
  await concerns.act('m-hung', code.resolved, { kind: 'accept' }, step(5), 'k1');
  await concerns.act('m-hung', code.resolved, { kind: 'escalate' }, step(5), 'k2');
  await concerns.act('m-tuyet', code.resolved, { kind: 'reply', text: 'Chị đã làm việc với phòng nhân sự, tuần này công ty trả bù.' }, step(5), 'k3');
  await concerns.act('m-tuyet', code.resolved, { kind: 'resolve', summary: 'Công ty đã trả đủ phụ cấp tháng 10.' }, step(5), 'k4');
  step(40);
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('concerns in the web console, in chromium', () => {
  it('a city secretariat member opens the list and a concern on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-thu');
    await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Phản ánh' }).click();
    await page.waitForURL(`${base}/web/concerns`);
    expect(await page.locator('h1').textContent()).toBe('Phản ánh');
    const list = await domOf(page);
    expect(list.codes).toEqual([code.resolved, code.songThan, code.named, code.anon]);
    // On a phone each row is a card.
    expect(list.rowDisplay).toBe('block');
    expect(list.overflow).toBeLessThanOrEqual(0);
    expect(list.unlabelled).toBe(0);
    expect(list.scripts).toBe(0);
    expectNoReporter(list.text);
    const card = page.locator('table.concerns tbody tr', { hasText: code.anon });
    expect(await card.locator('td[data-label="Thời hạn"]').textContent()).toBe('Quá hạn phản hồi (hạn 10:00 25/11/2026)');
    expect(await card.locator('td[data-label="Đã gửi"]').textContent()).toBe('1 giờ trước');
    await shot(page, 'web-concerns-phone');

    await page.getByRole('link', { name: code.anon, exact: true }).click();
    await page.waitForURL(`${base}/web/concerns/${code.anon}`);
    expect(await page.locator('h1').textContent()).toBe(`Phản ánh ${code.anon}`);
    const detail = await domOf(page);
    expect(detail.overflow).toBeLessThanOrEqual(0);
    expectNoReporter(detail.text);
    expect(await page.locator('section.reporter').textContent()).toContain('Ẩn danh.');
    expect(await page.locator('section.reporter form').count()).toBe(0);
    expect(await page.locator('ol.timeline li .what').allTextContents()).toEqual(['Người phản ánh gửi phản ánh', 'Giao cho Anh Trần Văn Hùng (cấp 1 — Công ty TNHH Giày da Phúc Thịnh)']);
    await shot(page, 'web-concern-phone');

    await page.goto(`${base}/web/concerns/${code.resolved}`);
    expect(await page.locator('ol.timeline li').count()).toBe(7);
    await shot(page, 'web-concern-resolved-phone');
    await page.close();
  });

  it('a zone secretariat member filters, reveals a named reporter and assigns a flagged concern on a desktop', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await signIn(page, 'c-vy');
    await page.goto(`${base}/web/concerns`);
    const list = await domOf(page);
    expect(list.codes).toEqual([code.resolved, code.named, code.anon]);
    expect(list.rowDisplay).toBe('table-row');
    expect(list.unlabelled).toBe(0);
    await shot(page, 'web-concerns-desktop');
    // Outside the zone: not found.
    expect((await page.goto(`${base}/web/concerns/${code.songThan}`))?.status()).toBe(404);

    await page.goto(`${base}/web/concerns`);
    await page.getByLabel('Chỉ phản ánh chưa có người phụ trách').check();
    await page.getByLabel('Trạng thái').selectOption('open');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/flagged=1/);
    expect((await domOf(page)).codes).toEqual([code.named]);
    await shot(page, 'web-concerns-flagged-desktop');

    await page.getByRole('link', { name: code.named, exact: true }).click();
    await page.waitForURL(`${base}/web/concerns/${code.named}`);
    expect(await page.locator('main').textContent()).not.toContain(MAI.name);
    await page.getByRole('button', { name: 'Xem tên người phản ánh' }).click();
    await page.waitForLoadState();
    expect(await page.locator('section.reporter .revealed').textContent()).toBe(`Tên người phản ánh: ${MAI.name}`);
    // The name is in the page only: the URL stays the concern's.
    expect(page.url()).toBe(`${base}/web/concerns/${code.named}/reporter`);
    expect(page.url()).not.toContain('Mai');
    await shot(page, 'web-concern-reporter-desktop');
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', actor: 'm-vy', target: code.named })).toBe(1);

    await page.getByLabel('Cán bộ', { exact: true }).selectOption('m-tuyet');
    await page.getByRole('button', { name: 'Giao phản ánh' }).click();
    await page.waitForURL(`${base}/web/concerns/${code.named}?assigned=1`);
    expect(await page.locator('p.notice').textContent()).toContain('Đã giao phản ánh.');
    expect(await page.locator('section.facts').textContent()).toContain('Chị Võ Thị Tuyết');
    expect(await page.locator('section.assign').count()).toBe(0);
    expect(await page.locator('section.reporter .revealed').count()).toBe(0);
    await shot(page, 'web-concern-assigned-desktop');
    expect(await app.models.Audit.countDocuments({ action: 'concern.placed', actor: 'm-vy', target: code.named })).toBe(1);
    await page.close();
  });
});
