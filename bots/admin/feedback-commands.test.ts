/** `npm run admin -- survey-feedback / feedback-list / outcome-note`, as operators run them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { validateSurvey } from '../../core/surveys/definition.js';

let app: TestApp;
let noteId = '';

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  // Open at the test clock (25 Nov), closed by the time the CLI runs (its clock is the real one).
  const def = (id: string, closesAt: string) =>
    validateSurvey({
      id, title: { vi: 'Bữa ăn ca', en: 'Shift meals' }, opensAt: '2026-11-20T00:00:00+07:00', closesAt, anonymous: true,
      audience: { roles: ['worker'], orgUnits: ['vsip1'] }, profile: [],
      questions: [{ id: 'meal', type: 'single', text: { vi: 'Bữa ăn ca có đủ no?', en: 'Is the shift meal enough?' }, options: [{ id: 'y', text: { vi: 'Đủ', en: 'Enough' } }, { id: 'n', text: { vi: 'Chưa đủ', en: 'Not enough' } }] }],
    });
  await app.services.surveys.importDefinition(def('cli-meal', '2026-11-26T00:00:00+07:00'), { actor: 'test', at: app.clock.now() });
  await app.services.surveys.importDefinition(def('cli-open', '2099-01-01T00:00:00+07:00'), { actor: 'test', at: app.clock.now() });
  const survey = (await app.services.surveys.get('cli-meal'))!;
  for (let i = 0; i < 5; i++) {
    await addMember(app, { id: `cf-w${i}`, name: `Công nhân ${i}`, orgUnitId: 'ent-hoa-sen' });
    await app.services.surveys.submit({ survey, member: (await app.services.members.get(`cf-w${i}`))!, answers: { meal: i < 4 ? 'n' : 'y' }, locale: 'vi', now: app.clock.now() });
  }
  await addMember(app, { id: 'cf-lead', name: 'Anh Lực', roles: ['cadre'] });
  await assign(app, { memberId: 'cf-lead', unit: 'ent-hoa-sen', organisation: 'trade_union' });
  const { concern } = await app.services.concerns.submit({ memberId: 'cf-w0', category: 'safety', orgUnitId: 'ent-hoa-sen', description: 'Bữa ăn ca quá ít thịt', photos: 0, anonymous: true, intakeKey: 'cf-1', at: app.clock.now() });
  await app.services.concerns.act('cf-lead', concern._id, { kind: 'resolve', summary: 'Bếp ăn đã tăng khẩu phần' }, app.clock.now(), 'cf-res');
  const { note } = await app.services.feedback.proposeOutcome('cf-lead', concern._id, 'Bếp ăn công ty đã tăng khẩu phần thịt cá từ tuần này.', 'vi', app.clock.now(), 'cf-p');
  await app.services.feedback.answerConsent('cf-w0', concern._id, true, app.clock.now());
  noteId = note._id;
});
afterAll(async () => app?.close());

const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

describe('npm run admin -- survey-feedback / feedback-list / outcome-note', () => {
  it('prints the draft of what was heard, then publishes; refuses an open survey and bad input clearly', async () => {
    const draft = await admin('survey-feedback', 'cli-meal', '--draft', '--lang', 'en');
    expect(draft.code).toBe(0);
    expect(draft.stdout).toContain('5 of you answered the survey "Shift meals"');
    expect(draft.stdout).toContain('Not enough (80%)');
    const open = await admin('survey-feedback', 'cli-open', '--doing', 'Sẽ làm việc với bếp ăn');
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('is still open');
    const unknown = await admin('outcome-note', 'publish', '{"$gt": ""}');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no outcome note');
    expect((await admin('survey-feedback', 'cli-meal')).stderr).toContain('--doing');
    const injected = await admin('survey-feedback', '{"$gt": ""}', '--draft');
    expect(injected.code).toBe(1);
    expect(injected.stderr).toContain('There is no survey');
    const published = await admin('survey-feedback', 'cli-meal', '--doing', 'Thành Đoàn sẽ làm việc với bếp ăn các công ty trong tháng 12.');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/published sf-cli-meal: material mat-[0-9a-f]+, broadcasts bc-/);
    expect((await admin('survey-feedback', 'cli-meal', '--doing', 'lần nữa')).stderr).toContain('already been published');
  });

  it('lists notes and publications, and publishes an agreed outcome note once', async () => {
    const ready = await admin('feedback-list', '--status', 'ready');
    expect(ready.stdout).toContain(noteId);
    expect(ready.stdout).toContain('safety at ent-hoa-sen');
    expect((await admin('outcome-note', 'show', noteId)).stdout).toContain('tăng khẩu phần');
    const pub = await admin('outcome-note', 'publish', noteId);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(new RegExp(`${noteId}: published \\(broadcast bc-`));
    const again = await admin('outcome-note', 'publish', noteId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no longer at that step');
    const all = await admin('feedback-list');
    expect(all.stdout).toMatch(/sf-cli-meal\s+published\s+survey cli-meal/);
  });
});
