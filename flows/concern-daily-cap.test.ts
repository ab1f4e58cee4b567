/**
 * The daily cap on concerns per chat account: register → concerns → "xóa dữ liệu" → register
 * again cannot send cadres an unbounded number of notices, because the count is kept per
 * account and day under a keyed marker that survives erasure. Urgent concerns are never refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManyConcernsTodayError } from '../core/concerns/errors.js';
import { addMember, assign, fastPolicy } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { onboardedPerson, startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
const USER = 'cyc-0901';
const HOTLINES = ['Công an: 113', 'Cấp cứu: 115', '1900 969680'];

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy(3600, 7200, { maxNewPerDay: 2, maxOpenPerWorker: 3 });
  await addMember(app, { id: 'm-cadre-daily', roles: ['worker', 'cadre'], chatId: 'c-cadre-daily' });
  await assign(app, { memberId: 'm-cadre-daily', unit: 'vsip1', organisation: 'trade_union' });
});
afterAll(async () => app?.close());

/** From the main menu to the category list, then the category typed. */
async function pickCategory(p: ConsolePerson, category: string): Promise<string> {
  await p.say('menu');
  await p.say('concerns');
  await p.say('new');
  return textOf(await p.say(category));
}

/** A whole ordinary concern through the chat; returns its reference code. */
async function raise(p: ConsolePerson, text: string): Promise<string> {
  const asked = await pickCategory(p, 'tien luong');
  expect(asked).not.toContain('tối đa');
  await p.say('workplace');
  await p.say(text);
  await p.say('done');
  await p.say('anonymous');
  const sent = textOf(await p.say('send'));
  return /PA-[2-9A-Z]{4}/.exec(sent)![0];
}

const dailyKeyOf = (day: string) => `${app.config.REDIS_PREFIX}:concern-daily:${app.services.keys.marker('concern-daily', `console:${USER}`, day)}`;

describe('daily cap on concerns per chat account', () => {
  it('refuses ordinary concerns past the cap, with every hotline, and keeps refusing after "xóa dữ liệu" and registering again', async () => {
    let p = await onboardedPerson(app, USER);
    await raise(p, 'Công ty trả lương chậm hai tuần nay');
    await raise(p, 'Tiền tăng ca tháng này bị tính thiếu');

    const refused = await pickCategory(p, 'tien luong');
    expect(refused).toContain('Hôm nay bạn đã gửi 2 phản ánh');
    for (const line of HOTLINES) expect(refused).toContain(line);
    expect(p.last.choices?.map((c) => c.id)).toContain('new');

    // An urgent matter is never refused: it goes on to the next question.
    const urgent = await pickCategory(p, 'quấy rối tình dục');
    expect(urgent).not.toContain('Hôm nay bạn đã gửi');
    expect(p.last.choices?.map((c) => c.id)).toEqual(['workplace', 'other']);
    await p.say('hủy');

    // Delete everything, register again as a new member: same account, same day, same count.
    await p.say('xoa du lieu');
    await p.say('1');
    expect(await app.models.ChannelIdentity.findById(`console:${USER}`).lean()).toBeNull();
    p = await onboardedPerson(app, USER);
    const again = await pickCategory(p, 'tien luong');
    expect(again).toContain('Hôm nay bạn đã gửi 2 phản ánh');
    for (const line of HOTLINES) expect(again).toContain(line);
    expect(await app.services.concerns.cm.Concern.countDocuments({})).toBe(2);

    // The counter is named by a keyed marker of the account and the day, never by the account.
    const day = app.services.concerns.capDay(app.clock.now());
    expect(await app.redis.get(dailyKeyOf(day))).toBe('2');
    expect(await app.redis.ttl(dailyKeyOf(day))).toBeGreaterThan(24 * 3600);
    expect((await app.redis.keys(`${app.config.REDIS_PREFIX}:*`)).filter((k) => k.includes(USER))).toEqual([]);

    // The next day (Vietnam time) the account may raise concerns again.
    app.clock.advance(24 * 3600_000);
    const nextDay = await pickCategory(p, 'tien luong');
    expect(nextDay).not.toContain('Hôm nay bạn đã gửi');
    expect(p.last.choices?.map((c) => c.id)).toEqual(['workplace', 'other']);
    await p.say('hủy');
  });

  it('is enforced at submission too: ordinary refused, urgent accepted and counted, a replay not counted twice', async () => {
    const key = app.services.keys.marker('concern-daily', 'console:direct-1', '2026-11-30');
    const submit = (category: string, intakeKey: string) =>
      app.services.concerns.submit({ memberId: 'm-direct', category, orgUnitId: 'ent-hoa-sen', description: 'Mô tả sự việc đủ dài', photos: 0, anonymous: true, intakeKey, dailyKey: key, at: app.clock.now() });
    await submit('wages', 'd1');
    await submit('wages', 'd1'); // the same event again: the same concern, not counted
    expect(await app.redis.get(`${app.config.REDIS_PREFIX}:concern-daily:${key}`)).toBe('1');
    await submit('overtime', 'd2');
    await expect(submit('insurance', 'd3')).rejects.toBeInstanceOf(TooManyConcernsTodayError);
    const { concern } = await submit('safety', 'd4');
    expect(concern).toMatchObject({ urgent: true, status: 'received' });
    expect(await app.redis.get(`${app.config.REDIS_PREFIX}:concern-daily:${key}`)).toBe('3');
  });

  it('counts days in Vietnam time', () => {
    // 16:59 UTC is 23:59 in Hồ Chí Minh City; 17:00 UTC is already the next day there.
    expect(app.services.concerns.capDay(new Date('2026-11-30T16:59:00Z'))).toBe('2026-11-30');
    expect(app.services.concerns.capDay(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12-01');
  });
});
