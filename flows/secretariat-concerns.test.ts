/** The secretariat gives a concern nobody could take to a cadre by hand, in chat. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcernStateError } from '../core/concerns/errors.js';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let thu: ConsolePerson;
let hoa: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  await addMember(app, { id: 'm-lan', name: 'Nguyễn Thị Lan', orgUnitId: 'ent-phuc-thinh', chatId: '0912345678' });
  thu = await addMember(app, { id: 'm-thu', name: 'Chị Thư Tổ thư ký', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  hoa = await addMember(app, { id: 'm-hoa', name: 'Chị Hoa Hội Phụ nữ Sóng Thần', roles: ['worker', 'cadre'], chatId: 'c-hoa' });
  await addMember(app, { id: 'm-tu', name: 'Anh Tú Công đoàn', roles: ['worker', 'cadre'], chatId: 'c-tu' });
  await addMember(app, { id: 'm-conf', name: 'Anh Quân (làm ở Phúc Thịnh)', roles: ['worker', 'cadre'], chatId: 'c-conf' });
  await addMember(app, { id: 'm-yu', name: 'Anh Dũng Thành Đoàn', roles: ['worker', 'cadre'], chatId: 'c-yu' });
  // Nobody the rules would pick for harassment at Phúc Thịnh: Hoa's zone is not above it, Tú
  // covers wages only, Quân works at the enterprise concerned, Dũng's organisation is not responsible.
  await assign(app, { memberId: 'm-hoa', unit: 'kcn-song-than-2', organisation: 'womens_union' });
  await assign(app, { memberId: 'm-tu', unit: 'vsip1', organisation: 'trade_union', categories: ['wages'] });
  await assign(app, { memberId: 'm-conf', unit: 'vsip1', organisation: 'womens_union', conflicts: ['ent-phuc-thinh'] });
  await assign(app, { memberId: 'm-yu', unit: 'hcm', organisation: 'youth_union', categories: ['skills'] });
});
afterAll(async () => app?.close());

describe('concerns waiting for the secretariat', () => {
  let code = '';

  it('lists a flagged concern and gives it to the cadre the secretariat picks, who is told', async () => {
    const { concern } = await app.services.concerns.submit({ memberId: 'm-lan', category: 'harassment', orgUnitId: 'ent-phuc-thinh', description: 'Quản lý ca đêm nhắn tin gạ gẫm', photos: 0, anonymous: true, intakeKey: 'flag-1', at: app.clock.now() });
    code = concern._id;
    expect(concern).toMatchObject({ flagged: true, levelUnitId: 'hcm' });
    expect(concern.assigneeId).toBeUndefined();

    await thu.say('menu');
    await thu.say('secretariat');
    expect(thu.last.choices?.find((c) => c.id === 'flagged')?.label).toContain('(1)');
    const list = await thu.say('flagged');
    expect(textOf(list)).toContain('1 phản ánh đang chờ');
    expect(thu.last.choices?.[0]?.label).toContain(code);
    const detail = await thu.say(code);
    expect(textOf(detail)).toContain('Quản lý ca đêm nhắn tin gạ gẫm');
    expect(textOf(detail)).toContain('không có cán bộ nào');
    for (const secret of ['Lan', 'm-lan', '0912345678']) expect(textOf(detail)).not.toContain(secret);

    await thu.say('assign');
    const ids = thu.last.choices!.map((c) => c.id);
    // Cadres of the responsible organisations first; the one in conflict left out.
    expect(ids.slice(0, 2).sort()).toEqual(['m-hoa', 'm-tu']);
    expect(ids.slice(2)).toEqual(['m-yu', 'back']);
    expect(thu.last.choices!.find((c) => c.id === 'm-hoa')!.label).toBe('Chị Hoa Hội Phụ nữ Sóng Thần · Hội LHPN · KCN Sóng Thần 2');

    const before = (await app.services.concerns.get(code))!;
    const done = await thu.say('m-hoa');
    expect(textOf(done)).toContain(`Đã giao ${code}`);
    const note = await waitForMessage(hoa, (m) => m.text.includes(code));
    expect(note.text).toContain('Tổ thư ký giao phản ánh');
    expect(note.text).not.toContain('Lan');

    const placed = (await app.services.concerns.get(code))!;
    expect(placed).toMatchObject({ flagged: false, assigneeId: 'm-hoa', levelUnitId: 'hcm', status: 'received' });
    expect(placed.slaSeq).toBe(before.slaSeq + 1);
    expect(placed.firstResponseDue!.getTime()).toBeGreaterThanOrEqual(before.firstResponseDue!.getTime());
    expect(await app.models.Audit.countDocuments({ action: 'concern.placed', actor: 'm-thu', target: code })).toBe(1);
    // The cadre now has it in their inbox.
    expect((await app.services.concerns.inbox('m-hoa')).map((c) => c._id)).toEqual([code]);
    // And nothing is left waiting.
    expect(textOf(await thu.say('flagged'))).toContain('không có phản ánh nào chờ');
  });

  it('refuses a placement once the concern is no longer waiting, or to someone not offered', async () => {
    await expect(app.services.concerns.placeFlagged('m-thu', code, 'm-tu', app.clock.now())).rejects.toBeInstanceOf(ConcernStateError);
    const { concern } = await app.services.concerns.submit({ memberId: 'm-lan', category: 'harassment', orgUnitId: 'ent-phuc-thinh', description: 'Bị tổ trưởng quát mắng, đe dọa', photos: 0, anonymous: true, intakeKey: 'flag-2', at: app.clock.now() });
    await expect(app.services.concerns.placeFlagged('m-thu', concern._id, 'm-conf', app.clock.now())).rejects.toBeInstanceOf(ConcernStateError);
    expect((await app.services.concerns.get(concern._id))!.flagged).toBe(true);
  });
});
