/**
 * "You said, we did" in the web console, in chromium on a phone: a zone secretariat member opens
 * the page from the navigation, sees an agreed outcome note and a closed survey, publishes the
 * note, then writes the survey's feedback from the drafted text and sends it. The rendered DOM is
 * checked (no sideways scroll, every input labelled, no script); screenshots go to .data/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSurvey } from '../core/surveys/definition.js';
import { addMember, assign, fastPolicy } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { pageChecks, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'wf-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'wf-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'wf-lead', name: 'Anh Lực Công đoàn', roles: ['cadre'] });
  await assign(app, { memberId: 'wf-lead', unit: 'ent-hoa-sen', organisation: 'trade_union' });
  await app.services.surveys.importDefinition(
    validateSurvey({
      id: 'wf-meal', title: { vi: 'Bữa ăn giữa ca' }, opensAt: '2026-11-20T00:00:00+07:00', closesAt: '2026-11-26T00:00:00+07:00', anonymous: true,
      audience: { roles: ['worker'], orgUnits: ['vsip1'] }, profile: [],
      questions: [{ id: 'q', type: 'single', text: { vi: 'Bữa ăn giữa ca có đủ no không?' }, options: [{ id: 'y', text: { vi: 'Đủ no' } }, { id: 'n', text: { vi: 'Chưa đủ' } }] }],
    }),
    { actor: 'test', at: app.clock.now() },
  );
  const survey = (await app.services.surveys.get('wf-meal'))!;
  for (let i = 0; i < 6; i++) {
    await addMember(app, { id: `wf-w${i}`, name: `Công nhân ${i}`, orgUnitId: 'ent-hoa-sen' });
    await app.services.surveys.submit({ survey, member: (await app.services.members.get(`wf-w${i}`))!, answers: { q: i < 4 ? 'n' : 'y' }, locale: 'vi', now: app.clock.now() });
  }
  const { concern } = await app.services.concerns.submit({ memberId: 'wf-w0', category: 'overtime', orgUnitId: 'ent-hoa-sen', description: 'Tăng ca đến 22 giờ', photos: 0, anonymous: true, intakeKey: 'wf-1', at: app.clock.now() });
  await app.services.concerns.act('wf-lead', concern._id, { kind: 'resolve', summary: 'Công ty giảm giờ tăng ca' }, app.clock.now(), 'wf-r');
  await app.services.feedback.proposeOutcome('wf-lead', concern._id, 'Sau khi Công đoàn làm việc, công ty cam kết tăng ca không quá 2 giờ mỗi ngày.', 'vi', app.clock.now(), 'wf-p');
  await app.services.feedback.answerConsent('wf-w0', concern._id, true, app.clock.now());
  app.clock.advance(2 * 24 * 3600_000);
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('"you said, we did" in the web console, in chromium', () => {
  it('a zone secretariat member publishes an outcome note and a survey’s feedback on a phone', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-vy');
    await page.getByRole('link', { name: 'Bạn nói, chúng tôi làm' }).click();
    await page.waitForURL(`${base}/web/feedback`);
    let dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('[data-status="ready"]').textContent()).toBe('Đã đồng ý, chờ đăng');
    await web.shot(page, 'web-feedback-phone');

    await page.getByRole('button', { name: 'Đăng cho công nhân' }).click();
    await page.waitForURL(`${base}/web/feedback?done=publish`);
    expect(await page.locator('[data-status="published"]').textContent()).toBe('Đã đăng');

    await page.getByRole('link', { name: 'Viết và gửi' }).click();
    await page.waitForURL(`${base}/web/feedback/survey/wf-meal`);
    expect(await page.getByLabel('Điều các bạn đã chia sẻ').inputValue()).toContain('Chưa đủ (66,7 %)');
    await page.getByLabel('Điều Đoàn, Hội sẽ làm').fill('Công đoàn KCN sẽ làm việc với bếp ăn để tăng khẩu phần từ tháng 12.');
    dom = await pageChecks(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    expect(dom.overflow).toBeLessThanOrEqual(0);
    await web.shot(page, 'web-feedback-survey-phone');
    await page.getByRole('button', { name: 'Gửi cho mọi người được mời' }).click();
    await page.waitForURL(`${base}/web/feedback?done=survey`);
    expect(await page.locator('p.notice').textContent()).toContain('Đã gửi phần');
    expect((await app.services.feedback.get('sf-wf-meal'))!.status).toBe('published');
    await page.close();
  });
});
