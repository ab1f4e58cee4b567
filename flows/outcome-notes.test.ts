/**
 * "You said, we did" for a resolved concern, through the chat: the lead cadre writes an
 * anonymised summary; the anonymous reporter is asked through the sealed relay and agrees in "my
 * concerns"; the secretariat of the unit publishes it to that unit's workers, once. Nobody else
 * may propose, a declined note is never published, an unresolved concern cannot be shared, and
 * when the reporter erases their data an unpublished note goes with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';
import type { Actor } from '../core/broadcasts/broadcast-service.js';
import { FeedbackInputError } from '../core/feedback/feedback-errors.js';
import { validateSurvey } from '../core/surveys/definition.js';

let app: TestApp;
let lead: ConsolePerson;
const ward: Actor = { id: 'on-sec', roles: ['secretariat'], grants: [{ role: 'secretariat', unitId: 'vsip1' }] };
const elsewhere: Actor = { id: 'on-sec2', roles: ['secretariat'], grants: [{ role: 'secretariat', unitId: 'kcn-song-than-2' }] };

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  lead = await addMember(app, { id: 'on-lead', name: 'Anh Lực', roles: ['cadre'] });
  await addMember(app, { id: 'on-other', name: 'Chị Ngọc', roles: ['cadre'] });
  await assign(app, { memberId: 'on-lead', unit: 'ent-hoa-sen', organisation: 'trade_union' });
  await assign(app, { memberId: 'on-other', unit: 'kcn-song-than-2', organisation: 'trade_union' });
});
afterAll(async () => app?.close());

async function resolvedConcern(reporterId: string, key: string): Promise<string> {
  const { concern } = await app.services.concerns.submit({ memberId: reporterId, category: 'overtime', orgUnitId: 'ent-hoa-sen', description: 'Bắt tăng ca đến 22 giờ mỗi ngày', photos: 0, anonymous: true, intakeKey: key, at: app.clock.now() });
  await app.services.concerns.act('on-lead', concern._id, { kind: 'resolve', summary: 'Công ty đã giảm giờ tăng ca' }, app.clock.now(), `${key}-res`);
  return concern._id;
}

const SUMMARY = 'Sau khi Công đoàn làm việc, công ty cam kết tăng ca không quá 2 giờ mỗi ngày và trả đủ tiền tăng ca.';

describe('an outcome note for a resolved concern', () => {
  it('goes from the lead, through the reporter’s consent, to the unit’s workers', async () => {
    const reporter = await addMember(app, { id: 'on-w1', name: 'Trần Thị Mai', orgUnitId: 'ent-hoa-sen' });
    const coworker = await addMember(app, { id: 'on-w2', name: 'Lê Văn Tú', orgUnitId: 'ent-hoa-sen' });
    const farAway = await addMember(app, { id: 'on-w3', name: 'Phạm Hà', orgUnitId: 'ent-det-song-than' });
    const code = await resolvedConcern('on-w1', 'on-1');

    // The lead opens the resolved concern by its code and shares the outcome.
    await lead.say('menu');
    await lead.say('cadre_inbox');
    await lead.say(code);
    expect(lead.last.choices?.map((c) => c.id)).toContain('share_outcome');
    expect(textOf(await lead.say('share_outcome'))).toContain('Không ghi tên');
    expect(textOf(await lead.say('ngắn'))).toContain('Không ghi tên'); // too short: asked again
    expect(textOf(await lead.say(SUMMARY))).toContain('Đã gửi bản tóm tắt cho người phản ánh');

    // The anonymous reporter is asked through the sealed relay, and answers in "my concerns".
    await waitForMessage(reporter, (m) => m.text.includes(code) && m.text.includes(SUMMARY) && m.text.includes('đồng ý hoặc từ chối'));
    await reporter.say('menu');
    await reporter.say('concerns');
    await reporter.say('mine');
    await reporter.say(code);
    expect(reporter.last.choices?.map((c) => c.id)).toContain('outcome_consent');
    expect(textOf(await reporter.say('outcome_consent'))).toContain(SUMMARY);
    expect(textOf(await reporter.say('yes'))).toContain('Cảm ơn bạn');

    const [note] = await app.services.feedback.list({ kind: 'outcome' });
    expect(note).toMatchObject({ status: 'ready', concernCode: code, unitId: 'ent-hoa-sen', proposedBy: 'on-lead' });
    // Nothing in the note, or in the audit of the consent, names the reporter.
    expect(JSON.stringify(note)).not.toContain('on-w1');
    const consentAudit = await app.models.Audit.find({ target: note!._id }).lean();
    expect(JSON.stringify(consentAudit)).not.toContain('on-w1');
    expect(consentAudit.map((a) => a.action).sort()).toEqual(['feedback.outcome_agreed', 'feedback.outcome_proposed']);

    // Another zone's secretariat may not publish it; the ward's may, once.
    await expect(app.services.feedback.publishOutcome(note!._id, elsewhere, app.clock.now())).rejects.toMatchObject({ code: 'out_of_scope' });
    const published = await app.services.feedback.publishOutcome(note!._id, ward, app.clock.now());
    expect(published.status).toBe('published');
    await expect(app.services.feedback.publishOutcome(note!._id, ward, app.clock.now())).rejects.toMatchObject({ code: 'bad_state' });
    for (const p of [reporter, coworker]) await waitForMessage(p, (m) => m.text.includes('Bạn nói, chúng tôi làm') && m.text.includes(SUMMARY) && m.text.includes('Công ty CP May mặc Hoa Sen'));
    expect(farAway.inbox.some((m) => m.text.includes(SUMMARY))).toBe(false);
    // The published message names neither the reporter nor the concern.
    const sent = coworker.inbox.find((m) => m.text.includes(SUMMARY))!.text;
    expect(sent).not.toContain('Mai');
    expect(sent).not.toContain(code);
  });

  it('is the lead’s alone, for a resolved concern, once', async () => {
    await addMember(app, { id: 'on-w4', name: 'Võ Thị Lan', orgUnitId: 'ent-hoa-sen' });
    const code = await resolvedConcern('on-w4', 'on-2');
    const s = app.services.feedback;
    await expect(s.proposeOutcome('on-other', code, SUMMARY, 'vi', app.clock.now(), 'k1')).rejects.toThrow(/not assigned/);
    await s.proposeOutcome('on-lead', code, SUMMARY, 'vi', app.clock.now(), 'k2');
    await expect(s.proposeOutcome('on-lead', code, SUMMARY, 'vi', app.clock.now(), 'k3')).rejects.toMatchObject({ code: 'already_proposed' });
    const { concern } = await app.services.concerns.submit({ memberId: 'on-w4', category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Chưa trả lương tháng 10', photos: 0, anonymous: false, intakeKey: 'on-3', at: app.clock.now() });
    const err = await s.proposeOutcome('on-lead', concern._id, SUMMARY, 'vi', app.clock.now(), 'k4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedbackInputError);
    expect((err as FeedbackInputError).code).toBe('not_resolved');
  });

  it('is never published when the reporter declines, and goes with their data when they erase it', async () => {
    const declining = await addMember(app, { id: 'on-w5', name: 'Đỗ Minh', orgUnitId: 'ent-hoa-sen' });
    const code = await resolvedConcern('on-w5', 'on-4');
    const { note } = await app.services.feedback.proposeOutcome('on-lead', code, SUMMARY, 'vi', app.clock.now(), 'k5');
    // Only the reporter may answer.
    await expect(app.services.feedback.answerConsent('on-w1', code, true, app.clock.now())).rejects.toThrow();
    await declining.say('menu');
    await declining.say('concerns');
    await declining.say('mine');
    await declining.say(code);
    await declining.say('outcome_consent');
    expect(textOf(await declining.say('no'))).toContain('sẽ không được chia sẻ');
    expect((await app.services.feedback.get(note._id))!.status).toBe('declined');
    await expect(app.services.feedback.publishOutcome(note._id, ward, app.clock.now())).rejects.toMatchObject({ code: 'bad_state' });

    await addMember(app, { id: 'on-w6', name: 'Huỳnh Nga', orgUnitId: 'ent-hoa-sen' });
    const code2 = await resolvedConcern('on-w6', 'on-5');
    const { note: pending } = await app.services.feedback.proposeOutcome('on-lead', code2, SUMMARY, 'vi', app.clock.now(), 'k6');
    await app.services.erasure.erase('on-w6', { eventId: 'erase-on-w6', at: app.clock.now() });
    expect(await app.services.feedback.get(pending._id)).toBeNull();
  });

  it('is published by the ward’s secretariat in chat, who also sends a closed survey’s feedback', async () => {
    const vy = await addMember(app, { id: 'on-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
    await app.models.Member.updateOne({ _id: 'on-vy' }, { $set: { grants: ward.grants } });
    const reader = await addMember(app, { id: 'on-w7', name: 'Bùi Thảo', orgUnitId: 'ent-hoa-sen' });
    const code = await resolvedConcern('on-w7', 'on-6');
    const { note } = await app.services.feedback.proposeOutcome('on-lead', code, `${SUMMARY} (7)`, 'vi', app.clock.now(), 'k7');
    await app.services.feedback.answerConsent('on-w7', code, true, app.clock.now());
    await app.services.surveys.importDefinition(
      validateSurvey({
        id: 'on-survey', title: { vi: 'Giờ tăng ca' }, opensAt: '2026-11-01T00:00:00+07:00', closesAt: '2026-11-20T00:00:00+07:00', anonymous: true,
        audience: { roles: ['worker'], orgUnits: ['vsip1'] }, profile: [],
        questions: [{ id: 'q', type: 'single', text: { vi: 'Tăng ca nhiều không?' }, options: [{ id: 'y', text: { vi: 'Nhiều' } }, { id: 'n', text: { vi: 'Ít' } }] }],
      }),
      { actor: 'test', at: app.clock.now() },
    );

    await vy.say('menu');
    await vy.say('secretariat');
    const list = textOf(await vy.say('feedback'));
    expect(list).toContain('1 kết quả phản ánh chờ đăng, 1 khảo sát đã đóng');
    expect(textOf(await vy.say(`note:${note._id}`))).toContain(`${SUMMARY} (7)`);
    expect(textOf(await vy.say('publish'))).toContain('Đã đăng kết quả');
    expect((await app.services.feedback.get(note._id))!.status).toBe('published');
    await waitForMessage(reader, (m) => m.text.includes(`${SUMMARY} (7)`));

    expect(textOf(await vy.say('survey:on-survey'))).toContain('0 bạn đã trả lời khảo sát "Giờ tăng ca"');
    expect(textOf(await vy.say('Công đoàn sẽ đề nghị công ty giảm tăng ca trong tháng 12.'))).toContain('Đã gửi phần');
    await waitForMessage(reader, (m) => m.text.includes('Công đoàn sẽ đề nghị công ty giảm tăng ca'));
    expect(textOf(await vy.say('back'))).toContain('Tổ thư ký');
  });
});
