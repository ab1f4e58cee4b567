import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSurveyFile, validateSurvey } from '../core/surveys/definition.js';
import { answersOf } from '../core/surveys/models.js';
import { seedSampleSurveys } from '../core/surveys/sample-seed.js';
import { parseKey, PrivacyKeys } from '../core/privacy/privacy-keys.js';
import { answeredMarker, reminderJobId, SurveyService } from '../core/surveys/survey-service.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { onboardedPerson, startTestApp, storedConversation, TEST_MARKER_KEY, TEST_SEAL_KEY, textOf, type TestApp } from '../test/support/test-app.js';
import { deliveryJobId } from '../workers/delivery-queue.js';
import { runSurveyReminder } from '../workers/survey-reminders.js';

let app: TestApp;

const demo = (id: string, extra: Record<string, unknown> = {}) =>
  validateSurvey({
    id,
    title: { vi: `Khảo sát ${id}`, en: `Survey ${id}` },
    opensAt: '2026-11-01T00:00:00+07:00',
    closesAt: '2026-12-01T00:00:00+07:00',
    anonymous: true,
    audience: { roles: ['worker'] },
    profile: ['gender'],
    questions: [
      { id: 'housing', type: 'single', text: { vi: 'Bạn đang ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] },
      { id: 'rent', type: 'number', min: 0, max: 20000, text: { vi: 'Tiền trọ (nghìn đồng)?' }, showIf: { question: 'housing', anyOf: ['tro'] } },
      { id: 'skills', type: 'multiple', text: { vi: 'Bạn muốn học gì?' }, options: [{ id: 'tin', text: { vi: 'Tin học' } }, { id: 'nn', text: { vi: 'Ngoại ngữ' } }, { id: 'tn', text: { vi: 'Tay nghề' } }] },
      { id: 'happy', type: 'scale', text: { vi: 'Bạn hài lòng với công việc?' } },
      { id: 'wishes', type: 'text', required: false, text: { vi: 'Nguyện vọng của bạn?' } },
    ],
    ...extra,
  });

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await app.services.surveys.importDefinition(demo('tam-tu'), { actor: 'test', at: app.clock.now() });
});
afterAll(async () => app?.close());

/** Someone who has consented, chosen Vietnamese and a workplace (Hoa Sen, in KCN VSIP I): at the main menu. */
const onboarded = (name: string) => onboardedPerson(app, name);

const memberIdOf = async (name: string) => (await app.models.ChannelIdentity.findById(`console:${name}`).lean())!.memberId!;

/** The test app's marker key, held here as production holds it: outside the database. */
const testKeys = new PrivacyKeys(parseKey(TEST_SEAL_KEY)!, parseKey(TEST_MARKER_KEY)!);

describe('taking a survey in chat', () => {
  it('opens from a broadcast invitation link (/start survey-<id>)', async () => {
    const p = await onboardedPerson(app, 'invited');
    await p.say('/start survey-tam-tu');
    expect(p.last.choices?.map((c) => c.id)).toEqual(['tam-tu', 'menu']);
  });

  it('asks every question with progress, goes back to change an answer, re-asks bad answers, and stores an anonymous response', async () => {
    const lan = await onboarded('lan');
    const list = await lan.say('khao sat');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['tam-tu', 'menu']);
    expect(textOf(list)).toContain('Phiếu khảo sát đang mở');

    const first = await lan.say('1');
    expect(textOf(first)).toContain('ẩn danh');
    // The intro counts the questions as the progress does (a skip rule may leave some out).
    expect(textOf(first)).toContain('Phiếu có tối đa 6 câu');
    expect(lan.last.text).toContain('Câu 1/6: Bạn đang ở đâu?');

    // A choice typed without diacritics.
    await lan.say('ky tuc xa');
    expect(lan.last.text).toContain('Câu 2/5: Bạn muốn học gì?');

    // "quay lại" goes to the previous question; a different answer there opens the skipped question.
    await lan.say('quay lại');
    expect(lan.last.text).toContain('Câu 1/5: Bạn đang ở đâu?');
    await lan.say('Nhà trọ');
    expect(lan.last.text).toContain('Câu 2/6: Tiền trọ');

    // Text where a number is expected, then out of range: asked again with a hint.
    const words = await lan.say('một triệu rưỡi');
    expect(textOf(words)).toContain('Mình cần một con số');
    expect(lan.last.text).toContain('Câu 2/6: Tiền trọ');
    expect(textOf(await lan.say('99999'))).toContain('từ 0 đến 20000');
    await lan.say('1.500');
    expect(lan.last.text).toContain('Câu 3/6: Bạn muốn học gì?');

    expect(textOf(await lan.say('1, 9'))).toContain('Mình chưa hiểu "9"');
    await lan.say('tin hoc, tay nghe');
    expect(lan.last.text).toContain('Câu 4/6');
    expect(lan.last.choices?.map((c) => c.label)).toEqual(['1 – rất không hài lòng', '2 – không hài lòng', '3 – bình thường', '4 – hài lòng', '5 – rất hài lòng']);

    // Out of range on the 1–5 scale; a rating typed in words is its whole label.
    expect(textOf(await lan.say('7'))).toContain('từ 1 đến 5');
    await lan.say('hài lòng');
    expect(lan.last.text).toContain('Câu 5/6: Nguyện vọng');
    await lan.say('Mong có nhóm trẻ gần khu trọ');
    expect(lan.last.text).toContain('Câu 6/6');
    expect(lan.last.text).toContain('Giới tính');
    await lan.say('bo qua');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['send', 'change']);
    // What was asked, as the progress counted it: 6 questions, the last one skipped.
    expect(lan.last.text).toContain('Bạn đã đi hết 6 câu (bỏ qua 1 câu)');

    const thanks = await lan.say('gui phieu');
    expect(textOf(thanks)).toContain('ẩn danh');
    expect(textOf(thanks)).toContain('Ban Chỉ đạo');
    expect(lan.last.text).toContain('Trang chính');

    const memberId = await memberIdOf('lan');
    const responses = await app.services.surveys.surveyModels.SurveyResponse.find({ surveyId: 'tam-tu' }).lean();
    expect(responses).toHaveLength(1);
    const r = responses[0]!;
    expect(r).not.toHaveProperty('memberId');
    expect(r).not.toHaveProperty('gender');
    expect(r.orgUnitId).toBe('ent-hoa-sen');
    expect(answersOf(r)).toEqual({ housing: 'tro', rent: 1500, skills: ['tin', 'tn'], happy: 4, wishes: 'Mong có nhóm trẻ gần khu trọ' });
    // Nothing in the response is derived from the member; the marker is a keyed HMAC of the
    // platform identity and the survey, without answers, that only the marker key recomputes.
    expect(JSON.stringify(r)).not.toContain(memberId);
    const marker = testKeys.marker('survey-answered', 'console:lan', 'tam-tu');
    expect(await app.services.surveys.surveyModels.SurveyMarker.findById(marker).lean()).toEqual({ _id: marker });
    expect(answeredMarker(testKeys, 'tam-tu', 'console:lan')).toBe(marker);
    // The progress kept in the conversation is gone once sent.
    const conv = await storedConversation(app, 'console:lan');
    expect(conv!.data.surveyDrafts).toEqual({});
    expect(JSON.stringify(conv)).not.toContain('nhóm trẻ');

    // One response per person: the survey is no longer offered.
    expect(textOf(await lan.say('khao sat'))).toContain('chưa có phiếu khảo sát nào');
  });

  it('calls a survey "in progress" only once something was answered, and "hủy" discards the draft', async () => {
    const binh = await onboarded('binh');
    await binh.say('khao sat');
    await binh.say('Khảo sát tam-tu');
    // Opened and left before any answer: not in progress, and opening it again starts over.
    await binh.say('menu');
    await binh.say('khao sat');
    expect(binh.last.choices?.[0]?.label).toBe('Khảo sát tam-tu');
    const again = await binh.say('1');
    expect(textOf(again)).toContain('Phiếu có tối đa 6 câu');
    expect(textOf(again)).not.toContain('tiếp tục');
    for (const a of ['2', '1', '3', 'bo qua', 'bo qua']) await binh.say(a);
    expect(binh.last.choices?.map((c) => c.id)).toEqual(['send', 'change']);
    // "hủy" at the last step says it was cancelled, and it was: nothing kept to resume.
    const cancelled = await binh.say('hủy');
    expect(textOf(cancelled)).toContain('Mình đã bỏ phiếu bạn đang làm dở');
    expect(textOf(cancelled)).toContain('Đã hủy');
    expect((await storedConversation(app, 'console:binh'))!.data.surveyDrafts).toEqual({});
    await binh.say('khao sat');
    expect(binh.last.choices?.[0]?.label).toBe('Khảo sát tam-tu');
    const fresh = await binh.say('1');
    expect(textOf(fresh)).toContain('Phiếu có tối đa 6 câu');
    expect(binh.last.text).toContain('Câu 1/6');
    expect(await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'tam-tu' })).toBe(1);
  });

  it('lets a person leave and resume where they stopped', async () => {
    const hoa = await onboarded('hoa');
    await hoa.say('khao sat');
    await hoa.say('1');
    await hoa.say('2');
    expect(hoa.last.text).toContain('Câu 2/5');
    await hoa.say('menu');
    await hoa.say('khao sat');
    expect(hoa.last.choices?.[0]?.label).toBe('Khảo sát tam-tu (đang làm dở)');
    const resumed = await hoa.say('1');
    expect(textOf(resumed)).toContain('tiếp tục từ câu bạn đang làm dở');
    expect(hoa.last.text).toContain('Câu 2/5: Bạn muốn học gì?');
  });

  it('refuses politely to take answers after the survey closed', async () => {
    await app.services.surveys.importDefinition(demo('closing', { closesAt: '2026-11-25T12:00:00+07:00' }), { actor: 'test', at: app.clock.now() });
    const tuan = await onboarded('tuan');
    await tuan.say('khao sat');
    await tuan.say('Khảo sát closing');
    expect(tuan.last.text).toContain('Câu 1/6');
    app.clock.advance(4 * 3600_000);
    const refused = await tuan.say('1');
    expect(textOf(refused)).toContain('đã đóng');
    expect(tuan.last.text).toContain('Trang chính');
    expect(await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'closing' })).toBe(0);
    app.clock.advance(-4 * 3600_000);
  });

  it('keeps one response on a double submission (a redelivered event, or submitting again)', async () => {
    await app.services.surveys.importDefinition(demo('twice', { anonymous: false }), { actor: 'test', at: app.clock.now() });
    const mai = await onboarded('mai');
    await mai.say('khao sat');
    await mai.say('Khảo sát twice');
    for (const a of ['2', '1', '3', 'bo qua', '1']) await mai.say(a);
    expect(mai.last.choices?.map((c) => c.id)).toEqual(['send', 'change']);
    // Leaving at the last step and coming back keeps every answer.
    await mai.say('menu');
    await mai.say('khao sat');
    await mai.say('Khảo sát twice');
    expect(mai.last.choices?.map((c) => c.id)).toEqual(['send', 'change']);
    await mai.send({ text: '1', eventId: 'send-twice' });
    await mai.send({ text: '1', eventId: 'send-twice' });
    const memberId = await memberIdOf('mai');
    const stored = await app.services.surveys.surveyModels.SurveyResponse.find({ surveyId: 'twice' }).lean();
    expect(stored.map((s) => s._id)).toEqual([`twice:${memberId}`]);
    expect(stored[0]).toMatchObject({ memberId, gender: 'female' });
    expect(answersOf(stored[0]!)).toEqual({ housing: 'ktx', skills: ['tin'], happy: 3 });
    // Submitting the same answers again through the service is refused as a duplicate.
    const survey = (await app.services.surveys.get('twice'))!;
    const member = (await app.services.members.get(memberId))!;
    expect(await app.services.surveys.submit({ survey, member, answers: { housing: 'tro' }, locale: 'vi', now: app.clock.now() })).toBe('duplicate');
    expect(await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'twice' })).toBe(1);
  });

  it('takes an anonymous survey once per person, even after they erase their data and consent again', async () => {
    await app.services.surveys.importDefinition(demo('once'), { actor: 'test', at: app.clock.now() });
    const count = () => app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: 'once' });
    const vy = await onboarded('vy');
    await vy.say('khao sat');
    await vy.say('Khảo sát once');
    for (const a of ['2', '1', '3', 'bo qua', 'bo qua']) await vy.say(a);
    await vy.say('gui phieu');
    expect(await count()).toBe(1);
    const before = await memberIdOf('vy');

    // "xóa dữ liệu", then consenting again: a new member on the same platform identity.
    await vy.say('xoa du lieu');
    expect(textOf(await vy.say('1'))).toContain('Đã xóa dữ liệu');
    for (const text of ['alo', '1', '1', 'hoa sen', '1']) await vy.say(text);
    const after = await memberIdOf('vy');
    expect(after).not.toBe(before);

    // The invitation link says it was answered; the list no longer offers it.
    const invited = await vy.say('/start survey-once');
    expect(textOf(invited)).toContain('Bạn đã gửi phiếu này rồi');
    expect(vy.last.choices?.map((c) => c.id) ?? []).not.toContain('once');
    await vy.say('khao sat');
    expect(vy.last.choices?.map((c) => c.id) ?? []).not.toContain('once');
    // Nor does submitting through the service store a second response.
    const survey = (await app.services.surveys.get('once'))!;
    const member = (await app.services.members.get(after))!;
    expect(await app.services.surveys.submit({ survey, member, answers: { housing: 'tro', skills: ['tin'], happy: 1 }, locale: 'vi', now: app.clock.now() })).toBe('duplicate');
    expect(await count()).toBe(1);
  });

  it('marks every linked identity of the person, so answering from one app counts for the others', async () => {
    await app.services.surveys.importDefinition(demo('linked'), { actor: 'test', at: app.clock.now() });
    const s = app.services.surveys;
    const survey = (await s.get('linked'))!;
    const khoa = await onboarded('khoa');
    const memberId = await memberIdOf('khoa');
    // Khoa also chats on Zalo, linked to the same profile.
    await app.models.ChannelIdentity.create({ _id: 'zalo:khoa', channel: 'zalo', platformUserId: 'khoa', chatId: 'khoa', memberId, createdAt: app.clock.now() });
    await khoa.say('khao sat');
    await khoa.say('Khảo sát linked');
    for (const a of ['2', '1', '3', 'bo qua', 'bo qua']) await khoa.say(a);
    await khoa.say('gui phieu');
    const markers = ['console:khoa', 'zalo:khoa'].map((id) => testKeys.marker('survey-answered', id, 'linked'));
    expect(await s.surveyModels.SurveyMarker.countDocuments({ _id: { $in: markers } })).toBe(2);

    // Later the Zalo identity stands alone (its link removed, a new profile made): still answered.
    await app.models.ChannelIdentity.updateOne({ _id: 'zalo:khoa' }, { $set: { memberId: 'm-khoa-zalo' } });
    await app.models.Member.create({ _id: 'm-khoa-zalo', roles: ['worker'], orgUnitId: 'ent-hoa-sen', locale: 'vi', status: 'active', broadcastsOptOut: false, createdAt: app.clock.now() });
    expect(await s.hasAnswered('linked', 'm-khoa-zalo')).toBe(true);
    const zaloMember = (await app.services.members.get('m-khoa-zalo'))!;
    expect((await s.openFor(zaloMember, undefined, app.clock.now())).map((x) => x._id)).not.toContain('linked');
    expect(await s.submit({ survey, member: zaloMember, answers: { housing: 'tro', skills: ['tin'], happy: 1 }, locale: 'vi', now: app.clock.now() })).toBe('duplicate');
    expect(await s.surveyModels.SurveyResponse.countDocuments({ surveyId: 'linked' })).toBe(1);
  });

  it('writes the markers before or after the response, and a double submission keeps one response either way', async () => {
    await app.services.surveys.importDefinition(demo('order'), { actor: 'test', at: app.clock.now() });
    for (const first of [true, false]) {
      const s = new SurveyService(app.models, app.services.surveys.surveyModels, app.services.audit, app.jobs, testKeys, { markersFirst: () => first });
      const survey = (await s.get('order'))!;
      const id = `order-${first}`;
      const member = await app.models.Member.create({ _id: `m-${id}`, roles: ['worker'], orgUnitId: 'ent-hoa-sen', locale: 'vi', status: 'active', broadcastsOptOut: false, createdAt: app.clock.now() });
      await app.models.ChannelIdentity.create({ _id: `console:${id}`, channel: 'console', platformUserId: id, chatId: id, memberId: member._id, createdAt: app.clock.now() });
      const submit = () => s.submit({ survey, member: member.toObject(), answers: { housing: 'ktx', skills: ['nn'], happy: 2 }, locale: 'vi', now: app.clock.now() });
      const outcomes = await Promise.all([submit(), submit()]);
      expect(outcomes.sort()).toEqual(['duplicate', 'saved']);
      expect(await s.surveyModels.SurveyResponse.countDocuments({ surveyId: 'order' })).toBe(first ? 1 : 2);
      expect(await s.hasAnswered('order', member._id)).toBe(true);
      expect(await s.surveyModels.SurveyMarker.findById(testKeys.marker('survey-answered', `console:${id}`, 'order')).lean()).toBeTruthy();
    }
  });

  it('sends one reminder to someone who started and did not finish, none after finishing or closing', async () => {
    await app.services.surveys.importDefinition(demo('remind', { reminderAfterMinutes: 0.02 }), { actor: 'test', at: app.clock.now() });
    const linh = await onboarded('linh');
    await linh.say('khao sat');
    await linh.say('Khảo sát remind');
    await linh.say('1');
    const until = Date.now() + 10_000;
    while (!linh.inbox.some((m) => m.text.includes('vẫn chờ bạn')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    expect(linh.inbox.filter((m) => m.text.includes('vẫn chờ bạn'))).toHaveLength(1);

    const memberId = await memberIdOf('linh');
    const data = { surveyId: 'remind', memberId, identityId: 'console:linh' };
    const deps = { services: app.services, outbox: app.outbox, clock: app.clock };
    app.clock.advance(30 * 24 * 3600_000);
    expect(await runSurveyReminder(deps, data)).toBe('closed');
    app.clock.advance(-30 * 24 * 3600_000);

    // Finishing cancels the pending reminder, and a reminder that runs anyway sends nothing.
    await app.services.surveys.importDefinition(demo('remind-later', { reminderAfterMinutes: 60 }), { actor: 'test', at: app.clock.now() });
    await linh.say('menu');
    await linh.say('khao sat');
    await linh.say('Khảo sát remind-later');
    await linh.say('2');
    const queue = app.jobs.queue('survey-reminders');
    expect(await queue.getJob(deliveryJobId(reminderJobId('remind-later', memberId)))).toBeTruthy();
    for (const a of ['1', '3', 'bo qua', 'bo qua', '1']) await linh.say(a);
    expect(await queue.getJob(deliveryJobId(reminderJobId('remind-later', memberId)))).toBeFalsy();
    expect(await runSurveyReminder(deps, { ...data, surveyId: 'remind-later' })).toBe('answered');
  });
});

describe('branch inspection in chat', () => {
  it('lets a cadre pick the branch inspected, answer the checklist, and send one form per branch', async () => {
    expect(await seedSampleSurveys(app.services.surveys)).toBe(0);
    const def = parseSurveyFile(await readFile(new URL('../core/surveys/sample/kiem-tra-chi.yaml', import.meta.url), 'utf8'), 'yaml');
    await app.services.surveys.importDefinition(def, { actor: 'test', at: app.clock.now() });
    await app.models.OrgUnit.insertMany([
      { _id: 'cd-may', name: 'Chi đoàn Phân xưởng May', kind: 'youth_union_branch', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
      { _id: 'cd-de', name: 'Chi đoàn Phân xưởng Đế', kind: 'youth_union_branch', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
    ]);
    // Written past the org import, so the directory's cached tree is told (as import-org does).
    app.services.org.invalidate();
    const hung = await onboarded('hung');
    const memberId = await memberIdOf('hung');
    await app.models.Member.updateOne({ _id: memberId }, { $set: { roles: ['cadre'] } });
    await hung.say('khao sat');
    expect(hung.last.choices?.map((c) => c.id)).toEqual(['kiem-tra-chi-2026', 'menu']);
    await hung.say('1');
    expect(hung.last.choices?.map((c) => c.id)).toEqual(['cd-de', 'cd-may']);
    await hung.say('xuong de');
    expect(hung.last.text).toContain('Câu 1/11');
    // Back from the first question returns to the choice of branch.
    await hung.say('quay lai');
    expect(hung.last.choices?.map((c) => c.id)).toEqual(['cd-de', 'cd-may']);
    await hung.say('xuong de');
    expect(hung.last.text).toContain('Câu 1/11');
    for (const a of ['3', '4', 'thuong xuyen', '4', '5', '3', '4', 'day du', 'vung manh']) await hung.say(a);
    expect(hung.last.text).toContain('Câu 10/10');
    await hung.say('bo qua');
    const thanks = await hung.say('gui phieu');
    expect(textOf(thanks)).toContain('theo từng chi');
    const stored = await app.services.surveys.surveyModels.SurveyResponse.findById(`kiem-tra-chi-2026:${memberId}:cd-de`).lean();
    expect(stored).toMatchObject({ memberId, subjectUnitId: 'cd-de' });
    expect(answersOf(stored!)).toMatchObject({ meetings_held: 3, content: 4, flexible_time: 'thuong_xuyen', rating: 'vung_manh' });

    await hung.say('khao sat');
    await hung.say('1');
    const again = await hung.say('Chi đoàn Phân xưởng Đế');
    expect(textOf(again)).toContain('đã gửi phiếu kiểm tra');
  });
});

describe('results in chat for the secretariat', () => {
  it('shows the results entry only to the secretariat, with a compact summary', async () => {
    const an = await onboarded('an');
    expect(an.last.choices?.map((c) => c.id)).not.toContain('survey_results');
    await app.models.Member.updateOne({ _id: await memberIdOf('an') }, { $set: { roles: ['worker', 'secretariat'] } });
    await an.say('menu');
    expect(an.last.choices?.map((c) => c.id)).toContain('survey_results');
    await an.say('ket qua khao sat');
    const summary = await an.say('Khảo sát tam-tu');
    expect(textOf(summary)).toContain('📊 Khảo sát tam-tu');
    expect(textOf(summary)).toMatch(/Đã trả lời: 1 người/);
    // Anonymous with one respondent: none of that person's answers, and how many more are needed.
    expect(textOf(summary)).toContain('cần thêm 4 người nữa');
    expect(textOf(summary)).not.toContain('Nhà trọ');
    expect(await app.models.Audit.countDocuments({ action: 'survey.results_viewed' })).toBe(1);
  });
});

describe('the sample aspirations survey, typed the way people type', () => {
  it('reads ages, hours and money with their units, keeps exclusive choices apart, and counts what it asked', async () => {
    const def = parseSurveyFile(await readFile(new URL('../core/surveys/sample/tam-tu-nguyen-vong.yaml', import.meta.url), 'utf8'), 'yaml');
    await app.services.surveys.importDefinition(def, { actor: 'test', at: app.clock.now() });
    const hanh = await onboarded('hanh');
    await hanh.say('khao sat');
    const intro = await hanh.say('Tâm tư nguyện vọng thanh niên công nhân');
    // 12 questions and 2 optional ones about the person: the intro and the progress say the same.
    expect(textOf(intro)).toContain('Phiếu có tối đa 14 câu');
    expect(textOf(intro)).not.toContain('12 câu');
    expect(hanh.last.text).toContain('Câu 1/14');
    await hanh.say('nha tro');
    expect(hanh.last.text).toContain('Câu 2/14');
    await hanh.say('không hài lòng');
    expect(hanh.last.text).toContain('Câu 3/14: Tiền trọ');
    expect(hanh.last.text).toContain('"1,5 triệu"');
    // Rent is in thousands of đồng: 1,5 thousand is not a rent; 1,5 million is.
    expect(textOf(await hanh.say('1,5'))).toContain('Số tiền này chưa hợp lý');
    expect(hanh.last.text).toContain('Câu 3/14');
    await hanh.say('1,5 triệu');
    await hanh.say('2');
    expect(hanh.last.text).toContain('Câu 5/14: Trung bình mỗi tuần bạn tăng ca');
    await hanh.say('10 tiếng');
    expect(hanh.last.text).toContain('Câu 6/14: Bạn muốn học thêm gì?');
    expect(textOf(await hanh.say('1, 6'))).toContain('"Chưa có nhu cầu" không chọn cùng các ý khác được');
    await hanh.say('nang cao tay nghe, tin hoc');
    for (const a of ['2', '1', '1', '1']) await hanh.say(a);
    expect(hanh.last.text).toContain('Câu 11/13');
    await hanh.say('bo qua');
    expect(hanh.last.text).toContain('Câu 12/13');
    // An age picks its band; a wrong answer's hint counts the choices shown, "Bỏ qua" included.
    expect(hanh.last.choices).toHaveLength(6);
    expect(textOf(await hanh.say('abc'))).toContain('từ 1 đến 6');
    await hanh.say('22');
    expect(hanh.last.text).toContain('Câu 13/13');
    await hanh.say('Nữ');
    expect(hanh.last.text).toContain('Bạn đã đi hết 13 câu (bỏ qua 1 câu)');
    await hanh.say('gui phieu');
    const [stored] = await app.services.surveys.surveyModels.SurveyResponse.find({ surveyId: def.id }).lean();
    expect(stored).toMatchObject({ ageBand: '18_24', gender: 'female' });
    expect(answersOf(stored!)).toMatchObject({ housing: 'nha_tro', housing_satisfaction: 2, rent: 1500, overtime_hours: 10, skills: ['tay_nghe', 'tin_hoc'], has_children: 'khong' });
  });
});
