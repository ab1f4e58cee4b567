/**
 * End to end over real HTTP: the fake Telegram Bot API and the fake Zalo Bot Platform deliver
 * updates to our webhook server (or to long polling), the engine runs, replies leave through
 * the delivery queues, and the fakes record what people would see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapters, requireWebhookSecrets } from '../bots/channels.js';
import { buildHttpServer } from '../bots/http-server.js';
import type { Outbound } from '../core/engine/types.js';
import { deliveryJobId } from '../workers/delivery-queue.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { FakeZaloServer } from './fake-zalo-server.js';
import { storedConversation } from './support/test-app.js';
import { eventually, startPlatforms, TELEGRAM_SECRET, ZALO_SECRET, type Platforms } from './support/platforms.js';
import { startTestApp } from './support/test-app.js';

const TG_USER = 5550001;
const ZL_USER = 'zalo-user-0001';

async function idle(p: Platforms): Promise<void> {
  await eventually(async () => {
    const pending = (await p.app.outbox.pending('telegram')) + (await p.app.outbox.pending('zalo'));
    expect(pending).toBe(0);
  });
}

/** The replies of a conversation's events as the core produced them (platform-neutral). */
async function transcript(p: Platforms, identity: string): Promise<Omit<Outbound, 'locale'>[][]> {
  const conv = await storedConversation(p.app, identity);
  return (conv?.recentEvents ?? []).map((e) => e.replies.map((r) => ({ text: r.text, choices: r.choices?.map((c) => ({ id: c.id, label: c.label })) })));
}

describe.each(['webhook', 'polling'] as const)('onboarding on both platforms (%s mode)', (mode) => {
  let p: Platforms;
  beforeAll(async () => {
    p = await startPlatforms(mode);
  });
  afterAll(async () => p?.close());

  /** Waits until the event's replies have reached the platform. */
  async function delivered(identity: string, eventId: string) {
    await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId(`${identity}:${eventId}`)).lean())?.status).toBe('sent'));
  }
  async function telegram(update: Parameters<Platforms['telegram']['pushUpdate']>[0]) {
    const status = await p.telegram.pushUpdate(update);
    if (mode === 'webhook') expect(status).toBe(200);
    await delivered(`telegram:${TG_USER}`, `tg:${update.update_id}`);
  }
  async function zalo(text: string) {
    const update = p.zalo.textUpdate(ZL_USER, text, { name: 'Lan' });
    const status = await p.zalo.pushUpdate(update);
    if (mode === 'webhook') expect(status).toBe(200);
    await delivered(`zalo:${ZL_USER}`, `zalo:${(update.message as { message_id: string }).message_id}`);
  }

  it('reaches the main menu in Vietnamese on Telegram (buttons) and Zalo (numbers), with the same conversation', async () => {
    await telegram(p.telegram.textUpdate(TG_USER, 'xin chào', { firstName: 'Lan', languageCode: 'vi' }));
    const consent = p.telegram.sent.at(-1)!;
    expect(consent.parse_mode).toBe('HTML');
    // Buttons carry the question's nonce (~<nonce>:<id>); the taps below send bare ids, as keyboards sent before nonces do.
    expect(JSON.stringify(consent.reply_markup)).toMatch(/"callback_data":"~[A-Za-z0-9_-]{6}:agree"/);
    await telegram(p.telegram.callbackUpdate(TG_USER, 'agree', consent.message_id));
    await telegram(p.telegram.callbackUpdate(TG_USER, 'vi'));
    await telegram(p.telegram.textUpdate(TG_USER, 'vsip'));
    await telegram(p.telegram.callbackUpdate(TG_USER, 'ent-phuc-thinh'));
    expect(p.telegram.sent.at(-1)!.text).toContain('Trang chính');
    // Every callback query was answered.
    expect(p.telegram.answeredCallbackQueries).toHaveLength(3);

    await zalo('xin chào');
    const zConsent = p.zalo.sent.filter((s) => s.method === 'sendMessage').at(-1)!;
    expect(zConsent.text).toContain('1. Đồng ý');
    expect(zConsent.text).toContain('2. Không đồng ý');
    await zalo('1');
    await zalo('1');
    await zalo('vsip');
    await zalo('2');
    expect(p.zalo.sent.filter((s) => s.method === 'sendMessage').at(-1)!.text).toContain('Trang chính');

    const tg = await transcript(p, `telegram:${TG_USER}`);
    const zl = await transcript(p, `zalo:${ZL_USER}`);
    expect(tg).toHaveLength(5);
    expect(zl).toEqual(tg);
    const tgMember = (await p.app.models.ChannelIdentity.findById(`telegram:${TG_USER}`).lean())!.memberId;
    const zlMember = (await p.app.models.ChannelIdentity.findById(`zalo:${ZL_USER}`).lean())!.memberId;
    expect(await p.app.models.Member.findById(tgMember).lean()).toMatchObject({ orgUnitId: 'ent-phuc-thinh', locale: 'vi', displayName: 'Lan' });
    expect(await p.app.models.Member.findById(zlMember).lean()).toMatchObject({ orgUnitId: 'ent-phuc-thinh', locale: 'vi', displayName: 'Lan' });
  });
});

describe('webhooks refuse what is not the platform', () => {
  let p: Platforms;
  beforeAll(async () => {
    p = await startPlatforms('webhook');
  });
  afterAll(async () => p?.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${p.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('wrong or missing secret → 401 and nothing processed', async () => {
    const tgUpdate = JSON.stringify(p.telegram.textUpdate(777, 'hi'));
    expect((await post('/webhooks/telegram', tgUpdate, { 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect((await post('/webhooks/telegram', tgUpdate)).status).toBe(401);
    const zlUpdate = JSON.stringify({ ok: true, result: p.zalo.textUpdate('z-777', 'hi') });
    expect((await post('/webhooks/zalo', zlUpdate, { 'x-bot-api-secret-token': 'wrong-secret' })).status).toBe(401);
    expect((await post('/webhooks/zalo', zlUpdate)).status).toBe(401);
    expect(await p.app.models.ChannelIdentity.countDocuments({})).toBe(0);
  });

  it('malformed JSON → 400', async () => {
    expect((await post('/webhooks/telegram', '{"update_id": 1,', { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET })).status).toBe(400);
    expect((await post('/webhooks/zalo', '{"event_name": ', { 'x-bot-api-secret-token': ZALO_SECRET })).status).toBe(400);
  });

  it('unknown update types → 200 and ignored', async () => {
    const edited = p.telegram.rawUpdate({ edited_message: { message_id: 1, date: 1, chat: { id: 778, type: 'private', first_name: 'A' }, from: { id: 778, is_bot: false, first_name: 'A' }, text: 'x' } } as never);
    expect(await p.telegram.pushUpdate(edited)).toBe(200);
    expect((await post('/webhooks/zalo', JSON.stringify({ something: 'else' }), { 'x-bot-api-secret-token': ZALO_SECRET })).status).toBe(200);
    expect(await p.app.models.ChannelIdentity.countDocuments({})).toBe(0);
  });

  it('a replayed update has no second effect', async () => {
    const update = p.telegram.textUpdate(779, 'xin chào');
    expect(await p.telegram.pushUpdate(update)).toBe(200);
    await idle(p);
    const sent = p.telegram.sent.length;
    expect(await p.telegram.pushUpdate(update)).toBe(200);
    await idle(p);
    expect(p.telegram.sent.length).toBe(sent);
    const conv = await p.app.models.Conversation.findById('telegram:779').lean();
    expect(conv?.recentEvents.map((e) => e.id)).toEqual([`tg:${update.update_id}`]);

    const zUpdate = p.zalo.textUpdate('z-779', 'xin chào');
    await p.zalo.pushUpdate(zUpdate);
    await idle(p);
    const zSent = p.zalo.sent.length;
    await p.zalo.pushUpdate(zUpdate);
    await idle(p);
    expect(p.zalo.sent.length).toBe(zSent);
  });

  it('a message from a group chat gets a polite "please message me privately"', async () => {
    await p.telegram.pushUpdate(p.telegram.groupTextUpdate(-100123, 780, 'hello bot'));
    await p.zalo.pushUpdate(p.zalo.groupTextUpdate('group-9', 'z-780', 'hello bot'));
    await idle(p);
    await eventually(() => expect(p.telegram.sent.find((s) => s.chat_id === '-100123')?.text).toContain('trò chuyện riêng'));
    await eventually(() => expect(p.zalo.sent.find((s) => s.chat_id === 'group-9')?.text).toContain('trò chuyện riêng'));
  });

  it('health and readiness', async () => {
    expect(await (await fetch(`${p.address}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${p.address}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', mongodb: 'up', redis: 'up' });
  });
});

describe('webhook routes exist only in webhook mode, and only with a secret', () => {
  const post = (base: string, path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('polling mode: POST /webhooks/telegram and /webhooks/zalo are 404, with the right secret too, and nothing is processed', async () => {
    const p = await startPlatforms('polling');
    try {
      // An update claiming to come from someone: it must not reach the engine while polling.
      const tg = await post(p.address, '/webhooks/telegram', JSON.stringify(p.telegram.textUpdate(5550101, 'xin chào')), { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET });
      const tgBare = await post(p.address, '/webhooks/telegram', JSON.stringify(p.telegram.textUpdate(5550102, 'xin chào')));
      const zl = await post(p.address, '/webhooks/zalo', JSON.stringify({ ok: true, result: p.zalo.textUpdate('z-5550101', 'xin chào') }), { 'x-bot-api-secret-token': ZALO_SECRET });
      expect([tg.status, tgBare.status, zl.status]).toEqual([404, 404, 404]);
      expect((await fetch(`${p.address}/healthz`)).status).toBe(200);
      await idle(p);
      expect(await p.app.models.ChannelIdentity.countDocuments({})).toBe(0);
      expect(await p.app.models.Conversation.countDocuments({})).toBe(0);
      expect(p.telegram.sent).toEqual([]);
      expect(p.zalo.sent).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('webhook mode without configured secrets: every webhook request is 401, nothing processed, and no webhook can be registered', async () => {
    const telegram = new FakeTelegramServer();
    const zalo = new FakeZaloServer();
    const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
    const app = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, ZALO_BOT_TOKEN: zalo.token, ZALO_API_BASE: zaloBase, PORT: '0' });
    const adapters = createAdapters(app.config, (e) => app.engine.handle(e), app.log, app.services.i18n);
    const server = buildHttpServer(app, adapters, 'webhook');
    try {
      const address = await server.listen({ port: 0, host: '127.0.0.1' });
      const tgUpdate = JSON.stringify(telegram.textUpdate(5550201, 'xin chào'));
      const zlUpdate = JSON.stringify({ ok: true, result: zalo.textUpdate('z-5550201', 'xin chào') });
      const statuses = [
        (await post(address, '/webhooks/telegram', tgUpdate)).status,
        (await post(address, '/webhooks/telegram', tgUpdate, { 'x-telegram-bot-api-secret-token': 'anything' })).status,
        (await post(address, '/webhooks/telegram', tgUpdate, { 'x-telegram-bot-api-secret-token': '' })).status,
        (await post(address, '/webhooks/zalo', zlUpdate)).status,
        (await post(address, '/webhooks/zalo', zlUpdate, { 'x-bot-api-secret-token': 'anything-at-all' })).status,
      ];
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect(await app.models.ChannelIdentity.countDocuments({})).toBe(0);
      expect(await app.models.Conversation.countDocuments({})).toBe(0);
      for (const a of adapters) await expect(a.setWebhook(`${address}/webhooks/${a.channel}`)).rejects.toThrow(/WEBHOOK_SECRET/);
      expect(telegram.webhook).toBeUndefined();
      expect(() => requireWebhookSecrets({ ...app.config, PUBLIC_URL: 'https://bot.example.org' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    } finally {
      await server.close();
      await app.close();
      await Promise.all([telegram.stop(), zalo.stop()]);
    }
  });
});

describe('delivery through platform trouble', () => {
  let p: Platforms;
  beforeAll(async () => {
    p = await startPlatforms('webhook');
  });
  afterAll(async () => p?.close());

  it('the platform answering 5xx for a while: replies delivered afterwards, none lost, none doubled', async () => {
    p.telegram.failFor(2500, 502, 'sendMessage');
    p.zalo.failFor(2500, 503, ['sendMessage']);
    const first = p.telegram.textUpdate(901, 'xin chào');
    await p.telegram.pushUpdate(first);
    await p.zalo.pushUpdate(p.zalo.textUpdate('z-901', 'xin chào'));
    await eventually(() => expect(p.telegram.sent.filter((s) => s.chat_id === '901')).toHaveLength(2), 30_000);
    await eventually(() => expect(p.zalo.sent.filter((s) => s.chat_id === 'z-901' && s.method === 'sendMessage')).toHaveLength(2), 30_000);
    await idle(p);
    const texts = p.telegram.sent.filter((s) => s.chat_id === '901').map((s) => s.text);
    expect(texts[0]).toContain('Đồng Hành');
    expect(texts[1]).toContain('91/2025');
    // One record, written once with its outcome; a sealed reply's record does not name the chat.
    const record = deliveryJobId(`telegram:901:tg:${first.update_id}`);
    await eventually(async () => expect(await p.app.models.Delivery.findById(record).lean()).toMatchObject({ status: 'sent', chatId: 'sealed', attempts: expect.any(Number) }));
    expect((await p.app.models.Delivery.findById(record).lean())!.attempts).toBeGreaterThan(1);
    expect(await p.app.models.Delivery.countDocuments({ chatId: '901' })).toBe(0);
  });

  it('429 with retry_after: the queue waits, then delivers once', async () => {
    p.telegram.failNext(1, 429, 'Too Many Requests: retry after 1', 1, 'sendMessage');
    await p.telegram.pushUpdate(p.telegram.textUpdate(902, 'xin chào'));
    await eventually(() => expect(p.telegram.sent.filter((s) => s.chat_id === '902')).toHaveLength(2), 20_000);
    await idle(p);
    expect(p.telegram.sent.filter((s) => s.chat_id === '902')).toHaveLength(2);
  });

  it('a person who blocked the bot is marked unreachable without retries', async () => {
    p.telegram.blockUser(903);
    const update = p.telegram.textUpdate(903, 'xin chào');
    await p.telegram.pushUpdate(update);
    await eventually(async () => expect((await p.app.models.ChannelIdentity.findById('telegram:903').lean())?.unreachable).toBe(true));
    const calls = p.telegram.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === '903');
    expect(calls).toHaveLength(1);
    // The record is written after the identity is marked: wait for it rather than race it.
    await eventually(async () => expect(await p.app.models.Delivery.findById(deliveryJobId(`telegram:903:tg:${update.update_id}`)).lean()).toMatchObject({ status: 'failed', reason: 'unreachable' }));
  });

  it('a member who blocked the bot and writes again is reachable again (the identity snapshot does not hide the mark)', async () => {
    for (const text of ['xin chào', '1', '1', 'vsip', '1']) await p.telegram.pushUpdate(p.telegram.textUpdate(906, text));
    await idle(p);
    const identity = async () => p.app.models.ChannelIdentity.findById('telegram:906').lean();
    expect((await identity())?.memberId).toBeTruthy();
    // The member's conversation carries the snapshot their next turns trust instead of reading the identity.
    expect((await storedConversation(p.app, 'telegram:906'))?.identity?.memberId).toBe((await identity())?.memberId);
    p.telegram.blockUser(906);
    await p.telegram.pushUpdate(p.telegram.textUpdate(906, 'menu'));
    await eventually(async () => expect((await identity())?.unreachable).toBe(true));
    // Marking the identity dropped the snapshot, so the next message reads the identity and repairs it.
    await eventually(async () => expect((await storedConversation(p.app, 'telegram:906'))?.identity).toBeUndefined());
    p.telegram.unblockUser(906);
    const before = p.telegram.sent.filter((s) => s.chat_id === '906').length;
    await p.telegram.pushUpdate(p.telegram.textUpdate(906, 'menu'));
    await eventually(() => expect(p.telegram.sent.filter((s) => s.chat_id === '906').length).toBeGreaterThan(before));
    expect((await identity())?.unreachable).toBeUndefined();
  });

  it('several messages for one chat arrive in order', async () => {
    for (const text of ['xin chào', '3', '1']) {
      await p.zalo.pushUpdate(p.zalo.textUpdate('z-904', text));
    }
    await idle(p);
    const texts = p.zalo.sent.filter((s) => s.chat_id === 'z-904' && s.method === 'sendMessage').map((s) => s.text ?? '');
    expect(texts[0]).toContain('Chào bạn');
    expect(texts[1]).toContain('91/2025');
    expect(texts[2]).toContain('Chi tiết về dữ liệu');
    expect(texts[3]).toContain('91/2025');
    expect(texts[4]).toContain('Cảm ơn bạn đã tin tưởng');
    expect(texts[5]).toContain('ngôn ngữ nào');
    expect(texts).toHaveLength(6);
  });
});
