/**
 * "You said, we did" on the web console over real HTTP: a zone secretariat member sees the closed
 * surveys and outcome notes of the zone only (another zone's answer 404, audited), writes the
 * feedback of a survey from the suppressed draft (empty text refused next to the form, hostile
 * text escaped), publishes an agreed outcome note once, and sets another aside; forms without the
 * CSRF token are refused; without a staff session the sign-in page answers.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { validateSurvey } from '../../core/surveys/definition.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
const notes: string[] = [];
const HOSTILE = '<script>alert(1)</script> {"$gt": ""}';
const DAY = 24 * 3600_000;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

const survey = (id: string, unit: string, title: string) =>
  validateSurvey({
    id, title: { vi: title }, opensAt: '2026-11-20T00:00:00+07:00', closesAt: '2026-11-26T00:00:00+07:00', anonymous: true, audience: { roles: ['worker'], orgUnits: [unit] }, profile: [],
    questions: [{ id: 'q', type: 'single', text: { vi: 'Nhà trọ có an toàn?' }, options: [{ id: 'y', text: { vi: 'An toàn' } }, { id: 'n', text: { vi: 'Chưa an toàn' } }] }],
  });

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'fp-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'fp-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'fp-lead', name: 'Anh Lực', roles: ['cadre'] });
  await assign(app, { memberId: 'fp-lead', unit: 'vsip1', organisation: 'youth_union' });
  await assign(app, { memberId: 'fp-lead', unit: 'kcn-song-than-2', organisation: 'youth_union' });
  await app.services.surveys.importDefinition(survey('fp-vsip', 'vsip1', 'Nhà trọ VSIP'), { actor: 'test', at: app.clock.now() });
  await app.services.surveys.importDefinition(survey('fp-st', 'kcn-song-than-2', 'Nhà trọ Sóng Thần'), { actor: 'test', at: app.clock.now() });
  const s = (await app.services.surveys.get('fp-vsip'))!;
  for (let i = 0; i < 6; i++) {
    await addMember(app, { id: `fp-w${i}`, name: `Công nhân ${i}`, orgUnitId: i < 5 ? 'ent-phuc-thinh' : 'ent-det-song-than' });
    if (i < 5) await app.services.surveys.submit({ survey: s, member: (await app.services.members.get(`fp-w${i}`))!, answers: { q: i < 3 ? 'n' : 'y' }, locale: 'vi', now: app.clock.now() });
  }
  // Agreed outcome notes: two in the zone, one elsewhere.
  for (const [i, unit] of [[0, 'ent-phuc-thinh'], [1, 'ent-phuc-thinh'], [5, 'ent-det-song-than']] as const) {
    const { concern } = await app.services.concerns.submit({ memberId: `fp-w${i}`, category: 'housing_security', orgUnitId: unit, description: 'Khu trọ không có đèn, hay mất xe', photos: 0, anonymous: true, intakeKey: `fp-${i}`, at: app.clock.now() });
    await app.services.concerns.act('fp-lead', concern._id, { kind: 'resolve', summary: 'Đã làm việc với chủ trọ' }, app.clock.now(), `fp-r${i}`);
    const { note } = await app.services.feedback.proposeOutcome('fp-lead', concern._id, `Chủ trọ đã lắp đèn và camera ở khu trọ (${i}). ${HOSTILE}`, 'vi', app.clock.now(), `fp-p${i}`);
    await app.services.feedback.answerConsent(`fp-w${i}`, concern._id, true, app.clock.now());
    notes.push(note._id);
  }
  app.clock.advance(2 * DAY);
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

describe('the "you said, we did" page', () => {
  it('shows the zone its own surveys and notes only; other zones answer 404, audited; without a staff session, the sign-in page', async () => {
    const vy = await signedIn('fp-vy');
    const list = await vy.get('/web/feedback');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Nhà trọ VSIP');
    expect(list.text).not.toContain('Nhà trọ Sóng Thần');
    expect(list.text).toContain(`data-note="${notes[0]}"`);
    expect(list.text).not.toContain(`data-note="${notes[2]}"`);
    expect(list.text).not.toContain('<script>alert(1)</script>');
    expect(list.text).toContain('&lt;script&gt;');
    expect((await vy.get('/web/feedback/survey/fp-st')).status).toBe(404);
    expect((await vy.get('/web/feedback/survey/%7B%22%24gt%22%3A%22%22%7D')).status).toBe(404);
    const denied = await app.models.Audit.find({ actor: 'fp-vy', action: 'access.denied', target: 'fp-st' }).lean();
    expect(denied).toHaveLength(1);
    expect((await vy.post(`/web/feedback/notes/${notes[2]}/publish`, { _csrf: csrfOf(list.text)! })).status).toBe(404);
    expect((await app.services.feedback.get(notes[2]!))!.status).toBe('ready');

    // Without a staff session: the sign-in page, nothing of the feedback.
    const stranger = await new WebClient(base).get('/web/feedback');
    expect(stranger.status).toBe(401);
    expect(stranger.text).not.toContain('Nhà trọ VSIP');
  });

  it('writes a survey’s feedback from the suppressed draft; empty text is refused next to the form; CSRF is checked', async () => {
    const vy = await signedIn('fp-vy');
    const form = await vy.get('/web/feedback/survey/fp-vsip');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<textarea id="f-heard"[^>]*>5 bạn đã trả lời khảo sát &quot;Nhà trọ VSIP&quot;[^<]*Chưa an toàn \(60 %\)/);
    const csrf = csrfOf(form.text)!;
    expect((await vy.post('/web/feedback/survey/fp-vsip', { heard: 'x', doing: 'y' })).status).toBe(403);
    const empty = await vy.post('/web/feedback/survey/fp-vsip', { _csrf: csrf, heard: 'Các bạn nói nhà trọ chưa an toàn.', doing: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Nội dung còn trống');
    expect(empty.text).toContain('Các bạn nói nhà trọ chưa an toàn.</textarea>');
    const sent = await vy.post('/web/feedback/survey/fp-vsip', { _csrf: csrf, heard: 'Các bạn nói nhà trọ chưa an toàn.', doing: `Đoàn KCN sẽ làm việc với chủ trọ trong tháng 12. ${HOSTILE}` });
    expect(sent.status).toBe(303);
    expect(sent.res.headers.get('location')).toBe('/web/feedback?done=survey');
    const after = await vy.get('/web/feedback?done=survey');
    expect(after.text).toContain('Đã gửi phần');
    expect(after.text).toMatch(/Đã gửi lúc .*data-reach="\d+"/);
    expect((await app.services.feedback.get('sf-fp-vsip'))!.doing).toContain(HOSTILE);
    const again = await vy.post('/web/feedback/survey/fp-vsip', { _csrf: csrf, heard: 'a', doing: 'b' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('đã được đăng rồi');
  });

  it('publishes an agreed outcome note once, and sets another aside', async () => {
    const vy = await signedIn('fp-vy');
    const list = await vy.get('/web/feedback');
    const csrf = csrfOf(list.text)!;
    const pub = await vy.post(`/web/feedback/notes/${notes[0]}/publish`, { _csrf: csrf });
    expect(pub.status).toBe(303);
    expect((await app.services.feedback.get(notes[0]!))!.status).toBe('published');
    const twice = await vy.post(`/web/feedback/notes/${notes[0]}/publish`, { _csrf: csrf });
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('không còn ở bước đó');
    expect((await vy.post(`/web/feedback/notes/${notes[1]}/set-aside`, { _csrf: csrf })).status).toBe(303);
    expect((await app.services.feedback.get(notes[1]!))!.status).toBe('set_aside');
    expect((await vy.post(`/web/feedback/notes/${notes[1]}/delete`, { _csrf: csrf })).status).toBe(404);
  });
});
