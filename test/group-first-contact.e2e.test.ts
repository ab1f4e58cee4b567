/**
 * Someone whose first message to the bot is in a group chat (the factory's Zalo group, or
 * `/start@bot` in a Telegram supergroup), over real HTTP through the fake platforms: the group
 * gets "please message me privately" and nothing about the person is stored, so their private
 * message is a first contact, and nothing meant for them (a reply, a cadre's relay) ever goes to
 * the group. Older data that left a group chat id on an identity is repaired by the next private
 * message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from './support/concern-fixtures.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';
import { storedConversation, type ConsolePerson } from './support/test-app.js';
import { deliveryJobId } from '../workers/delivery-queue.js';

let p: Platforms;
let cadre: ConsolePerson;

beforeAll(async () => {
  p = await startPlatforms('webhook');
  p.app.services.concerns.policy = fastPolicy();
  cadre = await addMember(p.app, { id: 'm-cadre', roles: ['worker', 'cadre'], chatId: 'c-cadre' });
  await assign(p.app, { memberId: 'm-cadre', unit: 'vsip1', organisation: 'trade_union' });
});
afterAll(async () => p?.close());

/** One platform as a person uses it: messages in their private chat, and in a group. */
interface Side {
  identity: string;
  privateChat: string;
  group: string;
  /** Sends a private message and waits until its replies (if any) have reached the platform. */
  say(text: string): Promise<void>;
  /** Posts a message in the group, as the same person. */
  sayInGroup(text: string): Promise<void>;
  /** Texts the platform received in a chat. */
  textsIn(chat: string): string[];
}

function zaloSide(user: string, group: string): Side {
  const textsIn = (chat: string) => p.zalo.sent.filter((s) => s.chat_id === chat && s.method === 'sendMessage').map((s) => s.text ?? '');
  return {
    identity: `zalo:${user}`,
    privateChat: user,
    group,
    textsIn,
    async say(text) {
      const u = p.zalo.textUpdate(user, text, { name: 'Hạnh' });
      expect(await p.zalo.pushUpdate(u)).toBe(200);
      await delivered(`zalo:${user}`, `zalo:${(u.message as { message_id: string }).message_id}`);
    },
    async sayInGroup(text) {
      const before = textsIn(group).length;
      expect(await p.zalo.pushUpdate(p.zalo.groupTextUpdate(group, user, text, { name: 'Hạnh' }))).toBe(200);
      await eventually(() => expect(textsIn(group).length).toBe(before + 1));
    },
  };
}

function telegramSide(user: number, group: number): Side {
  const textsIn = (chat: string) => p.telegram.sent.filter((s) => s.chat_id === chat).map((s) => s.text ?? '');
  return {
    identity: `telegram:${user}`,
    privateChat: String(user),
    group: String(group),
    textsIn,
    async say(text) {
      const u = p.telegram.textUpdate(user, text, { firstName: 'Hạnh', languageCode: 'vi' });
      expect(await p.telegram.pushUpdate(u)).toBe(200);
      await delivered(`telegram:${user}`, `tg:${u.update_id}`);
    },
    async sayInGroup(text) {
      const before = textsIn(String(group)).length;
      expect(await p.telegram.pushUpdate(p.telegram.groupTextUpdate(group, user, text, { firstName: 'Hạnh' }))).toBe(200);
      await eventually(() => expect(textsIn(String(group)).length).toBe(before + 1));
    },
  };
}

async function delivered(identity: string, eventId: string): Promise<void> {
  const conv = async () => storedConversation(p.app, identity);
  await eventually(async () => expect((await conv())?.recentEvents.some((r) => r.id === eventId)).toBe(true));
  const replies = (await conv())!.recentEvents.find((r) => r.id === eventId)!.replies;
  if (replies.length === 0) return;
  await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId(`${identity}:${eventId}`)).lean())?.status).toBe('sent'));
}

const lastCode = (texts: string[]) => texts.map((t) => /PA-[2-9A-Z]{4}/.exec(t)?.[0]).filter(Boolean).at(-1)!;

/** Consent, Vietnamese, the workplace "Phúc Thịnh" from the VSIP search. */
async function onboard(s: Side): Promise<void> {
  await s.say('Xin chào');
  expect(s.textsIn(s.privateChat).at(-1)).toContain('91/2025');
  for (const text of ['1', '1', 'vsip', '2']) await s.say(text);
  expect(s.textsIn(s.privateChat).at(-1)).toContain('Trang chính');
}

/** Raises a wages concern about the workplace, under their name; returns its code. */
async function raiseConcern(s: Side, description: string): Promise<string> {
  for (const text of ['menu', 'gửi phản ánh', 'gửi phản ánh mới', 'tiền lương', '1', description, 'xong', 'ẩn danh', 'gửi đi']) await s.say(text);
  const code = lastCode(s.textsIn(s.privateChat));
  expect(code).toBeDefined();
  return code;
}

/** The cadre answers the concern through the bot. */
async function cadreReplies(code: string, text: string): Promise<void> {
  await waitForMessage(cadre, (m) => m.text.includes(code));
  for (const step of ['menu', 'cadre_inbox', code, 'reply', text]) await cadre.say(step);
}

describe.each([
  ['Zalo', () => zaloSide('zl-group-first', 'zl-factory-group')],
  ['Telegram', () => telegramSide(5553001, -1005553001)],
])('first message in a group, on %s', (_name, makeSide) => {
  it('the group is asked to write privately; the person then onboards, raises a concern and gets the relay privately', async () => {
    const s = makeSide();
    await s.sayInGroup(s.identity.startsWith('telegram') ? '/start@dong_hanh_bot' : '/start xin chào');
    expect(s.textsIn(s.group).at(-1)).toContain('trò chuyện riêng');
    // Nothing about the person was stored.
    expect(await p.app.models.ChannelIdentity.findById(s.identity).lean()).toBeNull();
    expect(await p.app.models.Conversation.findById(s.identity).lean()).toBeNull();

    await onboard(s);
    const code = await raiseConcern(s, 'Công ty trả lương chậm hai tháng liền, tổ em ai cũng bị');
    const relay = `Anh đã hỏi phòng nhân sự về lương của ${code}`;
    await cadreReplies(code, relay);
    await eventually(() => expect(s.textsIn(s.privateChat).some((t) => t.includes(relay))).toBe(true));

    expect(s.textsIn(s.group)).toHaveLength(1);
    expect((await p.app.models.ChannelIdentity.findById(s.identity).lean())?.chatId).toBe(s.privateChat);
  });
});

describe('a group message in the middle of a conversation', () => {
  it('leaves the private conversation where it was', async () => {
    const s = zaloSide('zl-group-middle', 'zl-factory-group-2');
    await s.say('Xin chào');
    await s.say('1');
    expect(s.textsIn(s.privateChat).at(-1)).toContain('ngôn ngữ');
    const before = await p.app.models.Conversation.findById(s.identity).lean();

    await s.sayInGroup('bot ơi cho hỏi');
    expect(s.textsIn(s.group).at(-1)).toContain('trò chuyện riêng');
    const after = await p.app.models.Conversation.findById(s.identity).lean();
    expect({ flow: after?.flow, step: after?.step, events: after?.recentEvents.length }).toEqual({ flow: before?.flow, step: before?.step, events: before?.recentEvents.length });
    expect((await p.app.models.ChannelIdentity.findById(s.identity).lean())?.chatId).toBe(s.privateChat);

    // The private conversation continues at the language question.
    await s.say('1');
    await s.say('vsip');
    await s.say('2');
    expect(s.textsIn(s.privateChat).at(-1)).toContain('Trang chính');
  });
});

describe('an identity left with a group chat id by older data', () => {
  it('is repaired by the next private message, and a cadre relay then reaches the private chat', async () => {
    const s = zaloSide('zl-group-legacy', 'zl-factory-group-3');
    await onboard(s);
    // What the code before the fix wrote: the identity's chat is the group, and (older still
    // than the identity snapshot, core/engine/identity-snapshot.ts) a conversation without one.
    await p.app.models.ChannelIdentity.updateOne({ _id: s.identity }, { $set: { chatId: s.group } });
    await p.app.models.Conversation.updateOne({ _id: s.identity }, { $unset: { identity: 1 } });
    const groupBefore = s.textsIn(s.group).length;

    await s.say('menu');
    expect((await p.app.models.ChannelIdentity.findById(s.identity).lean())?.chatId).toBe(s.privateChat);
    const code = await raiseConcern(s, 'Tổ em bị giữ lương tháng trước, chưa ai giải thích lý do');
    const relay = `Cán bộ công đoàn đã làm việc với công ty về ${code}`;
    await cadreReplies(code, relay);
    await eventually(() => expect(s.textsIn(s.privateChat).some((t) => t.includes(relay))).toBe(true));
    expect(s.textsIn(s.group)).toHaveLength(groupBefore);
  });
});
