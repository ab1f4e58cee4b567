import Fastify, { type FastifyInstance } from 'fastify';
import { GrammyError, HttpError } from 'grammy';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError } from '../../core/delivery.js';
import { ServiceUnavailableError } from '../../core/engine/infrastructure-errors.js';
import type { Inbound } from '../../core/engine/types.js';
import { FakeTelegramServer } from '../../test/fake-telegram-server.js';
import { createTelegramAdapter, type TelegramAdapter } from './telegram-adapter.js';

const SECRET = 'webhook-secret_0123456789';

/** A logger that keeps its lines, to check that no token or message text is ever written. */
function capturingLogger() {
  const lines: string[] = [];
  return { lines, log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }) };
}

/** The handler the engine would be: collects events, and fails when a test says so. */
function collectingHandler() {
  const events: Inbound[] = [];
  let fail: ((e: Inbound) => Error | undefined) | undefined;
  const handle = async (e: Inbound) => {
    events.push(e);
    const err = fail?.(e);
    if (err) throw err;
  };
  return { events, handle, failWith: (f: typeof fail) => (fail = f) };
}

describe('Telegram webhook', () => {
  const fake = new FakeTelegramServer();
  const { lines, log } = capturingLogger();
  const h = collectingHandler();
  let app: FastifyInstance;
  let adapter: TelegramAdapter;
  let url: string;

  beforeAll(async () => {
    const apiRoot = await fake.start();
    adapter = createTelegramAdapter({ token: fake.token, apiRoot, webhookSecret: SECRET, handle: h.handle, log });
    app = Fastify();
    app.post('/webhooks/telegram', adapter.webhook);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/telegram`;
    await adapter.setWebhook(url);
  });
  afterAll(async () => {
    await app.close();
    await fake.stop();
  });
  beforeEach(() => {
    h.events.length = 0;
    h.failWith(undefined);
  });

  it('registers the webhook with its secret and the update kinds the engine handles', async () => {
    expect(fake.webhook).toEqual({ url, secretToken: SECRET, allowedUpdates: ['message', 'callback_query'] });
    expect(await adapter.getWebhookInfo()).toMatchObject({ url, pending_update_count: 0 });
  });

  it('hands the exact Inbound to the handler when the secret is right', async () => {
    const update = fake.textUpdate(501, 'Tôi muốn hỏi về lương', { firstName: 'Hoa', lastName: 'Trần', languageCode: 'vi', date: 1_750_000_000 });
    expect(await fake.pushUpdate(update)).toBe(200);
    expect(h.events).toStrictEqual([
      {
        channel: 'telegram',
        userId: '501',
        chatId: '501',
        eventId: `tg:${update.update_id}`,
        chatType: 'private',
        displayName: 'Hoa Trần',
        languageHint: 'vi',
        text: 'Tôi muốn hỏi về lương',
        at: new Date(1_750_000_000_000),
      },
    ]);
  });

  it('answers 401 and processes nothing when the secret is wrong or missing', async () => {
    const body = JSON.stringify(fake.textUpdate(501, 'x'));
    const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' }, body });
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    await Promise.all([wrong.arrayBuffer(), missing.arrayBuffer()]);
    expect(h.events).toEqual([]);
  });

  it('answers 400 to malformed JSON and to a body that is not an update', async () => {
    const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET };
    const malformed = await fetch(url, { method: 'POST', headers, body: '{"update_id": 1,' });
    const notUpdate = await fetch(url, { method: 'POST', headers, body: '[1,2]' });
    expect([malformed.status, notUpdate.status]).toEqual([400, 400]);
    await Promise.all([malformed.arrayBuffer(), notUpdate.arrayBuffer()]);
    expect(h.events).toEqual([]);
  });

  it('answers 200 to update kinds the engine does not handle, and ignores them', async () => {
    const edited = fake.rawUpdate({ edited_message: { ...fake.textUpdate(501, 'x').message!, edit_date: 1_750_000_100 } } as never);
    expect(await fake.pushUpdate(edited)).toBe(200);
    expect(h.events).toEqual([]);
  });

  it('answers every callback query, also when the handler fails', async () => {
    const tap = fake.callbackUpdate(501, 'materials');
    expect(await fake.pushUpdate(tap)).toBe(200);
    expect(h.events.map((e) => e.choiceId)).toEqual(['materials']);

    h.failWith(() => new Error('a bug in a flow'));
    const failing = fake.callbackUpdate(501, '#2');
    // A bug is not fixed by Telegram delivering the update again, so the route still says 200.
    expect(await fake.pushUpdate(failing)).toBe(200);
    expect(h.events.at(-1)).toMatchObject({ text: '2' });

    h.failWith(() => new ServiceUnavailableError('stores down'));
    const duringOutage = fake.callbackUpdate(501, 'survey');
    expect(await fake.pushUpdate(duringOutage)).toBe(503);

    expect(fake.answeredCallbackQueries).toEqual([tap.callback_query!.id, failing.callback_query!.id, duringOutage.callback_query!.id]);
  });

  it('answers 503 when the handler reports the stores down, so Telegram redelivers; the redelivery is taken', async () => {
    h.failWith(() => new ServiceUnavailableError('stores down'));
    const update = fake.textUpdate(502, 'menu');
    expect(await fake.pushUpdate(update)).toBe(503);
    h.failWith(undefined);
    expect(await fake.pushUpdate(update)).toBe(200);
    expect(h.events.map((e) => e.eventId)).toEqual([`tg:${update.update_id}`, `tg:${update.update_id}`]);
  });

  it('fetched the bot info once, lazily, and never logged the token, the secret or message text', () => {
    expect(fake.calls.filter((c) => c.method === 'getMe').length).toBe(1);
    const logged = lines.join('\n');
    expect(logged).not.toContain(fake.token);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('lương');
    expect(logged).toContain('telegram update could not be handled');
  });

  it('deleteWebhook removes it', async () => {
    await adapter.deleteWebhook();
    expect(fake.webhook).toBeUndefined();
    expect(await adapter.getWebhookInfo()).toMatchObject({ url: '' });
  });
});

describe('Telegram webhook without a configured secret', () => {
  const fake = new FakeTelegramServer();
  const { lines, log } = capturingLogger();
  const h = collectingHandler();
  let app: FastifyInstance;
  let adapter: TelegramAdapter;
  let url: string;

  beforeAll(async () => {
    const apiRoot = await fake.start();
    adapter = createTelegramAdapter({ token: fake.token, apiRoot, handle: h.handle, log });
    app = Fastify();
    app.post('/webhooks/telegram', adapter.webhook);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/telegram`;
  });
  afterAll(async () => {
    await app.close();
    await fake.stop();
  });

  it('answers 401 to every request, whatever header it carries, and hands nothing on', async () => {
    const body = JSON.stringify(fake.textUpdate(501, 'x'));
    const statuses: number[] = [];
    for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'guess' }, { 'x-telegram-bot-api-secret-token': '' }] as Record<string, string>[]) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401]);
    expect(h.events).toEqual([]);
    expect(fake.calls).toEqual([]);
    // Said once, with what to do.
    expect(lines.filter((l) => l.includes('TELEGRAM_WEBHOOK_SECRET'))).toHaveLength(1);
  });

  it('refuses to register a webhook', async () => {
    await expect(adapter.setWebhook(url)).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(fake.webhook).toBeUndefined();
  });
});

describe('Telegram long polling', () => {
  const fake = new FakeTelegramServer();
  const { log } = capturingLogger();
  let h: ReturnType<typeof collectingHandler>;
  let adapter: TelegramAdapter;
  let apiRoot: string;

  beforeAll(async () => {
    apiRoot = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(async () => {
    h = collectingHandler();
    adapter = createTelegramAdapter({ token: fake.token, apiRoot, handle: h.handle, log });
    // Each test starts with nothing waiting at the API.
    await adapter.bot.api.deleteWebhook({ drop_pending_updates: true });
  });

  /** Waits until the handler has seen `n` events (a broken test fails after 10 s instead of hanging). */
  async function eventsReach(n: number) {
    for (let i = 0; i < 1000 && h.events.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.events.length).toBe(n);
  }

  it('delivers queued and new updates in order, then stops cleanly and confirms what it handled', async () => {
    const before = [fake.textUpdate(601, 'một'), fake.photoUpdate(601), fake.textUpdate(602, 'hai')];
    for (const u of before) await fake.pushUpdate(u);
    const polling = await adapter.startPolling();
    await eventsReach(3);
    const after = [fake.callbackUpdate(601, 'menu'), fake.stickerUpdate(602)];
    for (const u of after) await fake.pushUpdate(u);
    await eventsReach(5);
    expect(h.events.map((e) => e.eventId)).toEqual([...before, ...after].map((u) => `tg:${u.update_id}`));
    expect(fake.answeredCallbackQueries).toEqual([after[0]!.callback_query!.id]);

    await polling.stop();
    expect(adapter.bot.isRunning()).toBe(false);
    const calls = fake.calls.length;
    const late = fake.textUpdate(601, 'sau khi dừng');
    await fake.pushUpdate(late);
    // Stopping confirmed every handled update; the late one waits for the next start.
    expect(fake.pendingUpdates.map((u) => u.update_id)).toEqual([late.update_id]);
    expect(fake.calls.length).toBe(calls);
    expect(h.events.length).toBe(5);
  });

  it('hands an update over again while the stores are down, keeping later updates behind it', async () => {
    let failures = 1;
    h.failWith(() => (failures-- > 0 ? new ServiceUnavailableError('stores down') : undefined));
    const first = fake.textUpdate(603, 'đầu');
    const second = fake.textUpdate(603, 'sau');
    await fake.pushUpdate(first);
    await fake.pushUpdate(second);
    const polling = await adapter.startPolling();
    await eventsReach(3);
    await polling.stop();
    expect(h.events.map((e) => e.eventId)).toEqual([first, first, second].map((u) => `tg:${u.update_id}`));
  });

  it('refuses a second start, and the API refuses getUpdates while a webhook is set', async () => {
    const polling = await adapter.startPolling();
    await expect(adapter.startPolling()).rejects.toThrow(/already running/);
    await polling.stop();
    // This adapter has no secret, so it would not register a webhook itself: set one directly.
    await adapter.bot.api.setWebhook('http://127.0.0.1:9/unused');
    await expect(adapter.bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });
    await adapter.deleteWebhook();
  });

  it('fails to start with a wrong token', async () => {
    const wrong = createTelegramAdapter({ token: '999:wrong-token-wrong-token-wrong', apiRoot, handle: h.handle, log });
    await expect(wrong.startPolling()).rejects.toMatchObject({ error_code: 401 });
  });
});

describe('Telegram sender', () => {
  const fake = new FakeTelegramServer();
  const { lines, log } = capturingLogger();
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    const apiRoot = await fake.start();
    adapter = createTelegramAdapter({ token: fake.token, apiRoot, handle: async () => undefined, log });
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    fake.sent.length = 0;
  });

  it('sends a short text without buttons as the photo\'s caption, and a long one after it', async () => {
    await adapter.sender.send('702', { text: 'Ảnh 1/2 · <PA-7K3M>', photoUrl: 'AgAC-photo' });
    const long = 'Dài '.repeat(300);
    await adapter.sender.send('702', { text: long, photoUrl: 'https://example.org/b.jpg' });
    expect(fake.sent.map(({ method, text, caption, photo, parse_mode }) => ({ method, text, caption, photo, parse_mode }))).toEqual([
      { method: 'sendPhoto', photo: 'AgAC-photo', caption: 'Ảnh 1/2 · &lt;PA-7K3M&gt;', text: undefined, parse_mode: 'HTML' },
      { method: 'sendPhoto', photo: 'https://example.org/b.jpg', caption: undefined, text: undefined, parse_mode: undefined },
      { method: 'sendMessage', photo: undefined, caption: undefined, text: long, parse_mode: 'HTML' },
    ]);
  });

  it('takes one turn of the channel\'s pace for each platform call of a message', async () => {
    const turns: number[] = [];
    const pace = async <T>(call: () => Promise<T>): Promise<T> => {
      turns.push(fake.sent.length);
      return call();
    };
    await adapter.sender.send('702', { text: 'Dài '.repeat(300), photoUrl: 'https://example.org/b.jpg' }, pace);
    await adapter.sender.send('702', { text: 'x'.repeat(5000) }, pace);
    // Photo, text; then a text too long for one message, in two parts: each call waited for its turn.
    expect(fake.sent.map((s) => s.method)).toEqual(['sendPhoto', 'sendMessage', 'sendMessage', 'sendMessage']);
    expect(turns).toEqual([0, 1, 2, 3]);
  });

  it('sends the photo first, then the text with its keyboard', async () => {
    await adapter.sender.send('701', { text: 'Tài liệu <mới> & hay', photoUrl: 'https://example.org/a.jpg', choices: [{ id: 'open', label: 'Mở' }] });
    expect(fake.sent.map(({ method, chat_id, text, photo, reply_markup, parse_mode }) => ({ method, chat_id, text, photo, reply_markup, parse_mode }))).toEqual([
      { method: 'sendPhoto', chat_id: '701', photo: 'https://example.org/a.jpg', text: undefined, reply_markup: undefined, parse_mode: undefined },
      {
        method: 'sendMessage',
        chat_id: '701',
        photo: undefined,
        text: 'Tài liệu &lt;mới&gt; &amp; hay',
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: [[{ text: 'Mở', callback_data: 'open' }]] },
      },
    ]);
  });

  it('sends text longer than 4096 characters as several messages, in order, keyboard on the last', async () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Đoạn ${i + 1}: ` + 'quyền lợi của người lao động & công đoàn. '.repeat(20));
    const text = paragraphs.join('\n\n');
    await adapter.sender.send('702', { text, choices: [{ id: 'back', label: 'Quay lại' }] });
    expect(fake.sent.length).toBeGreaterThan(1);
    for (const m of fake.sent) expect(m.text!.length).toBeLessThanOrEqual(4096);
    const shown = fake.sent.map((m) => m.text!.replace(/&amp;/g, '&')).join('\n\n');
    expect(shown.replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
    expect(fake.sent.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    expect(fake.sent.at(-1)?.reply_markup).toBeDefined();
  });

  it('maps 429 to RateLimitedError with retry_after in ms, without retrying the send itself', async () => {
    fake.failNext(1, 429, 'Too Many Requests: retry after 7', 7);
    const before = fake.tooManyRequests;
    const err = await adapter.sender.send('703', { text: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect(fake.tooManyRequests).toBe(before + 1);
    expect(fake.sent).toEqual([]);
  });

  it('maps the rate limiter of the fake to RateLimitedError too', async () => {
    fake.rateLimit(0);
    try {
      await expect(adapter.sender.send('703', { text: 'a' })).rejects.toBeInstanceOf(RateLimitedError);
    } finally {
      fake.rateLimit(undefined);
    }
  });

  it('maps a blocked bot (403) and a missing chat to RecipientUnreachableError', async () => {
    fake.blockUser(704);
    await expect(adapter.sender.send('704', { text: 'a' })).rejects.toBeInstanceOf(RecipientUnreachableError);
    fake.failNext(1, 400, 'Bad Request: chat not found');
    await expect(adapter.sender.send('705', { text: 'a' })).rejects.toBeInstanceOf(RecipientUnreachableError);
    fake.failNext(1, 403, 'Forbidden: user is deactivated');
    await expect(adapter.sender.send('705', { text: 'a' })).rejects.toBeInstanceOf(RecipientUnreachableError);
  });

  it('maps other 400s to PermanentDeliveryError', async () => {
    fake.failNext(1, 400, 'Bad Request: message is too long');
    const err = await adapter.sender.send('706', { text: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentDeliveryError);
    expect((err as Error).message).toContain('message is too long');
  });

  it('rethrows 5xx and network errors for the queue to retry, once each', async () => {
    fake.failNext(1, 500, 'Internal Server Error');
    const calls = fake.calls.length;
    const err = await adapter.sender.send('707', { text: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 500 });
    expect(fake.calls.length).toBe(calls + 1);
    fake.dropNext(1);
    await expect(adapter.sender.send('707', { text: 'a' })).rejects.toBeInstanceOf(HttpError);
    expect(fake.sent).toEqual([]);
    expect(lines.join('\n')).not.toContain(fake.token);
  });

  it('retries webhook management calls after a short 429', async () => {
    fake.failNext(1, 429, 'Too Many Requests: retry after 1', 1, 'getWebhookInfo');
    expect(await adapter.getWebhookInfo()).toMatchObject({ url: '' });
    expect(fake.calls.filter((c) => c.method === 'getWebhookInfo').length).toBe(2);
  });
});
