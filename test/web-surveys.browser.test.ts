/**
 * Surveys on the web console in a real browser (Debian's chromium via playwright-core, the shared
 * launcher test/support/web-browser.ts). A zone secretariat member signs in through the bot's
 * link, pastes a survey with a mistake, sees it by line, fixes it in the same box and saves it,
 * opens it; five workers answer it in chat, as people do; the results show as SVG charts with
 * their tables, on a desktop and on a phone. Then an inspection is uploaded as a file, one branch
 * inspected in chat, and the roll-up lists the branch not inspected yet. The rendered DOM is
 * checked (every input labelled, no script, no sideways scroll on the phone) and screenshots go to
 * .data/screenshots/ (WEB_SCREENSHOTS=docs/screenshots refreshes the committed ones).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebBrowser, type WebBrowser } from './support/web-browser.js';
import { addMember } from './support/concern-fixtures.js';
import { insertSampleUnits } from './support/sample-units.js';
import { onboardedPerson, startTestApp, textOf, type TestApp } from './support/test-app.js';

let app: TestApp;
let web: WebBrowser;
let base: string;
let browser: Browser;

const SURVEY = `# Khảo sát nhà trọ — KCN VSIP I
id: nha-tro-vsip
title:
  vi: Nhà trọ của thanh niên công nhân VSIP I
  en: Young workers' housing in VSIP I
opensAt: 2026-12-01T00:00:00+07:00
closesAt: 2027-01-31T23:59:59+07:00
anonymous: true
audience:
  orgUnits: [vsip1]
  roles: [worker]
questions:
  - id: housing
    type: single
    text: { vi: Bạn đang ở đâu?, en: Where do you live? }
    options:
      - { id: tro, text: { vi: Nhà trọ, en: Boarding room } }
      - { id: ktx, text: { vi: Ký túc xá, en: Dormitory } }
      - { id: nguoi_than, text: { vi: Nhà người thân, en: With relatives } }
  - id: happy
    type: scale
    text: { vi: Bạn hài lòng với chỗ ở hiện nay?, en: Are you happy with where you live? }
`;
/** The mistake: "choice" for "options", on line 16. */
const WITH_MISTAKE = SURVEY.replace('    options:\n', '    choice:\n');

const INSPECTION = `id: kiem-tra-vsip
kind: inspection
anonymous: false
title: { vi: Kiểm tra sinh hoạt tại doanh nghiệp VSIP I }
opensAt: 2026-11-01T00:00:00+07:00
closesAt: 2027-03-31T23:59:59+07:00
audience:
  orgUnits: [vsip1]
  roles: [cadre]
inspection:
  subjectKinds: [enterprise]
questions:
  - id: quality
    type: scale
    text: { vi: Chất lượng sinh hoạt }
`;

/** What the browser drew and whether the page is usable: charts, labels, scripts, overflow, the problems listed. */
const domOf = (page: Page) =>
  page.evaluate(() => ({
    charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
      const box = svg.getBoundingClientRect();
      return { id: svg.getAttribute('aria-labelledby'), width: box.width, height: box.height, paths: svg.querySelectorAll('path').length };
    }),
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((i) => !document.querySelector(`label[for="${i.id}"]`)).length,
    scripts: document.querySelectorAll('script').length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    problems: [...document.querySelectorAll('ol.problems li')].map((li) => li.textContent ?? ''),
  }));

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  web = await startWebBrowser(app);
  ({ base, browser } = web);
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('surveys on the web console, in chromium', () => {
  it('a zone secretariat member uploads a survey with a mistake, fixes it, opens it, and sees the results chart', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-vy');
    await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Khảo sát' }).click();
    await page.waitForURL(`${base}/web/surveys`);
    await page.getByRole('link', { name: 'Tải lên phiếu mới' }).click();
    await page.waitForURL(`${base}/web/surveys/new`);
    let dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });

    // With the mistake: refused, the problem named by line and path, the text still in the box.
    await page.getByLabel('Hoặc dán nội dung phiếu').fill(WITH_MISTAKE);
    await page.getByRole('button', { name: 'Kiểm tra và lưu phiếu' }).click();
    await page.waitForURL(`${base}/web/surveys/new`);
    dom = await domOf(page);
    expect(dom.problems).toHaveLength(1);
    expect(dom.problems[0]).toContain('Dòng 16 · questions[0]: Unrecognized key: "choice"');
    expect(dom.problems[0]).toContain('    choice:');
    expect(await page.getByRole('alert').count()).toBe(1);
    const kept = await page.getByLabel('Hoặc dán nội dung phiếu').inputValue();
    expect(kept.replace(/\r\n/g, '\n')).toBe(WITH_MISTAKE);
    expect(await app.services.surveys.get('nha-tro-vsip')).toBeNull();
    await web.shot(page, 'web-survey-upload-error');

    // Fixed in the same box, as a person would: saved, then opened now.
    await page.getByLabel('Hoặc dán nội dung phiếu').fill(kept.replace('choice:', 'options:'));
    await page.getByRole('button', { name: 'Kiểm tra và lưu phiếu' }).click();
    await page.waitForURL(`${base}/web/surveys/nha-tro-vsip?done=created`);
    expect(await page.locator('p.notice').textContent()).toBe('Đã tải lên phiếu mới.');
    expect(await page.locator('[data-state]').textContent()).toBe('Chưa mở (đã hẹn giờ)');
    expect((await domOf(page)).unlabelled).toBe(0);
    await web.shot(page, 'web-survey-created');
    await page.getByRole('button', { name: 'Mở phiếu ngay' }).click();
    await page.waitForURL(`${base}/web/surveys/nha-tro-vsip?done=open`);
    expect(await page.locator('[data-state]').textContent()).toBe('Đang mở');
    dom = await domOf(page);
    expect(dom).toMatchObject({ unlabelled: 0, scripts: 0 });
    await web.shot(page, 'web-survey-detail');

    // Five workers of Hoa Sen (in VSIP I) answer in chat: all live in boarding rooms, their ratings differ.
    for (const [i, [choice, rating]] of [['1', '4'], ['1', '2'], ['1', '5'], ['1', '3'], ['1', '4']].entries()) {
      const p = await onboardedPerson(app, `cn-${i}`);
      await p.say('khao sat');
      expect(p.last.choices?.[0]?.id).toBe('nha-tro-vsip');
      await p.say('1');
      expect(p.last.text).toContain('Câu 1/2');
      await p.say(choice!);
      expect(p.last.text).toContain('Câu 2/2');
      await p.say(rating!);
      expect(textOf(await p.say('gui phieu'))).toContain('ẩn danh');
    }
    expect(await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'nha-tro-vsip' })).toBe(5);

    await page.getByRole('link', { name: 'Kết quả' }).first().click();
    await page.waitForURL(`${base}/web/surveys/nha-tro-vsip/results`);
    expect(await page.locator('[data-figure="respondents"]').textContent()).toBe('5');
    dom = await domOf(page);
    expect(dom.scripts).toBe(0);
    expect(dom.charts.map((c) => c.id)).toEqual(['c-q-0', 'c-q-1', 'c-breakdown']);
    for (const c of dom.charts) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.paths).toBeGreaterThan(2);
    }
    const housing = page.locator('figure[aria-labelledby="c-q-0"] table tbody tr');
    expect(await housing.allTextContents()).toEqual(['Nhà trọ5100 %', 'Ký túc xá00 %', 'Nhà người thân00 %']);
    // By unit, where they live is shown (no figure about 1–4 people)…
    expect(await page.locator('figure[aria-labelledby="c-breakdown"] table tbody tr').first().textContent()).toBe('Thành Đoàn TP. Hồ Chí Minh555 (100 %)0 (0 %)0 (0 %)');
    await web.shot(page, 'web-survey-results');
    // …but their ratings, 1–2 people a point, are hidden: no chart, each figure marked.
    await page.getByLabel('Câu hỏi', { exact: true }).selectOption('happy');
    await page.getByRole('button', { name: 'Xem' }).click();
    await page.waitForURL(/q=happy/);
    expect((await domOf(page)).charts.map((c) => c.id)).toEqual(['c-q-0', 'c-q-1']);
    expect(await page.locator('figure[aria-labelledby="c-breakdown"] .suppressed').count()).toBeGreaterThan(6);

    // On a phone: the same page fits the width.
    const phone = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(phone, 'c-vy');
    await phone.goto(`${base}/web/surveys/nha-tro-vsip/results`);
    dom = await domOf(phone);
    expect(dom.overflow).toBeLessThanOrEqual(0);
    expect(dom.charts.length).toBe(3);
    await web.shot(phone, 'web-survey-results-phone');
    await phone.goto(`${base}/web/surveys`);
    expect((await domOf(phone)).overflow).toBeLessThanOrEqual(0);
    await web.shot(phone, 'web-surveys-phone');
    await phone.close();
    await page.close();
  });

  it('an inspection uploaded as a file rolls up per unit, with the branch not inspected yet', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'vi-VN' });
    await web.signIn(page, 'c-vy');
    await page.goto(`${base}/web/surveys/new`);
    await page.getByLabel('Chọn tệp (.yaml, .yml hoặc .json)').setInputFiles({ name: 'kiem-tra-vsip.yaml', mimeType: 'application/yaml', buffer: Buffer.from(INSPECTION) });
    await page.getByRole('button', { name: 'Kiểm tra và lưu phiếu' }).click();
    await page.waitForURL(`${base}/web/surveys/kiem-tra-vsip?done=created`);
    expect(await page.locator('[data-state]').textContent()).toBe('Đang mở');

    // A cadre of the zone inspects Phúc Thịnh in chat.
    const cadre = await addMember(app, { id: 'm-minh', name: 'Anh Minh', roles: ['worker', 'cadre'], orgUnitId: 'vsip1', chatId: 'c-minh' });
    await cadre.say('menu');
    await cadre.say('khao sat');
    expect(cadre.last.choices?.map((c) => c.id)).toContain('kiem-tra-vsip');
    await cadre.say('Kiểm tra sinh hoạt tại doanh nghiệp VSIP I');
    await cadre.say('Công ty TNHH Giày da Phúc Thịnh');
    await cadre.say('4');
    await cadre.say('gui phieu');
    expect(await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'kiem-tra-vsip' })).toBe(1);

    await page.getByRole('link', { name: 'Tổng hợp kiểm tra theo đơn vị' }).click();
    await page.waitForURL(`${base}/web/surveys/kiem-tra-vsip/inspections`);
    expect(await page.locator('[data-figure="branches"]').textContent()).toBe('2');
    expect(await page.locator('[data-figure="inspected"]').textContent()).toBe('1');
    expect(await page.locator('table.not-inspected tbody tr').allTextContents()).toEqual([expect.stringContaining('Công ty CP May mặc Hoa Sen')]);
    const dom = await domOf(page);
    expect(dom.charts.map((c) => c.id)).toEqual(['c-coverage']);
    expect(dom.scripts).toBe(0);
    await web.shot(page, 'web-survey-inspections');
    await page.close();
  });
});
