/**
 * Through the chat: what a worker is told when reopening (only "the cadre was told" when one
 * was), and a cadre who deletes their data stops being one, their open concerns handed over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let n = 0;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
});
afterAll(async () => app?.close());

/** A resolved concern of a new worker, handled by `cadreId`. */
async function resolvedConcern(cadreId: string): Promise<{ worker: ConsolePerson; code: string }> {
  const id = `w-${++n}`;
  const worker = await addMember(app, { id, orgUnitId: 'ent-phuc-thinh' });
  const { concern } = await app.services.concerns.submit({ memberId: id, category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty chậm lương tháng này', photos: 0, anonymous: true, intakeKey: `handover-${n}`, at: app.clock.now() });
  expect(concern.assigneeId).toBe(cadreId);
  await app.services.concerns.act(cadreId, concern._id, { kind: 'resolve', summary: 'Công ty hứa trả vào thứ Sáu' }, app.clock.now(), `res-${n}`);
  return { worker, code: concern._id };
}

async function reopenInChat(worker: ConsolePerson): Promise<string> {
  await worker.say('menu');
  await worker.say('concerns');
  await worker.say('mine');
  await worker.say('1');
  await worker.say('reopen');
  return textOf(await worker.say('Đến hạn rồi mà công ty vẫn chưa trả'));
}

describe('reopening tells the worker what really happened', () => {
  it('says the cadre was told when the cadre who resolved it has it again', async () => {
    const cadre = await addMember(app, { id: 'tu-1', name: 'Anh Tâm', roles: ['cadre'] });
    await assign(app, { memberId: 'tu-1', unit: 'vsip1', organisation: 'trade_union' });
    const { worker, code } = await resolvedConcern('tu-1');
    expect(await reopenInChat(worker)).toContain('báo cán bộ phụ trách');
    await waitForMessage(cadre, (m) => m.text.includes(code) && m.text.includes('người phản ánh mở lại'));
  });

  it('says it waits in the inbox when the cadre has no chat to reach them on', async () => {
    const { worker, code } = await resolvedConcern('tu-1');
    await app.models.ChannelIdentity.updateOne({ _id: 'console:chat-tu-1' }, { $set: { unreachable: true } });
    const reply = await reopenInChat(worker);
    expect(reply).toContain('đang chờ trong hộp thư của cán bộ');
    expect(reply).not.toContain('báo cán bộ phụ trách');
    expect(await app.services.concerns.get(code)).toMatchObject({ status: 'reopened', assigneeId: 'tu-1' });
    await app.models.ChannelIdentity.updateOne({ _id: 'console:chat-tu-1' }, { $unset: { unreachable: 1 } });
  });

  it('says it waits for the secretariat when no cadre may take it', async () => {
    const { worker, code } = await resolvedConcern('tu-1');
    await app.services.concerns.endAssignment('tu-1:vsip1:trade_union', app.clock.now());
    const reply = await reopenInChat(worker);
    expect(reply).toContain('chờ Tổ thư ký phân công');
    expect(reply).not.toContain('báo cán bộ phụ trách');
    expect(await app.services.concerns.get(code)).toMatchObject({ status: 'reopened', flagged: true });
    expect((await app.services.concerns.get(code))!.assigneeId).toBeUndefined();
  });
});

describe('a cadre who deletes their data', () => {
  it('stops being a cadre: assignments end and open concerns go to another cadre at once, told why', async () => {
    const leaving = await addMember(app, { id: 'tu-leaving', name: 'Anh Bình', roles: ['worker', 'cadre'] });
    const next = await addMember(app, { id: 'tu-next', name: 'Chị Ngọc', roles: ['cadre'] });
    await assign(app, { memberId: 'tu-leaving', unit: 'vsip1', organisation: 'trade_union' });
    await assign(app, { memberId: 'tu-next', unit: 'hcm', organisation: 'trade_union' });
    await addMember(app, { id: 'w-open', orgUnitId: 'ent-phuc-thinh' });
    const { concern } = await app.services.concerns.submit({ memberId: 'w-open', category: 'overtime', orgUnitId: 'ent-phuc-thinh', description: 'Tăng ca đến 10 giờ đêm cả tuần', photos: 0, anonymous: true, intakeKey: 'handover-open', at: app.clock.now() });
    expect(concern.assigneeId).toBe('tu-leaving');

    await leaving.say('xoa du lieu');
    await leaving.say('1');

    expect(await app.services.concerns.cm.CadreAssignment.countDocuments({ memberId: 'tu-leaving', active: true })).toBe(0);
    expect(await app.services.concerns.get(concern._id)).toMatchObject({ assigneeId: 'tu-next', levelUnitId: 'hcm' });
    await waitForMessage(next, (m) => m.text.includes(concern._id) && m.text.includes('thôi nhiệm vụ'));
  });
});
