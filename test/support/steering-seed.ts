/**
 * A month of programme work for the steering report's tests (core, CLI, web page, scheduler), all
 * dated in Vietnam time and reported for November 2026 as of 07:00 1/12/2026 (`STEERING_NOW`):
 *
 * - Tree: the sample units, plus two youth-union branches (Phân xưởng May at Phúc Thịnh, Hoa Sen).
 * - Staff (no unit of their own): Chị Thư, secretariat of the city; Chị Vy, of KCN VSIP I; Anh Tú,
 *   trade-union cadre at VSIP I (acted on 5/11); Chị Hoa, Women's Union cadre at KCN Sóng Thần 2
 *   (assigned since 1/10, never acted: idle).
 * - Workers: 7 at Phúc Thịnh (2 registered in November; 3 on Zalo), 3 at Hoa Sen (1 on Telegram),
 *   2 at Dệt Sóng Thần.
 * - Broadcasts started in November: to everyone (95 sent), to VSIP I (8 sent), to Sóng Thần 2 (2
 *   sent); and one to VSIP I in October.
 * - Meetings held in November: Phân xưởng May 4 present of 6 invited; Hoa Sen 2 (one since erased)
 *   of 3. Not counted: one fixed for 2 December, one still voting.
 * - Surveys: "Nhà ở" (anonymous, VSIP I's workers, open all November): 6 answer at Phúc Thịnh and
 *   3 at Hoa Sen — Phúc Thịnh's 6 is hidden in the results (the rest of VSIP I would be 3);
 *   "Ít người" (anonymous, every worker): 2 answers, withheld; "Tháng 10" (closed 1/11): outside.
 * - Inspection "Kiểm tra chi" (open in November): Anh Tú scores Phân xưởng May 4, Hoa Sen 2.
 * - Concerns in November: at Phúc Thịnh three on wages (resolved in time; answered late then in
 *   time; waiting), at Hoa Sen one on harassment (flagged), at Dệt Sóng Thần one on overtime
 *   (escalated, late); one in October.
 * - Collective cases: wages at Phúc Thịnh formed 7/11 (open); overtime at Hoa Sen formed 15/10,
 *   resolved 3/11; overtime at Dệt Sóng Thần formed 13/11, resolved 20/11.
 */
import { bindBroadcastModels, type BroadcastDoc } from '../../core/broadcasts/models.js';
import type { ConcernDoc } from '../../core/concerns/models.js';
import type { MeetingDoc } from '../../core/meetings/models.js';
import { validateSurvey } from '../../core/surveys/definition.js';
import { insertSampleUnits } from './sample-units.js';
import type { TestApp } from './test-app.js';

/** A Vietnam wall-clock time, "2026-11-16 08:00". */
export const vn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+07:00`);
/** When the November report is made (the scheduled run). */
export const STEERING_NOW = vn('2026-12-01 07:00');
const MIN = 60_000;

function concern(id: string, o: Partial<ConcernDoc> & { at: string; unit: string }): ConcernDoc {
  const createdAt = vn(o.at);
  return {
    _id: id,
    category: 'wages',
    orgUnitId: o.unit,
    levelUnitId: o.unit,
    level: 0,
    flagged: false,
    urgent: false,
    anonymous: true,
    status: 'received',
    description: 'Nội dung phản ánh không hiển thị trong báo cáo',
    photos: 0,
    awaitingAnswer: false,
    slaOutcomes: [],
    slaSeq: 0,
    events: [{ at: createdAt, kind: 'created', actor: 'reporter' }],
    intakeKey: `k-${id}`,
    createdAt,
    updatedAt: createdAt,
    ...o,
  } as ConcernDoc;
}

function broadcast(id: string, o: { started: string; unit?: string; counts: Partial<BroadcastDoc['counts']> }): BroadcastDoc {
  const at = vn(o.started);
  return {
    _id: id,
    content: { text: 'Thông báo' },
    audience: { ...(o.unit ? { orgUnitId: o.unit } : {}), topics: [], roles: [] },
    schedule: { kind: 'once', at },
    quietHours: null,
    status: 'done',
    createdBy: 'm-thu',
    createdAt: at,
    updatedAt: at,
    generation: 1,
    fannedOut: true,
    counts: { targeted: 0, sent: 0, failed: 0, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0, ...o.counts },
    startedAt: at,
    finishedAt: at,
  };
}

function meeting(id: string, o: { unit: string; at: string; status?: MeetingDoc['status']; invited: number; erasedPresent?: number }): MeetingDoc {
  const at = vn(o.at);
  const created = new Date(at.getTime() - 5 * 86_400_000);
  return {
    _id: id,
    unitId: o.unit,
    topic: 'Sinh hoạt chi đoàn',
    place: 'Nhà văn hóa công nhân',
    slots: [{ at, label: 'sau ca sáng' }],
    deadline: new Date(at.getTime() - 86_400_000),
    status: o.status ?? 'fixed',
    ...(o.status === 'voting' ? {} : { fixedSlot: 0, fixedAt: created, fixedHow: 'cadre' as const }),
    createdBy: 'c-tu',
    createdAt: created,
    updatedAt: created,
    counts: { invited: o.invited, optedOut: 0, unreachable: 0, withdrawn: 0 },
    erasedPresent: o.erasedPresent ?? 0,
  };
}

const PHUC_THINH = ['w-p1', 'w-p2', 'w-p3', 'w-p4', 'w-p5', 'w-p6', 'w-p7'];
const HOA_SEN = ['w-h1', 'w-h2', 'w-h3'];

export async function seedSteering(app: TestApp): Promise<void> {
  const { models, services } = app;
  await insertSampleUnits(models);
  await models.OrgUnit.insertMany([
    { _id: 'cd-pt-may', name: 'Chi đoàn Phân xưởng May', kind: 'youth_union_branch', parentId: 'ent-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh'], aliases: [] },
    { _id: 'cd-hs', name: 'Chi đoàn Hoa Sen', kind: 'youth_union_branch', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
  ]);

  const staff = (id: string, name: string, roles: string[], grants: { role: string; unitId: string }[] = []) => ({
    _id: id,
    roles,
    grants,
    locale: 'vi',
    displayName: name,
    consent: { version: 'test', givenAt: vn('2026-09-01 08:00'), channel: 'telegram' },
    status: 'active',
    broadcastsOptOut: false,
    createdAt: vn('2026-09-01 08:00'),
  });
  const worker = (id: string, unit: string, created: string) => ({ _id: id, roles: ['worker'], orgUnitId: unit, locale: 'vi', consent: { version: 'test', givenAt: vn(created), channel: 'zalo' }, status: 'active', broadcastsOptOut: false, createdAt: vn(created) });
  await models.Member.insertMany([
    staff('m-thu', 'Chị Nguyễn Thị Thư', ['secretariat'], [{ role: 'secretariat', unitId: 'hcm' }]),
    staff('m-vy', 'Chị Trần Thảo Vy', ['secretariat'], [{ role: 'secretariat', unitId: 'vsip1' }]),
    staff('c-tu', 'Anh Tú Công đoàn', ['cadre']),
    staff('c-hoa', 'Chị Hoa Hội Phụ nữ', ['cadre']),
    ...PHUC_THINH.map((id, i) => worker(id, 'ent-phuc-thinh', i < 5 ? '2026-10-01 08:00' : '2026-11-10 08:00')),
    ...HOA_SEN.map((id) => worker(id, 'ent-hoa-sen', '2026-10-01 08:00')),
    worker('w-d1', 'ent-det-song-than', '2026-10-01 08:00'),
    worker('w-d2', 'ent-det-song-than', '2026-10-01 08:00'),
  ]);
  const identity = (channel: string, user: string, memberId: string) => ({ _id: `${channel}:${user}`, channel, platformUserId: user, chatId: user, memberId, createdAt: vn('2026-10-01 08:00') });
  await models.ChannelIdentity.insertMany([identity('zalo', 'zp1', 'w-p1'), identity('zalo', 'zp2', 'w-p2'), identity('zalo', 'zp3', 'w-p3'), identity('telegram', '8801', 'w-h1')]);
  for (const [memberId, unit, organisation] of [['c-tu', 'vsip1', 'trade_union'], ['c-hoa', 'kcn-song-than-2', 'womens_union']] as const) {
    await services.concerns.upsertAssignment({ _id: `${memberId}:${unit}:${organisation}`, memberId, orgUnitId: unit, organisation, categories: [], conflictUnitIds: [], active: true, startedAt: vn('2026-10-01 08:00') }, vn('2026-10-01 08:00'));
  }

  await bindBroadcastModels(app.conn).Broadcast.insertMany([
    broadcast('bc-city', { started: '2026-11-03 08:00', counts: { targeted: 100, sent: 95, failed: 5, optedOut: 7 } }),
    broadcast('bc-vsip', { started: '2026-11-17 19:00', unit: 'vsip1', counts: { targeted: 9, sent: 8, failed: 1, optedOut: 1 } }),
    broadcast('bc-st2', { started: '2026-11-18 19:00', unit: 'kcn-song-than-2', counts: { targeted: 2, sent: 2 } }),
    broadcast('bc-oct', { started: '2026-10-20 19:00', unit: 'vsip1', counts: { targeted: 9, sent: 9 } }),
  ]);

  const store = services.meetings.store;
  await store.insert(meeting('SH-MAY11', { unit: 'cd-pt-may', at: '2026-11-12 19:00', invited: 6 }));
  await store.insert(meeting('SH-HS111', { unit: 'cd-hs', at: '2026-11-20 14:30', invited: 3, erasedPresent: 1 }));
  await store.insert(meeting('SH-MAY12', { unit: 'cd-pt-may', at: '2026-12-02 19:00', invited: 6 }));
  await store.insert(meeting('SH-VOTE1', { unit: 'cd-hs', at: '2026-11-28 19:00', invited: 3, status: 'voting' }));
  for (const w of ['w-p1', 'w-p2', 'w-p3', 'w-p4']) await store.attend('SH-MAY11', w, vn('2026-11-12 19:05'));
  await store.attend('SH-HS111', 'w-h1', vn('2026-11-20 14:35'));
  await store.attend('SH-MAY12', 'w-p1', vn('2026-12-02 19:05'));

  const s = services.surveys;
  const def = (id: string, extra: Record<string, unknown>) =>
    validateSurvey({
      id,
      title: { vi: id === 'nha-o' ? 'Nhà ở công nhân' : id, en: id === 'nha-o' ? 'Workers’ housing' : id },
      opensAt: '2026-11-01T00:00:00+07:00',
      closesAt: '2026-12-01T00:00:00+07:00',
      anonymous: true,
      audience: { roles: ['worker'] },
      questions: [{ id: 'happy', type: 'scale', text: { vi: 'Hài lòng?' } }],
      ...extra,
    });
  const at = { actor: 'test', at: vn('2026-10-25 08:00') };
  await s.importDefinition(def('nha-o', { audience: { roles: ['worker'], orgUnits: ['vsip1'] } }), at);
  await s.importDefinition(def('it-nguoi', {}), at);
  await s.importDefinition(def('thang-10', { opensAt: '2026-10-01T00:00:00+07:00', closesAt: '2026-11-01T00:00:00+07:00' }), at);
  await s.importDefinition(def('kiem-tra', { kind: 'inspection', anonymous: false, audience: { roles: ['cadre'] }, inspection: { subjectKinds: ['youth_union_branch'] } }), at);
  const answer = async (surveyId: string, memberId: string, happy: number, subject?: string) => {
    const survey = (await s.get(surveyId))!;
    const member = (await services.members.get(memberId))!;
    const outcome = await s.submit({ survey, member, answers: { happy }, ...(subject ? { subject } : {}), locale: 'vi', now: vn('2026-11-20 10:00') });
    if (outcome !== 'saved') throw new Error(`${memberId} could not answer ${surveyId}: ${outcome}`);
  };
  for (const w of PHUC_THINH.slice(0, 6)) await answer('nha-o', w, 4);
  for (const w of HOA_SEN) await answer('nha-o', w, 3);
  for (const w of HOA_SEN.slice(0, 2)) await answer('it-nguoi', w, 5);
  await answer('kiem-tra', 'c-tu', 4, 'cd-pt-may');
  await answer('kiem-tra', 'c-tu', 2, 'cd-hs');

  const after = (at: string, min: number) => new Date(vn(at).getTime() + min * MIN);
  await services.concerns.cm.Concern.insertMany([
    concern('PA-PT01', {
      at: '2026-11-05 08:00',
      unit: 'ent-phuc-thinh',
      status: 'resolved',
      assigneeId: 'c-tu',
      firstResponseAt: after('2026-11-05 08:00', 30),
      resolvedAt: after('2026-11-05 08:00', 120),
      slaOutcomes: [{ kind: 'first_response', level: 0, met: true }, { kind: 'resolution', level: 0, met: true }],
      events: [
        { at: vn('2026-11-05 08:00'), kind: 'created', actor: 'reporter' },
        { at: after('2026-11-05 08:00', 30), kind: 'accepted', actor: 'c-tu' },
        { at: after('2026-11-05 08:00', 120), kind: 'resolved', actor: 'c-tu' },
      ],
    } as Partial<ConcernDoc> & { at: string; unit: string }),
    concern('PA-PT02', { at: '2026-11-06 08:00', unit: 'ent-phuc-thinh', status: 'accepted', level: 1, levelUnitId: 'vsip1', firstResponseAt: after('2026-11-06 08:00', 90), slaOutcomes: [{ kind: 'first_response', level: 0, met: false }, { kind: 'first_response', level: 1, met: true }] }),
    concern('PA-PT03', { at: '2026-11-07 08:00', unit: 'ent-phuc-thinh' }),
    concern('PA-HS01', { at: '2026-11-10 10:00', unit: 'ent-hoa-sen', category: 'harassment', flagged: true }),
    concern('PA-DS01', { at: '2026-11-12 09:00', unit: 'ent-det-song-than', category: 'overtime', status: 'escalated', slaOutcomes: [{ kind: 'first_response', level: 0, met: false }] }),
    concern('PA-OCT1', { at: '2026-10-20 08:00', unit: 'ent-phuc-thinh' }),
  ]);

  const Case = app.conn.model('CollectiveCase');
  const kase = (id: string, o: { unit: string; category: string; codes: string[]; formed: string; resolved?: string }) => ({
    _id: id,
    orgUnitId: o.unit,
    category: o.category,
    status: o.resolved ? 'resolved' : 'open',
    concernCodes: o.codes,
    lastConcernAt: vn(o.formed),
    events: [{ at: vn(o.formed), kind: 'formed', actor: 'system' }],
    createdAt: vn(o.formed),
    updatedAt: vn(o.resolved ?? o.formed),
    ...(o.resolved ? { resolvedAt: vn(o.resolved), summary: 'Đã giải quyết' } : {}),
  });
  await Case.insertMany([
    kase('VV-PT0001', { unit: 'ent-phuc-thinh', category: 'wages', codes: ['PA-PT01', 'PA-PT02', 'PA-PT03'], formed: '2026-11-07 08:05' }),
    kase('VV-HS0001', { unit: 'ent-hoa-sen', category: 'overtime', codes: ['PA-X1', 'PA-X2', 'PA-X3'], formed: '2026-10-15 08:00', resolved: '2026-11-03 08:00' }),
    kase('VV-DS0001', { unit: 'ent-det-song-than', category: 'overtime', codes: ['PA-DS01', 'PA-Y1', 'PA-Y2', 'PA-Y3'], formed: '2026-11-13 08:00', resolved: '2026-11-20 08:00' }),
  ]);
}
