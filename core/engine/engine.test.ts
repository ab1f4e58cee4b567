/**
 * The engine through its public surface: events in through the console channel, replies out
 * through the real delivery queue, state in the real MongoDB-wire server, locks in real Redis.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../../app/app.js';
import { ConsolePerson, onboardedPerson, startTestApp, storedConversation, textOf, type TestApp } from '../../test/support/test-app.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { ServiceUnavailableError } from './infrastructure-errors.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
});
afterAll(async () => app?.close());

async function onboarded(name: string): Promise<ConsolePerson> {
  const p = await onboardedPerson(app, name);
  expect(p.last.choices?.map((c) => c.id)).toEqual(['materials', 'surveys', 'concerns', 'settings', 'meetings', 'checkin']);
  return p;
}

const menuIds = ['materials', 'surveys', 'concerns', 'settings', 'meetings', 'checkin'];

describe('bad input gets a clear answer in the person\'s language', () => {
  it('empty text', async () => {
    const p = await onboarded('empty');
    const r = await p.say('   ');
    expect(r[0]!.text).toBe('Mình chưa nhận được nội dung nào. Bạn gõ lại giúp mình nhé.');
    expect(r[1]!.choices?.map((c) => c.id)).toEqual(menuIds);
  });

  it('10,000 characters', async () => {
    const p = await onboarded('long');
    const r = await p.say('a'.repeat(10_000));
    expect(r[0]!.text).toContain('10000 ký tự');
    expect(r[0]!.text).toContain('4000');
    expect(r).toHaveLength(2);
  });

  it('emoji only', async () => {
    const p = await onboarded('emoji');
    const r = await p.say('😀🙏🏻');
    expect(r[0]!.text).toBe('Mình chưa hiểu biểu tượng này. Bạn gõ số thứ tự hoặc tên lựa chọn giúp mình nhé.');
  });

  it('a sticker or a photo where text is expected', async () => {
    const p = await onboarded('sticker');
    expect((await p.send({ media: 'sticker' }))[0]!.text).toContain('nhãn dán');
    expect((await p.send({ media: 'photo' }))[0]!.text).toContain('ảnh');
    expect((await p.send({ media: 'voice' }))[0]!.text).toBe('Mình chưa xem được tệp này ở bước này. Bạn trả lời bằng chữ giúp mình nhé.');
    expect(p.last.choices?.map((c) => c.id)).toEqual(menuIds);
  });

  it('operator-like text is plain text, never a query', async () => {
    const p = await onboarded('operator');
    const atMenu = await p.say('{"$gt": ""}');
    expect(atMenu[0]!.text).toContain('chưa hiểu lựa chọn');
    await p.say('4');
    await p.say('2');
    const search = await p.say('{"$gt": ""}');
    expect(search[0]!.text).toContain('{"$gt": ""}');
    expect(search[0]!.text).toContain('chưa tìm thấy');
    const member = await app.models.Member.findOne({ displayName: 'operator' }).lean();
    expect(member?.orgUnitId).toBe('ent-hoa-sen');
  });

  it('unknown command', async () => {
    const p = await onboarded('command');
    const r = await p.say('/dance now');
    expect(r[0]!.text).toBe('Mình chưa biết lệnh /dance. Gõ "trợ giúp" để xem những lệnh mình hiểu nhé.');
  });

  it('a number out of range', async () => {
    const p = await onboarded('range');
    const r = await p.say('9');
    expect(r[0]!.text).toBe('Chỉ có 6 lựa chọn thôi bạn ơi. Bạn gõ một số từ 1 đến 6 nhé.');
    expect(r[1]!.choices).toHaveLength(6);
  });

  it('a message from a group chat is answered there, and stores nothing about the person', async () => {
    const p = new ConsolePerson(app, 'group-user');
    await p.say('hello', { chatType: 'group', eventId: 'group-event-1' });
    await vi.waitFor(() => expect(p.last?.text).toContain('trò chuyện riêng'), { timeout: 10_000 });
    expect(await app.models.Conversation.findById('console:group-user').lean()).toBeNull();
    expect(await app.models.ChannelIdentity.findById('console:group-user').lean()).toBeNull();
    // The same event delivered again is not answered twice.
    await p.say('hello', { chatType: 'group', eventId: 'group-event-1' });
    await p.say('xin chào');
    expect(p.inbox.filter((m) => m.text.includes('trò chuyện riêng'))).toHaveLength(1);
  });
});

describe('each event takes effect once, in order', () => {
  it('a replayed event id re-sends the stored replies and changes nothing', async () => {
    const p = await onboarded('replay');
    const first = await p.say('4', { eventId: 'same-event' });
    const before = await app.models.Conversation.findById('console:replay').lean();
    const again = await p.app.engine.handle({ channel: 'console', userId: 'replay', chatId: 'replay', eventId: 'same-event', text: '4', at: app.clock.now() });
    expect(again).toBeUndefined();
    const after = await storedConversation(app, 'console:replay');
    expect(after?.step).toBe(before?.step);
    expect(after?.history).toEqual(before?.history);
    expect(after?.recentEvents.filter((e) => e.id === 'same-event')).toHaveLength(1);
    expect(after?.recentEvents.find((e) => e.id === 'same-event')?.replies.map((r) => r.text)).toEqual(first.map((r) => r.text));
  });

  it('two events of one person arriving at once are handled in arrival order', async () => {
    const p = new ConsolePerson(app, 'burst');
    await p.say('hi');
    // consent, then language English, then a workplace search — sent without waiting.
    const events = ['1', '2', 'song than'].map((text, i) => ({ channel: 'console' as const, userId: 'burst', chatId: 'burst', eventId: `burst-${i}`, text, at: app.clock.now() }));
    await Promise.all(events.map((e) => app.engine.handle(e)));
    const conv = await app.models.Conversation.findById('console:burst').lean();
    expect(conv?.step).toBe('workplace_pick');
    expect(conv?.recentEvents.slice(-3).map((e) => e.id)).toEqual(['burst-0', 'burst-1', 'burst-2']);
    const member = await app.models.Member.findOne({ _id: (await app.models.ChannelIdentity.findById('console:burst').lean())!.memberId }).lean();
    expect(member?.locale).toBe('en');
  });

  it('events of one person sent from two app processes are serialised', async () => {
    const second = await createApp({ config: app.config, mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl'), clock: app.clock, workers: false });
    try {
      const p = new ConsolePerson(app, 'twin');
      await p.say('hi');
      const base = { channel: 'console' as const, userId: 'twin', chatId: 'twin', at: app.clock.now() };
      await Promise.all([app.engine.handle({ ...base, eventId: 'twin-1', text: '1' }), second.engine.handle({ ...base, eventId: 'twin-2', text: '1' })]);
      const conv = await app.models.Conversation.findById('console:twin').lean();
      expect(conv?.step).toBe('workplace');
      expect(await app.models.Member.countDocuments({ consent: { $exists: true }, _id: (await app.models.ChannelIdentity.findById('console:twin').lean())!.memberId })).toBe(1);
    } finally {
      await second.close();
    }
  });
});

describe('global words work anywhere, in Vietnamese and English', () => {
  it('help shows the words and asks the current question again', async () => {
    const p = await onboarded('helper');
    const r = await p.say('tro giup');
    expect(r[0]!.text).toContain('quay lại');
    expect(r[1]!.choices?.map((c) => c.id)).toEqual(menuIds);
  });

  it('back returns to the previous step; cancel goes home', async () => {
    const p = await onboarded('backer');
    await p.say('cai dat');
    expect(p.last.choices?.[0]?.id).toBe('language');
    await p.say('2');
    expect(p.last.text).toContain('công ty nào');
    await p.say('QUAY LAI');
    expect(p.last.choices?.[0]?.id).toBe('language');
    const r = await p.say('huỷ');
    expect(r[0]!.text).toContain('Đã hủy');
    expect(p.last.choices?.map((c) => c.id)).toEqual(menuIds);
  });

  it('language switches to English from anywhere, even before consent', async () => {
    const p = new ConsolePerson(app, 'lang-early');
    await p.say('hello');
    await p.say('ngon ngu');
    const r = await p.say('English');
    expect(r[0]!.text).toBe('Switched to English.');
    expect(p.last.text).toContain('Do you agree?');
    expect(await app.models.Member.countDocuments({ displayName: 'lang-early' })).toBe(0);
  });

  it('stop and resume turn announcements off and on', async () => {
    const p = await onboarded('stopper');
    const r = await p.say('ngung nhan tin');
    expect(r[0]!.text).toContain('Đã ngừng');
    expect((await app.models.Member.findOne({ displayName: 'stopper' }).lean())?.broadcastsOptOut).toBe(true);
    await p.say('nhan tin');
    expect((await app.models.Member.findOne({ displayName: 'stopper' }).lean())?.broadcastsOptOut).toBe(false);
  });

  it('stop when already off, or resume when already on, says so instead of "turned back on"', async () => {
    const p = await onboarded('already');
    const on = await p.say('nhận tin');
    expect(on[0]!.text).toContain('vẫn đang nhận tin');
    expect(on[0]!.text).not.toContain('Đã bật lại');
    expect(p.last.choices?.map((c) => c.id)).toEqual(menuIds);
    await p.say('ngừng nhận tin');
    const off = await p.say('stop');
    expect(off[0]!.text).toContain('đã tắt từ trước');
    expect((await app.models.Member.findOne({ displayName: 'already' }).lean())?.broadcastsOptOut).toBe(true);
    expect(textOf(await p.say('resume'))).toContain('Đã bật lại');
  });

  it('delete my data, once confirmed, removes personal data and is audited', async () => {
    const p = await onboarded('eraser');
    const member = await app.models.Member.findOne({ displayName: 'eraser' }).lean();
    await p.say('xoa du lieu');
    expect(p.last.choices?.map((c) => c.id)).toEqual(['confirm', 'keep']);
    const kept = await p.say('2');
    expect(kept[0]!.text).toContain('giữ nguyên');
    await p.say('delete my data');
    const r = await p.say('1');
    expect(textOf(r)).toContain('Đã xóa dữ liệu cá nhân');
    const erased = await app.models.Member.findById(member!._id).lean();
    expect(erased).toMatchObject({ status: 'erased' });
    expect(erased).not.toHaveProperty('displayName');
    expect(erased).not.toHaveProperty('orgUnitId');
    expect(erased).not.toHaveProperty('consent');
    expect((await app.models.ChannelIdentity.findById('console:eraser').lean())?.memberId).toBeUndefined();
    expect(await app.models.Audit.countDocuments({ action: 'member.erased', target: member!._id })).toBe(1);
    // Writing again starts over with the greeting and consent.
    await p.say('alo');
    expect(p.last.choices?.map((c) => c.id)).toEqual(['agree', 'decline', 'details']);
  });
});

describe('steps expire', () => {
  it('an expired step resumes at the menu with a short explanation', async () => {
    const p = await onboarded('sleeper');
    await p.say('4');
    app.clock.advance(25 * 3600_000);
    const r = await p.say('1');
    expect(r[0]!.text).toContain('Lâu quá');
    expect(p.last.choices?.map((c) => c.id)).toEqual(menuIds);
  });
});

describe('a store going away mid-conversation', () => {
  it('MongoDB down: the person is told to try again, the event is kept and applied once later', async () => {
    const p = await onboarded('outage');
    await app.conn.close();
    const event = { channel: 'console' as const, userId: 'outage', chatId: 'outage', eventId: 'during-outage', text: '4', at: app.clock.now() };
    await expect(app.engine.handle(event)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect.poll(() => p.inbox.map((m) => m.text)).toContain('Hệ thống đang bận một chút. Tin nhắn của bạn vẫn được giữ lại — bạn thử lại sau ít phút nhé.');
    await app.conn.openUri(inject('mongoUri'), { dbName: app.config.MONGODB_DB });
    // The kept event is handled first, before the next one.
    await p.say('1');
    const conv = await app.models.Conversation.findById('console:outage').lean();
    expect(conv?.recentEvents.slice(-2).map((e) => e.id)).toEqual(['during-outage', expect.any(String)]);
    expect(conv?.step).toBe('language');
    // The platform redelivering it changes nothing.
    await app.engine.handle(event);
    expect((await app.models.Conversation.findById('console:outage').lean())?.step).toBe('language');
  });

  it('Redis down: the event is refused (so the platform redelivers it) and nothing is half-applied', async () => {
    const p = await onboarded('redis-outage');
    const before = await app.models.Conversation.findById('console:redis-outage').lean();
    app.redis.disconnect();
    const event = { channel: 'console' as const, userId: 'redis-outage', chatId: 'redis-outage', eventId: 'r-1', text: '4', at: app.clock.now() };
    await expect(app.engine.handle(event)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect((await app.models.Conversation.findById('console:redis-outage').lean())?.step).toBe(before?.step);
    await app.redis.connect();
    await p.send(event);
    expect((await app.models.Conversation.findById('console:redis-outage').lean())?.step).toBe('main');
    expect((await app.models.Conversation.findById('console:redis-outage').lean())?.flow).toBe('settings');
  });
});
