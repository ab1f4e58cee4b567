/** A secretariat member of an industrial zone acts on that subtree only; the city level keeps the whole tree. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastInputError, broadcastErrorText } from '../core/broadcasts/broadcast-errors.js';
import type { Actor } from '../core/broadcasts/broadcast-service.js';
import { validateSurvey } from '../core/surveys/definition.js';
import { seedMembers, seededMemberId } from '../test/support/broadcast-members.js';
import { addMember, fastPolicy } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let vy: ConsolePerson;
let thu: ConsolePerson;
const vyActor: Actor = { id: 'm-vy', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'vsip1' }] };
const thuActor: Actor = { id: 'm-thu', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'hcm' }] };
const codes: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  // Three workers under VSIP I, two under Sóng Thần 2.
  await seedMembers(app.models, 5, { unit: (i) => (i < 3 ? 'ent-phuc-thinh' : 'ent-det-song-than') });
  vy = await addMember(app, { id: 'm-vy', name: 'Chị Vy Tổ thư ký KCN VSIP I', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  thu = await addMember(app, { id: 'm-thu', name: 'Chị Thư Tổ thư ký Thành Đoàn', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: vyActor.grants } });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: thuActor.grants } });
  // No cadre anywhere: both concerns wait for the secretariat.
  for (const [key, unit] of [['vsip', 'ent-phuc-thinh'], ['song-than', 'ent-det-song-than']] as const) {
    const { concern } = await app.services.concerns.submit({ memberId: 'm0000000', category: 'harassment', orgUnitId: unit, description: 'Quản lý ca đêm nhắn tin gạ gẫm', photos: 0, anonymous: true, intakeKey: `scope-${key}`, at: app.clock.now() });
    expect(concern.flagged).toBe(true);
    codes[key] = concern._id;
  }
});
afterAll(async () => app?.close());

describe('a zone-level secretariat member', () => {
  it('is offered their own unit, refused a unit outside it with the reason, and broadcasts inside it', async () => {
    await vy.say('menu');
    await vy.say('secretariat');
    await vy.say('new');
    await vy.say('write');
    const audience = await vy.say('Tối thứ Sáu sinh hoạt chi đoàn tại nhà văn hóa KCN.');
    expect(textOf(audience)).toContain('Anh/chị phụ trách KCN VSIP I');
    expect(vy.last.choices?.map((c) => c.id)).toEqual(['unit:vsip1', 'back']);

    const outside = await vy.say('song than');
    expect(textOf(outside)).toContain('KCN Sóng Thần 2 nằm ngoài phạm vi anh/chị phụ trách (KCN VSIP I)');
    expect(vy.last.choices?.map((c) => c.id)).toEqual(['unit:vsip1', 'back']);
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', target: 'kcn-song-than-2' })).toBe(1);

    // A unit under their own is found and offered; their own unit is one choice away.
    await vy.say('phuc thinh');
    expect(vy.last.choices?.map((c) => c.id)).toEqual(['ent-phuc-thinh', 'back']);
    await vy.say('back');
    const refine = await vy.say('KCN VSIP I');
    // The three workers at Phúc Thịnh and Vy herself.
    expect(textOf(refine)).toContain('Sẽ gửi tới 4 người');
    await vy.say('ok');
    await vy.say('now');
    const created = await vy.say('confirm');
    expect(textOf(created)).toMatch(/bc-\w+ tới 4 người/);
    const mine = await app.services.broadcasts.list(10, vyActor, app.clock.now());
    expect(mine.map((b) => b.audience.orgUnitId)).toEqual(['vsip1']);
  });

  it('is refused everyone and units outside the subtree by the broadcast service, with the reason in words', async () => {
    const request = (orgUnitId?: string) => ({ content: { text: 'Thông báo chung' }, audience: orgUnitId ? { orgUnitId } : {}, schedule: { kind: 'once' as const } });
    const refusal = async (orgUnitId?: string) => {
      const err = await app.services.broadcasts.create(request(orgUnitId), vyActor, { now: app.clock.now() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BroadcastInputError);
      return err as BroadcastInputError;
    };
    const everyone = await refusal();
    expect(everyone.code).toBe('out_of_scope_everyone');
    expect(broadcastErrorText(app.services.i18n.for('vi'), everyone)).toContain('Gửi cho tất cả cần quyền cấp thành phố. Anh/chị phụ trách KCN VSIP I');
    expect(broadcastErrorText(app.services.i18n.for('en'), everyone)).toContain('Sending to everyone needs a city-level role');
    expect((await refusal('ent-det-song-than')).code).toBe('out_of_scope');
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', target: { $in: ['*', 'ent-det-song-than'] } })).toBe(2);

    // The city level sends to everyone; its broadcast is not in the zone's list.
    const city = await app.services.broadcasts.create({ ...request('kcn-song-than-2'), draft: true }, thuActor, { now: app.clock.now() });
    await expect(app.services.broadcasts.cancel(city.broadcast._id, vyActor, app.clock.now())).rejects.toMatchObject({ code: 'out_of_scope' });
    expect((await app.services.broadcasts.list(10, vyActor, app.clock.now())).map((b) => b._id)).not.toContain(city.broadcast._id);
    expect((await app.services.broadcasts.list(10, thuActor, app.clock.now())).map((b) => b._id)).toContain(city.broadcast._id);
    await app.services.broadcasts.create({ ...request(), draft: true }, thuActor, { now: app.clock.now() });
  });

  it('sees only the flagged concerns of the subtree; the city level sees them all', async () => {
    await vy.say('menu');
    await vy.say('secretariat');
    expect(vy.last.choices?.find((c) => c.id === 'flagged')?.label).toContain('(1)');
    await vy.say('flagged');
    expect(vy.last.choices?.map((c) => c.id)).toEqual([codes.vsip, 'back']);

    await thu.say('menu');
    await thu.say('secretariat');
    expect(thu.last.choices?.find((c) => c.id === 'flagged')?.label).toContain('(2)');
    await thu.say('flagged');
    expect(thu.last.choices?.map((c) => c.id).sort()).toEqual([codes.vsip, codes['song-than'], 'back'].sort());
  });

  it('reads survey results of the subtree only; the city level reads them all', async () => {
    const def = validateSurvey({
      id: 'o-tro', title: { vi: 'Khảo sát nhà trọ', en: 'Housing survey' }, opensAt: '2026-11-01T00:00:00+07:00', closesAt: '2026-12-01T00:00:00+07:00',
      anonymous: false, audience: { roles: ['worker'] }, profile: [],
      questions: [{ id: 'housing', type: 'single', text: { vi: 'Bạn đang ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] }],
    });
    await app.services.surveys.importDefinition(def, { actor: 'test', at: app.clock.now() });
    const survey = (await app.services.surveys.get('o-tro'))!;
    // Three answer at Phúc Thịnh (under VSIP I), two at Dệt Sóng Thần.
    for (let i = 0; i < 5; i++) {
      const member = (await app.services.members.get(seededMemberId(i)))!;
      expect(await app.services.surveys.submit({ survey, member, answers: { housing: 'tro' }, locale: 'vi', now: app.clock.now() })).not.toBe('duplicate');
    }
    const zone = await app.services.access.resolve({ _id: 'm-vy', roles: ['worker', 'secretariat'], grants: vyActor.grants }, 'secretariat', app.clock.now());
    expect((await app.services.surveys.results('o-tro', { within: zone.unitIds }))!.respondents).toBe(3);
    expect((await app.services.surveys.results('o-tro'))!.respondents).toBe(5);

    await vy.say('menu');
    await vy.say('survey_results');
    expect(textOf(await vy.say('Khảo sát nhà trọ'))).toMatch(/Đã trả lời: 3 người/);
    await thu.say('menu');
    await thu.say('survey_results');
    expect(textOf(await thu.say('Khảo sát nhà trọ'))).toMatch(/Đã trả lời: 5 người/);
  });
});
