/**
 * "You said, we did" after a survey: the draft of what was heard follows the suppressed results
 * (no free text, no withheld cell), and publishing sends one material to everyone the survey
 * invited — respondents or not, anonymous ones included — and to nobody else; refused while the
 * survey is open, for an inspection, outside the publisher's scope, twice, or with empty text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, waitForMessage } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';
import { BroadcastInputError } from '../broadcasts/broadcast-errors.js';
import type { Actor } from '../broadcasts/broadcast-service.js';
import { validateSurvey } from '../surveys/definition.js';
import { FeedbackInputError } from './feedback-errors.js';

let app: TestApp;
const city: Actor = { id: 'fb-city', roles: ['secretariat'], grants: [{ role: 'secretariat', unitId: 'hcm' }] };
const zone: Actor = { id: 'fb-zone', roles: ['secretariat'], grants: [{ role: 'secretariat', unitId: 'kcn-song-than-2' }] };
const invited: ConsolePerson[] = [];
let outsider: ConsolePerson;

const DAY = 24 * 3600_000;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  for (let i = 0; i < 6; i++) invited.push(await addMember(app, { id: `fb-w${i}`, name: `Công nhân ${i}`, orgUnitId: i % 2 ? 'ent-hoa-sen' : 'ent-phuc-thinh' }));
  outsider = await addMember(app, { id: 'fb-out', name: 'Ngoài khu', orgUnitId: 'ent-det-song-than' });
  await app.services.surveys.importDefinition(
    validateSurvey({
      id: 'fb-shift',
      title: { vi: 'Ca làm và nhà trọ', en: 'Shifts and housing' },
      opensAt: '2026-11-20T00:00:00+07:00',
      closesAt: '2026-11-30T00:00:00+07:00',
      anonymous: true,
      audience: { roles: ['worker'], orgUnits: ['vsip1'] },
      profile: [],
      questions: [
        { id: 'overtime', type: 'single', text: { vi: 'Bạn tăng ca mấy giờ mỗi tuần?', en: 'Overtime per week?' }, options: [{ id: 'none', text: { vi: 'Không tăng ca' } }, { id: 'some', text: { vi: 'Dưới 10 giờ' } }, { id: 'many', text: { vi: 'Trên 10 giờ' } }] },
        { id: 'wish', type: 'text', text: { vi: 'Bạn mong muốn điều gì?' } },
      ],
    }),
    { actor: 'test', at: app.clock.now() },
  );
  const survey = (await app.services.surveys.get('fb-shift'))!;
  // Five of the six answer; one writes a sentence that must never be published.
  const picks = ['many', 'many', 'many', 'some', 'some'];
  for (let i = 0; i < picks.length; i++) {
    const member = (await app.services.members.get(`fb-w${i}`))!;
    const answers = { overtime: picks[i]!, ...(i === 0 ? { wish: 'Tổ trưởng Nguyễn Văn Tâm bắt tăng ca' } : {}) };
    expect(await app.services.surveys.submit({ survey, member, answers, locale: 'vi', now: app.clock.now() })).toBe('saved');
  }
});
afterAll(async () => app?.close());

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (err instanceof FeedbackInputError || err instanceof BroadcastInputError) return err.code;
  throw err ?? new Error('not refused');
};

describe('"you said, we did" after a survey', () => {
  it('is refused while the survey is open', async () => {
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard: 'x', doing: 'y', locale: 'vi' }, city, app.clock.now()))).toBe('not_closed');
  });

  it('drafts what was heard from the suppressed results, never from free text', async () => {
    app.clock.advance(6 * DAY);
    const draft = await app.services.feedback.draftHeard('fb-shift', 'vi');
    expect(draft).toContain('5 bạn đã trả lời khảo sát "Ca làm và nhà trọ"');
    expect(draft).toMatch(/Bạn tăng ca mấy giờ mỗi tuần\?: Trên 10 giờ \(60 %\); Dưới 10 giờ \(40 %\)$/);
    expect(draft).not.toContain('Tâm');
    expect(draft).not.toContain('Bạn mong muốn');
    const en = await app.services.feedback.draftHeard('fb-shift', 'en');
    expect(en).toContain('5 of you answered the survey "Shifts and housing"');
  });

  it('refuses bad input with a reason', async () => {
    const now = app.clock.now();
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'nope', heard: 'x', doing: 'y', locale: 'vi' }, city, now))).toBe('unknown_survey');
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard: '   ', doing: 'y', locale: 'vi' }, city, now))).toBe('empty_text');
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard: 'x'.repeat(801), doing: 'y', locale: 'vi' }, city, now))).toBe('text_too_long');
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard: { $gt: '' } as unknown as string, doing: 'y', locale: 'vi' }, city, now))).toBe('empty_text');
    // A zone secretariat elsewhere may not speak to VSIP I's workers.
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard: 'x', doing: 'y', locale: 'vi' }, zone, now))).toBe('out_of_scope');
    expect(await app.services.feedback.get('sf-fb-shift')).toBeNull();
  });

  it('reaches everyone invited, respondents or not, and nobody else; once', async () => {
    const heard = await app.services.feedback.draftHeard('fb-shift', 'vi');
    const doing = 'Thành Đoàn sẽ làm việc với hai công ty về giờ tăng ca trong tháng 12.';
    const doc = await app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard, doing, locale: 'vi' }, city, app.clock.now());
    expect(doc).toMatchObject({ status: 'published', kind: 'survey', publishedBy: 'fb-city' });
    expect(doc.broadcastIds).toHaveLength(1);
    const material = (await app.services.materials.get(doc.materialId!))!;
    expect(material.topic).toBe('you_said_we_did');
    expect(material.content.vi!.title).toBe('Bạn nói, chúng tôi làm: Ca làm và nhà trọ');
    expect(material.content.en!.title).toBe('You said, we did: Shifts and housing');

    // fb-w5 did not answer: invited all the same.
    for (const p of invited) await waitForMessage(p, (m) => m.text.includes('Bạn nói, chúng tôi làm') && m.text.includes(doing) && m.text.includes('Trên 10 giờ'));
    const until = Date.now() + 10_000;
    while ((await app.services.feedback.reach(doc)).sent < invited.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await app.services.feedback.reach(doc)).toMatchObject({ targeted: 6, sent: 6, failed: 0 });
    expect(outsider.inbox.some((m) => m.text.includes('Bạn nói, chúng tôi làm'))).toBe(false);

    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-shift', heard, doing, locale: 'vi' }, city, app.clock.now()))).toBe('already_published');
    const audit = await app.models.Audit.find({ action: 'feedback.survey_published' }).lean();
    expect(audit.map((a) => a.target)).toEqual(['sf-fb-shift']);
  });

  it('is not for inspections', async () => {
    await app.services.surveys.importDefinition(
      validateSurvey({
        id: 'fb-insp', kind: 'inspection', title: { vi: 'Kiểm tra chi đoàn' }, opensAt: '2026-11-01T00:00:00+07:00', closesAt: '2026-11-02T00:00:00+07:00', anonymous: false,
        audience: { roles: ['cadre'] }, profile: [], inspection: { subjectKinds: ['enterprise'] },
        questions: [{ id: 'ok', type: 'single', text: { vi: 'Sinh hoạt đều?' }, options: [{ id: 'y', text: { vi: 'Có' } }, { id: 'n', text: { vi: 'Không' } }] }],
      }),
      { actor: 'test', at: app.clock.now() },
    );
    expect(await refusal(app.services.feedback.publishSurvey({ surveyId: 'fb-insp', heard: 'x', doing: 'y', locale: 'vi' }, city, app.clock.now()))).toBe('inspection');
  });
});
