/**
 * Collective cases in the web console, in chromium on a phone: a zone secretariat member opens
 * the cases from the navigation, filters them, opens the case three workers' wage concerns formed,
 * and follows one of its concern codes to the concern's page. The rendered DOM is checked (no
 * sideways scroll, every input labelled, no script, no reporter named); screenshots go to
 * .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots refreshes the committed ones).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;
let caseId = '';
const codes: string[] = [];
const REPORTERS = ['Trần Thị Lan Anh', 'Phạm Văn Hải Đăng', 'Vũ Thị Tuyết Mai'];

const domOf = (page: Page) =>
  page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((i) => !document.querySelector(`label[for="${i.id}"]`)).length,
    scripts: document.querySelectorAll('script').length,
    text: document.body.innerText,
  }));

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'wc-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'wc-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'wc-lead', name: 'Anh Tâm Công đoàn', roles: ['worker', 'cadre'] });
  await assign(app, { memberId: 'wc-lead', unit: 'vsip1', organisation: 'trade_union' });
  for (const [i, name] of REPORTERS.entries()) {
    await addMember(app, { id: `wc-w${i}`, name, orgUnitId: 'ent-hoa-sen' });
    const r = await app.services.cases.submit({ memberId: `wc-w${i}`, category: 'wages', orgUnitId: 'ent-hoa-sen', description: `Công ty nợ lương tháng 10 của tổ ${i + 1}`, photos: 0, anonymous: i > 0, intakeKey: `wc-${i}`, at: app.clock.now() });
    codes.push(r.concern._id);
    caseId = r.caseId ?? caseId;
    app.clock.advance(3600_000);
  }
  await app.services.cases.leadAction('wc-lead', caseId, { kind: 'reply', text: 'Công đoàn đã làm việc với công ty; lương tháng 10 sẽ được trả trước ngày 5.' }, app.clock.now(), 'wc-reply');
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('collective cases in the web console, in chromium', () => {
  it('a zone secretariat member finds the wage case on a phone and follows a concern code to its page', async () => {
    expect(caseId).toMatch(/^VV-/);
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-vy');
    await page.getByRole('link', { name: 'Vụ việc tập thể' }).click();
    await page.waitForURL(`${base}/web/cases`);
    let dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('[data-count="open"]').textContent()).toBe('1');
    await web.shot(page, 'web-cases-phone');

    await page.getByLabel('Trạng thái').selectOption('open');
    await page.getByLabel('Lĩnh vực').selectOption('wages');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(`${base}/web/cases?status=open&category=wages&unit=`);
    await page.getByRole('link', { name: caseId }).click();
    await page.waitForURL(`${base}/web/cases/${caseId}`);
    dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(dom.text).toContain('Anh Tâm Công đoàn trả lời tất cả người phản ánh');
    for (const code of codes) expect(dom.text).toContain(code);
    for (const name of REPORTERS) expect(dom.text).not.toContain(name);
    await web.shot(page, 'web-case-phone');

    await page.getByRole('link', { name: codes[1]!, exact: true }).click();
    await page.waitForURL(`${base}/web/concerns/${codes[1]}`);
    expect(await page.locator('h1').textContent()).toContain(codes[1]);
    await page.close();
  });
});
