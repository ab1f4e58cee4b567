/**
 * The survey pages over real HTTP, against the real Redis and MongoDB-wire server: a zone
 * secretariat member uploads a definition with mistakes (each shown with its line and path, the
 * text kept), a wrong type, a JSON file, a file that is not text and one too large, then a good
 * one, and opens, closes and schedules it; the city and a zone see results (charts, tables,
 * small groups hidden as in the CLI) and export the CLI's CSV; an inspection's roll-up lists the
 * branches not inspected yet. A zone member cannot upload for, open, or read a survey of another
 * zone (404, audited); forms without the CSRF token are refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MemberDoc } from '../../core/db.js';
import { validateSurvey } from '../../core/surveys/definition.js';
import { resultsToCsv } from '../../core/surveys/results-csv.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { MAX_DEFINITION_BYTES, parseMultipart } from './surveys-upload.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

/** The upload form as a browser sends it: multipart, with the text box and maybe a file. */
async function upload(c: WebClient, fields: Record<string, string>, file?: { name: string; content: string | Uint8Array<ArrayBuffer> }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file.content]), file.name);
  const res = await fetch(`${base}/web/surveys/new`, { method: 'POST', redirect: 'manual', body: form, headers: c.cookie ? { cookie: `${SESSION_COOKIE}=${c.cookie}` } : {} });
  return { status: res.status, text: await res.text(), res };
}

/** The text in the upload page's text box, as the browser shows it. */
const textBox = (page: string) =>
  /<textarea id="f-text"[^>]*>\n([\s\S]*?)<\/textarea>/
    .exec(page)?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const VSIP_SURVEY = `# Khảo sát nhà trọ KCN VSIP I
id: nha-tro-vsip
title: { vi: Nhà trọ công nhân VSIP I, en: Worker housing in VSIP I }
opensAt: 2026-12-01T00:00:00+07:00
closesAt: 2027-01-31T23:59:59+07:00
anonymous: true
audience:
  orgUnits: [vsip1]
  roles: [worker]
questions:
  - id: housing
    type: single
    text: { vi: Bạn đang ở đâu? }
    options:
      - { id: tro, text: { vi: Nhà trọ } }
      - { id: ktx, text: { vi: Ký túc xá } }
  - id: rent
    type: number
    min: 0
    text: { vi: Tiền trọ mỗi tháng (nghìn đồng)? }
    showIf: { question: housing, anyOf: [tro] }
  - id: happy
    type: scale
    text: { vi: Bạn hài lòng với chỗ ở? }
`;
/** The same with two mistakes: an unknown key (line 17), and a skip rule on a later question (line 21). */
const WITH_MISTAKES = VSIP_SURVEY.replace('      - { id: ktx, text: { vi: Ký túc xá } }\n', '      - { id: ktx, text: { vi: Ký túc xá } }\n    choices: [a, b]\n').replace('question: housing', 'question: happy');

const member = async (id: string) => (await app.services.members.get(id)) as MemberDoc;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  for (let i = 0; i < 8; i++) await addMember(app, { id: `w-pt${i}`, orgUnitId: 'ent-phuc-thinh' });
  for (let i = 0; i < 2; i++) await addMember(app, { id: `w-hs${i}`, orgUnitId: 'ent-hoa-sen' });
  for (let i = 0; i < 6; i++) await addMember(app, { id: `w-st${i}`, orgUnitId: 'ent-det-song-than' });
  await addMember(app, { id: 'm-cadre', name: 'Anh Minh', roles: ['worker', 'cadre'], orgUnitId: 'hcm' });
  // A survey of the other zone, and one for everyone (the city's).
  await app.services.surveys.importDefinition(
    validateSurvey({ id: 'song-than', title: { vi: 'Ca đêm Sóng Thần' }, opensAt: '2026-11-01T00:00:00+07:00', closesAt: '2027-01-01T00:00:00+07:00', anonymous: true, audience: { orgUnits: ['kcn-song-than-2'] }, questions: [{ id: 'night', type: 'scale', text: { vi: 'Ca đêm có vất vả không?' } }] }),
    { actor: 'test', at: app.clock.now() },
  );
  await app.services.surveys.importDefinition(
    validateSurvey({
      id: 'thanh-pho',
      title: { vi: 'Tâm tư thanh niên công nhân' },
      opensAt: '2026-11-01T00:00:00+07:00',
      closesAt: '2027-01-01T00:00:00+07:00',
      anonymous: true,
      profile: ['gender'],
      questions: [{ id: 'wage', type: 'single', text: { vi: 'Thu nhập có đủ sống không?' }, options: [{ id: 'du', text: { vi: 'Đủ' } }, { id: 'thieu', text: { vi: 'Thiếu' } }] }],
    }),
    { actor: 'test', at: app.clock.now() },
  );
  ({ server, base } = await startWebServer(app));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

beforeEach(async () => {
  const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
  if (keys.length) await app.redis.del(...keys);
});

describe('the multipart reader', () => {
  it('reads fields and files, and refuses what is not multipart', () => {
    const body = Buffer.from('--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nabc\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.yaml"\r\nContent-Type: application/yaml\r\n\r\nid: x\r\n\r\n--xyz--\r\n');
    expect(parseMultipart(body, 'multipart/form-data; boundary=xyz')).toEqual({ fields: { _csrf: 'abc' }, files: { file: { filename: 'a.yaml', data: Buffer.from('id: x\r\n') } } });
    expect(parseMultipart(body, 'multipart/form-data')).toBeUndefined();
    expect(parseMultipart(Buffer.from('--xyz\r\nno headers'), 'multipart/form-data; boundary=xyz')).toBeUndefined();
  });
});

describe('uploading a survey', () => {
  it('shows each mistake with its line and path, keeps the text, and saves it once fixed', async () => {
    const c = await signedIn('m-vy');
    const list = await c.get('/web/surveys');
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/web/surveys/new"');
    const form = await c.get('/web/surveys/new');
    expect(form.text).toContain('enctype="multipart/form-data"');
    const csrf = csrfOf(form.text)!;

    const bad = await upload(c, { _csrf: csrf, text: WITH_MISTAKES });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Phiếu chưa được lưu: có 1 lỗi');
    expect(bad.text).toMatch(/<li data-line="17"><strong>Dòng 17<\/strong> · <code>questions\[0\]<\/code>: Unrecognized key: &quot;choices&quot;/);
    expect(bad.text).toContain('<code class="source-line">    choices: [a, b]</code>');
    // The cross-question rule is only checked once the shape is right: fixed the first, the second shows.
    // The browser sends the box with CRLF line ends (as every browser does); the text is the same.
    expect(textBox(bad.text)!.replace(/\r\n/g, "\n")).toBe(WITH_MISTAKES);
    const second = await upload(c, { _csrf: csrf, text: textBox(bad.text)!.replace(/\r\n/g, "\n").replace("    choices: [a, b]\n", "") });
    expect(second.status).toBe(422);
    expect(second.text).toMatch(/Dòng 21<\/strong> · <code>questions\[1\]\.showIf\.question<\/code>: &quot;happy&quot; is not an earlier question/);

    const good = await upload(c, { _csrf: csrf, text: VSIP_SURVEY });
    expect(good.status).toBe(303);
    expect(good.res.headers.get('location')).toBe('/web/surveys/nha-tro-vsip?done=created');
    const saved = await app.services.surveys.get('nha-tro-vsip');
    expect(saved?.definition.questions.map((q) => q.id)).toEqual(['housing', 'rent', 'happy']);
    expect(await app.models.Audit.countDocuments({ action: 'survey.imported', actor: 'm-vy', target: 'nha-tro-vsip' })).toBe(1);
    const page = await c.get('/web/surveys/nha-tro-vsip?done=created');
    expect(page.text).toContain('Đã tải lên phiếu mới.');
    expect(page.text).toContain('data-state="scheduled"');
  });

  it('names a wrong type by line, reads JSON files, and refuses files that are not text or too large', async () => {
    const c = await signedIn('m-vy');
    const csrf = csrfOf((await c.get('/web/surveys/new')).text)!;
    const wrongType = await upload(c, { _csrf: csrf, text: VSIP_SURVEY.replace('anonymous: true', 'anonymous: "có"') });
    expect(wrongType.status).toBe(422);
    expect(wrongType.text).toMatch(/Dòng 6<\/strong> · <code>anonymous<\/code>: [^<]*boolean/);

    const json = JSON.stringify({ id: 'json-vsip', title: { vi: 'JSON' }, opensAt: '2026-12-01T00:00:00+07:00', closesAt: '2026-11-01T00:00:00+07:00', anonymous: false, audience: { orgUnits: ['vsip1'] }, questions: [{ id: 'a', type: 'text', text: { vi: 'Ý kiến?' } }] }, null, 2);
    const fromFile = await upload(c, { _csrf: csrf, text: '' }, { name: 'khao-sat.json', content: json });
    expect(fromFile.status).toBe(422);
    expect(fromFile.text).toMatch(/Dòng 7<\/strong> · <code>closesAt<\/code>: the survey closes before it opens/);
    expect(fromFile.text).toContain('Nội dung tệp khao-sat.json được đặt vào ô bên dưới');
    expect(textBox(fromFile.text)).toBe(json);
    expect((await upload(c, { _csrf: csrf, text: '' }, { name: 'khao-sat.json', content: json.replace('2026-11-01', '2027-11-01') })).status).toBe(303);

    const binary = await upload(c, { _csrf: csrf, text: '' }, { name: 'anh.yaml', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]) });
    expect(binary.status).toBe(422);
    expect(binary.text).toContain('không phải văn bản UTF-8');
    const huge = await upload(c, { _csrf: csrf, text: '' }, { name: 'lon.yaml', content: `# ${'x'.repeat(3 * MAX_DEFINITION_BYTES)}\n` });
    expect(huge.status).toBe(413);
    expect(huge.text).toContain(`một phiếu tối đa ${MAX_DEFINITION_BYTES / 1024} KB`);
    const hugeText = await upload(c, { _csrf: csrf, text: `# ${'y'.repeat(MAX_DEFINITION_BYTES)}\n` });
    expect(hugeText.status).toBe(413);
    const empty = await upload(c, { _csrf: csrf, text: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('chưa dán nội dung');
  });

  it('refuses a survey outside the zone or for everyone, and an id of another zone (audited)', async () => {
    const c = await signedIn('m-vy');
    const csrf = csrfOf((await c.get('/web/surveys/new')).text)!;
    const before = await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' });
    const outside = await upload(c, { _csrf: csrf, text: VSIP_SURVEY.replace('id: nha-tro-vsip', 'id: nha-tro-st').replace('orgUnits: [vsip1]', 'orgUnits: [kcn-song-than-2]') });
    expect(outside.status).toBe(422);
    expect(outside.text).toContain('KCN Sóng Thần 2');
    expect(outside.text).toContain('KCN VSIP I');
    const everyone = await upload(c, { _csrf: csrf, text: VSIP_SURVEY.replace('id: nha-tro-vsip', 'id: nha-tro-all').replace('  orgUnits: [vsip1]\n', '') });
    expect(everyone.status).toBe(422);
    expect(everyone.text).toContain('chỉ cấp thành phố');
    const taken = await upload(c, { _csrf: csrf, text: VSIP_SURVEY.replace('id: nha-tro-vsip', 'id: song-than') });
    expect(taken.status).toBe(422);
    expect(taken.text).toMatch(/Dòng 2<\/strong> · <code>id<\/code>: mã phiếu &quot;song-than&quot; đã được dùng/);
    const unknown = await upload(c, { _csrf: csrf, text: VSIP_SURVEY.replace('orgUnits: [vsip1]', 'orgUnits: [vsip1, vsip9]') });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toMatch(/Dòng 8<\/strong> · <code>audience\.orgUnits\[1\]<\/code>: không có đơn vị &quot;vsip9&quot;/);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' })).toBe(before + 3);
    expect(await app.services.surveys.get('nha-tro-st')).toBeNull();
    expect(await app.services.surveys.get('nha-tro-all')).toBeNull();
    expect((await app.services.surveys.get('song-than'))!.definition.title.vi).toBe('Ca đêm Sóng Thần');
  });

  it('refuses forms without the CSRF token, and pages without a staff session', async () => {
    const c = await signedIn('m-vy');
    expect((await upload(c, { text: VSIP_SURVEY })).status).toBe(403);
    expect((await upload(c, { _csrf: 'forged', text: VSIP_SURVEY })).status).toBe(403);
    expect((await c.post('/web/surveys/nha-tro-vsip/open', {})).status).toBe(403);
    const anonymous = new WebClient(base);
    expect((await anonymous.get('/web/surveys')).status).toBe(401);
    expect((await anonymous.get('/web/surveys/nha-tro-vsip/results.csv')).status).toBe(401);
    expect((await upload(anonymous, { text: VSIP_SURVEY })).status).toBe(401);
  });
});

describe('opening, closing and scheduling', () => {
  it('schedules, opens and closes a survey of the zone, with the service’s rules in words', async () => {
    const c = await signedIn('m-vy');
    let page = await c.get('/web/surveys/nha-tro-vsip');
    const csrf = csrfOf(page.text)!;
    const sched = await c.post('/web/surveys/nha-tro-vsip/schedule', { _csrf: csrf, opens_at: '2026-12-05T08:00', closes_at: '' });
    expect(sched.status).toBe(303);
    let s = (await app.services.surveys.get('nha-tro-vsip'))!;
    expect(s.opensAt.toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(s.definition.opensAt.toISOString()).toBe('2026-12-05T01:00:00.000Z');
    page = await c.get('/web/surveys/nha-tro-vsip?done=schedule');
    expect(page.text).toContain('08:00 05/12/2026');

    const past = await c.post('/web/surveys/nha-tro-vsip/schedule', { _csrf: csrf, opens_at: '2026-11-01 08:00' });
    expect(past.status).toBe(409);
    expect(past.text).toContain('Giờ mở phải là một thời điểm sắp tới');
    const unreadable = await c.post('/web/surveys/nha-tro-vsip/schedule', { _csrf: csrf, opens_at: 'sáng mai' });
    expect(unreadable.status).toBe(422);
    expect(unreadable.text).toContain('value="sáng mai"');

    expect((await c.post('/web/surveys/nha-tro-vsip/open', { _csrf: csrf, closes_at: '' })).status).toBe(303);
    s = (await app.services.surveys.get('nha-tro-vsip'))!;
    expect(s.opensAt.getTime()).toBe(app.clock.now().getTime());
    page = await c.get('/web/surveys/nha-tro-vsip');
    expect(page.text).toContain('data-state="open"');
    expect(page.text).toContain('action="/web/surveys/nha-tro-vsip/close"');
    expect((await c.post('/web/surveys/nha-tro-vsip/open', { _csrf: csrf })).status).toBe(409);
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', target: 'nha-tro-vsip', action: { $in: ['survey.scheduled', 'survey.opened'] } })).toBe(2);
  });

  it('keeps a zone member away from a survey of another zone, and from managing the city’s (404, audited)', async () => {
    const c = await signedIn('m-vy');
    const list = await c.get('/web/surveys');
    expect(list.text).toContain('data-survey="nha-tro-vsip"');
    expect(list.text).toContain('data-survey="thanh-pho"');
    expect(list.text).not.toContain('song-than');
    const csrf = csrfOf(list.text)!;
    const before = await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' });
    for (const path of ['/web/surveys/song-than', '/web/surveys/song-than/results', '/web/surveys/song-than/results.csv']) expect((await c.get(path)).status).toBe(404);
    expect((await c.post('/web/surveys/song-than/close', { _csrf: csrf })).status).toBe(404);
    // The city's survey: its results within the zone, but not its window.
    const city = await c.get('/web/surveys/thanh-pho');
    expect(city.status).toBe(200);
    expect(city.text).not.toContain('action="/web/surveys/thanh-pho/close"');
    expect((await c.post('/web/surveys/thanh-pho/close', { _csrf: csrf })).status).toBe(404);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy' })).toBe(before + 5);
    expect(await isOpenNow('thanh-pho')).toBe(true);
    expect((await c.get(`/web/surveys/${encodeURIComponent('{"$gt": ""}')}`)).status).toBe(404);
  });
});

const isOpenNow = async (id: string) => {
  const s = (await app.services.surveys.get(id))!;
  const now = app.clock.now();
  return s.opensAt <= now && now < s.closesAt;
};

describe('results and the inspection roll-up', () => {
  it('shows results as charts and tables with small groups hidden, and exports the CLI’s CSV', async () => {
    const survey = (await app.services.surveys.get('nha-tro-vsip'))!;
    const answer = async (id: string, answers: Record<string, string | number>) => app.services.surveys.submit({ survey, member: await member(id), answers, locale: 'vi', now: app.clock.now() });
    const c = await signedIn('m-vy');
    for (let i = 0; i < 3; i++) expect(await answer(`w-pt${i}`, { housing: 'tro', rent: 1500 + i * 100, happy: 4 })).toBe('saved');
    // Under 5 respondents: nothing but how many more are needed.
    let page = await c.get('/web/surveys/nha-tro-vsip/results');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-withheld="2"');
    expect(page.text).not.toContain('<svg');
    for (let i = 3; i < 8; i++) await answer(`w-pt${i}`, { housing: i % 2 ? 'tro' : 'ktx', ...(i % 2 ? { rent: 2000 } : {}), happy: 3 });
    for (let i = 0; i < 2; i++) await answer(`w-hs${i}`, { housing: 'ktx', happy: 5 });
    page = await c.get('/web/surveys/nha-tro-vsip/results');
    expect(page.text).toContain('data-figure="respondents">10<');
    expect(page.text).toMatch(/<svg class="chart" role="img" aria-labelledby="c-q-0"/);
    expect(page.text).not.toContain('<script');
    // By unit: Hoa Sen's 2 people are hidden, and so — or VSIP I minus Phúc Thịnh would give them — is the rest.
    expect(page.text).toContain('Công ty TNHH Giày da Phúc Thịnh');
    expect(page.text).toMatch(/Công ty CP May mặc Hoa Sen<\/th><td><span class="suppressed"/);
    const results = (await app.services.surveys.results('nha-tro-vsip', { within: (await app.services.access.resolve(await member('m-vy'), ['secretariat'], app.clock.now())).unitIds }))!;
    expect(results.breakdowns.orgUnit.find((g) => g.key === 'ent-hoa-sen')?.respondents).toBeNull();
    const csv = await c.get('/web/surveys/nha-tro-vsip/results.csv');
    expect(csv.res.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toBe(resultsToCsv(results, 'vi').replace(/^\uFEFF/, ''));
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', target: 'nha-tro-vsip', action: 'survey.results_exported' })).toBe(1);
    expect(await app.models.Audit.countDocuments({ actor: 'm-vy', target: 'nha-tro-vsip', action: 'survey.results_viewed' })).toBe(2);

    // The city's survey read by the zone: only the zone's respondents count.
    const city = (await app.services.surveys.get('thanh-pho'))!;
    for (let i = 0; i < 6; i++) await app.services.surveys.submit({ survey: city, member: await member(`w-st${i}`), answers: { wage: 'thieu' }, locale: 'vi', now: app.clock.now() });
    for (let i = 0; i < 6; i++) await app.services.surveys.submit({ survey: city, member: await member(`w-pt${i}`), answers: { wage: i < 3 ? 'du' : 'thieu', _gender: i < 3 ? 'female' : 'male' }, locale: 'vi', now: app.clock.now() });
    expect((await c.get('/web/surveys/thanh-pho/results')).text).toContain('data-figure="respondents">6<');
    const thu = await signedIn('m-thu');
    const all = await thu.get('/web/surveys/thanh-pho/results?by=gender&q=wage');
    expect(all.text).toContain('data-figure="respondents">12<');
    expect(all.text).toContain('<option value="gender" selected>');
    expect(all.text).toMatch(/Không trả lời<\/th><td>6<\/td>/);
    // A hostile breakdown choice falls back to the default.
    expect((await thu.get('/web/surveys/thanh-pho/results?by=%3Cscript%3E&q[$gt]=')).status).toBe(200);
  });

  it('rolls an inspection up per unit, with the branches not inspected yet, and exports it', async () => {
    await app.services.surveys.importDefinition(
      validateSurvey({
        id: 'kiem-tra',
        kind: 'inspection',
        title: { vi: 'Kiểm tra doanh nghiệp' },
        opensAt: '2026-11-01T00:00:00+07:00',
        closesAt: '2027-01-01T00:00:00+07:00',
        anonymous: false,
        audience: { roles: ['cadre'] },
        inspection: { subjectKinds: ['enterprise'] },
        questions: [{ id: 'quality', type: 'scale', text: { vi: 'Chất lượng sinh hoạt' } }],
      }),
      { actor: 'test', at: app.clock.now() },
    );
    const survey = (await app.services.surveys.get('kiem-tra'))!;
    expect(await app.services.surveys.submit({ survey, member: await member('m-cadre'), answers: { quality: 4 }, subject: 'ent-phuc-thinh', locale: 'vi', now: app.clock.now() })).toBe('saved');

    const thu = await signedIn('m-thu');
    const page = await thu.get('/web/surveys/kiem-tra/inspections');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-figure="branches">3<');
    expect(page.text).toContain('data-figure="inspected">1<');
    expect(page.text).toMatch(/<tr data-unit="ent-hoa-sen"><td data-label="Chi">Công ty CP May mặc Hoa Sen<\/td><td data-label="Đơn vị cấp trên">KCN VSIP I<\/td>/);
    expect(page.text).toContain('<tr data-unit="ent-det-song-than">');
    expect(page.text).toMatch(/<svg class="chart" role="img" aria-labelledby="c-coverage"/);
    const csv = await thu.get('/web/surveys/kiem-tra/inspections.csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('section,unit_id,unit,kind,parent,branches,inspected,not_inspected,forms,score,meetings_held,meetings_present,meetings_members,attendance_percent');
    expect(lines).toContain('unit,vsip1,KCN VSIP I,industrial_zone,Thành Đoàn TP. Hồ Chí Minh,2,1,1,1,4,,,,');
    expect(lines).toContain('branch_not_inspected,ent-det-song-than,Công ty TNHH Dệt Sóng Thần,enterprise,KCN Sóng Thần 2,1,0,1,0,,,,,');

    // The zone sees its own branches only.
    const vy = await signedIn('m-vy');
    const zone = await vy.get('/web/surveys/kiem-tra/inspections');
    expect(zone.text).toContain('data-figure="branches">2<');
    expect(zone.text).not.toContain('ent-det-song-than');
    // A survey that is not an inspection has no roll-up.
    expect((await thu.get('/web/surveys/thanh-pho/inspections')).status).toBe(404);
  });
});
