import { fastify, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError } from '../../core/delivery.js';
import { ServiceUnavailableError } from '../../core/engine/infrastructure-errors.js';
import type { Inbound } from '../../core/engine/types.js';
import { Translations } from '../../core/i18n.js';
import { FakeZaloServer } from '../../test/fake-zalo-server.js';
import type { ChannelAdapter } from '../channel-adapter.js';
import { createZaloAdapter, type ZaloAdapterOptions } from './zalo-adapter.js';
import { ZaloClient } from './zalo-client.js';
import { ZaloApiError, ZaloNetworkError } from './zalo-errors.js';

const SECRET = 'zalo-webhook-secret-1';
const DATE = Date.UTC(2026, 10, 25, 2, 0, 0);
const i18n = new Translations('vi');
const fake = new FakeZaloServer();
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });

/** What the test handler does with the next events. */
let behaviour: 'collect' | 'unavailable-once' | 'unavailable' | 'crash' | 'slow' = 'collect';
const events: Inbound[] = [];
async function handle(e: Inbound): Promise<void> {
  if (behaviour === 'unavailable') throw new ServiceUnavailableError('stores down');
  if (behaviour === 'unavailable-once') {
    behaviour = 'collect';
    throw new ServiceUnavailableError('stores down');
  }
  if (behaviour === 'crash') throw new Error('bug in a flow');
  if (behaviour === 'slow') await new Promise((r) => setTimeout(r, 400));
  events.push(e);
}

let apiUrl: string;
let app: FastifyInstance;
let webhookUrl: string;
let adapter: ChannelAdapter;

const make = async (extra: Partial<ZaloAdapterOptions> = {}) =>
  createZaloAdapter({ token: fake.token, baseUrl: apiUrl, webhookSecret: SECRET, handle, log, i18n, typingAfterMs: 100, pollTimeoutSeconds: 1, ...extra });

async function waitFor(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

/** Posts straight to our webhook, as anyone on the internet could. */
function post(body: string, headers: Record<string, string> = { 'x-bot-api-secret-token': SECRET }) {
  return fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

beforeAll(async () => {
  apiUrl = await fake.start();
  adapter = await make();
  app = fastify();
  app.post('/webhooks/zalo', adapter.webhook);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  webhookUrl = `${address}/webhooks/zalo`;
});

afterAll(async () => {
  await app.close();
  await fake.stop();
});

beforeEach(async () => {
  behaviour = 'collect';
  events.length = 0;
  logLines.length = 0;
  fake.reset();
  await adapter.deleteWebhook();
});

describe('Zalo webhook', () => {
  beforeEach(() => adapter.setWebhook(webhookUrl));

  it('registers the webhook with the secret', async () => {
    expect(fake.webhook).toMatchObject({ url: webhookUrl, secret: SECRET });
    expect((await adapter.getWebhookInfo())['url']).toBe(webhookUrl);
  });

  it('hands the exact Inbound to the handler and answers 200', async () => {
    const status = await fake.pushUpdate(fake.textUpdate('u1', 'Xin chào', { name: 'Lan', date: DATE, messageId: 'abc123' }));
    expect(status).toBe(200);
    expect(events).toEqual([
      { channel: 'zalo', userId: 'u1', chatId: 'u1', eventId: 'zalo:abc123', chatType: 'private', displayName: 'Lan', text: 'Xin chào', at: new Date(DATE) },
    ]);
  });

  it('accepts the bare {event_name, message} body too', async () => {
    const res = await post(JSON.stringify(fake.stickerUpdate('u2')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(events).toMatchObject([{ userId: 'u2', media: 'sticker' }]);
  });

  it('passes group chats and photos on', async () => {
    await fake.pushUpdate(fake.groupTextUpdate('g1', 'u3', 'chào cả nhóm'));
    await fake.pushUpdate(fake.imageUpdate('u3'));
    expect(events).toMatchObject([
      { userId: 'u3', chatId: 'g1', chatType: 'group', text: 'chào cả nhóm' },
      { userId: 'u3', chatId: 'u3', media: 'photo' },
    ]);
  });

  it('refuses a wrong secret with 401 and handles nothing', async () => {
    await new ZaloClient({ token: fake.token, baseUrl: apiUrl }).setWebhook({ url: webhookUrl, secret_token: 'not-the-right-secret' });
    expect(await fake.pushUpdate(fake.textUpdate('u1', 'a'))).toBe(401);
    const longer = await post(JSON.stringify({ ok: true, result: fake.textUpdate('u1', 'a') }), { 'x-bot-api-secret-token': `${SECRET}x` });
    expect(longer.status).toBe(401);
    expect(events).toEqual([]);
  });

  it('refuses a missing secret with 401 and handles nothing', async () => {
    const res = await post(JSON.stringify({ ok: true, result: fake.textUpdate('u1', 'a') }), {});
    expect(res.status).toBe(401);
    expect(events).toEqual([]);
  });

  it.each(['42', '"text"', 'null', '[1, 2]', 'true'])('answers 400 to a non-object body %s', async (body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(events).toEqual([]);
  });

  it('answers 200 and ignores bodies it does not understand', async () => {
    for (const body of [{}, { ok: true, result: { event_name: 'bot.added' } }, { foo: 1 }, { ok: true, result: { event_name: 'message.text.received', message: { text: 'x' } } }]) {
      const res = await post(JSON.stringify(body));
      expect(res.status).toBe(200);
    }
    expect(events).toEqual([]);
  });

  it('passes unknown event names on as media "other"', async () => {
    expect(await fake.pushUpdate(fake.otherUpdate('message.voice.received', 'u4', {}, { voice_url: 'https://x/v.aac' }))).toBe(200);
    expect(events).toMatchObject([{ userId: 'u4', media: 'other' }]);
    expect(events[0]?.text).toBeUndefined();
  });

  it('answers 503 when the stores are down, so Zalo delivers again', async () => {
    behaviour = 'unavailable';
    expect(await fake.pushUpdate(fake.textUpdate('u1', 'a'))).toBe(503);
  });

  it('answers 500 on a bug and logs it without the message text', async () => {
    behaviour = 'crash';
    expect(await fake.pushUpdate(fake.textUpdate('u1', 'bí mật của mình'))).toBe(500);
    expect(logLines.join('\n')).toContain('bug in a flow');
    expect(logLines.join('\n')).not.toContain('bí mật');
    expect(logLines.join('\n')).not.toContain(fake.token);
  });

  it('shows "typing…" once when handling is slow', async () => {
    behaviour = 'slow';
    expect(await fake.pushUpdate(fake.textUpdate('u5', 'a'))).toBe(200);
    await waitFor(() => fake.sent.some((s) => s.method === 'sendChatAction'));
    expect(fake.sent.filter((s) => s.method === 'sendChatAction')).toMatchObject([{ chat_id: 'u5', action: 'typing' }]);
  });

  it('does not show "typing…" when handling is quick', async () => {
    const quick = await make({ typingAfterMs: 60_000 });
    const other = fastify();
    other.post('/w', quick.webhook);
    const url = `${await other.listen({ port: 0, host: '127.0.0.1' })}/w`;
    try {
      await quick.setWebhook(url);
      expect(await fake.pushUpdate(fake.textUpdate('u6', 'a'))).toBe(200);
      expect(events).toHaveLength(1);
      expect(fake.sent).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('refuses every request when no secret is configured', async () => {
    const open = await make({ webhookSecret: undefined });
    await expect(open.setWebhook(webhookUrl)).rejects.toThrow(/ZALO_WEBHOOK_SECRET/);
    const other = fastify();
    other.post('/w', open.webhook);
    const url = `${await other.listen({ port: 0, host: '127.0.0.1' })}/w`;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': '' }, body: '{}' });
      expect(res.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('Zalo polling', () => {
  it('delivers updates in order and stops cleanly', async () => {
    await fake.pushUpdate(fake.textUpdate('u1', 'một'));
    await fake.pushUpdate(fake.textUpdate('u1', 'hai'));
    const polling = await adapter.startPolling();
    try {
      await waitFor(() => events.length === 2);
      await waitFor(() => fake.waitingPolls === 1);
      await fake.pushUpdate(fake.textUpdate('u1', 'ba'));
      await waitFor(() => events.length === 3);
    } finally {
      await polling.stop();
    }
    expect(events.map((e) => e.text)).toEqual(['một', 'hai', 'ba']);
    // The in-flight long poll was aborted: a later update waits for the next poller instead of vanishing.
    await waitFor(() => fake.waitingPolls === 0);
    await fake.pushUpdate(fake.textUpdate('u1', 'bốn'));
    expect(fake.pending).toBe(1);
    expect(events).toHaveLength(3);
  });

  it('polls again after an empty long poll (408)', async () => {
    const polling = await adapter.startPolling();
    try {
      await waitFor(() => fake.calls.some((c) => c.method === 'getUpdates' && c.status === 408));
      await waitFor(() => fake.waitingPolls === 1);
      await fake.pushUpdate(fake.textUpdate('u1', 'sau 408'));
      await waitFor(() => events.length === 1);
    } finally {
      await polling.stop();
    }
    expect(logLines.join('\n')).not.toContain('getUpdates failed');
  });

  it('retries an event while the stores are down instead of losing it', async () => {
    behaviour = 'unavailable-once';
    await fake.pushUpdate(fake.textUpdate('u1', 'giữ lại'));
    const polling = await adapter.startPolling();
    try {
      await waitFor(() => events.length === 1);
    } finally {
      await polling.stop();
    }
    expect(events[0]?.text).toBe('giữ lại');
  });

  it('backs off on errors and recovers', async () => {
    fake.failNext(1, 500, undefined, ['getUpdates']);
    await fake.pushUpdate(fake.textUpdate('u1', 'sau lỗi'));
    const polling = await adapter.startPolling();
    try {
      await waitFor(() => events.length === 1);
    } finally {
      await polling.stop();
    }
    expect(logLines.join('\n')).toContain('getUpdates failed');
  });

  it('says to delete the webhook when one is set', async () => {
    await adapter.setWebhook(webhookUrl);
    const polling = await adapter.startPolling();
    try {
      await waitFor(() => logLines.some((l) => l.includes('npm run webhooks -- delete zalo')));
    } finally {
      await polling.stop();
    }
  });

  it('stops promptly while backing off', async () => {
    fake.failFor(60_000, 500, ['getUpdates']);
    const polling = await adapter.startPolling();
    await waitFor(() => fake.calls.some((c) => c.method === 'getUpdates'));
    await polling.stop();
    const calls = fake.calls.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.calls.length).toBe(calls);
  });
});

describe('Zalo sender', () => {
  const failure = async (p: Promise<unknown>) => p.then(() => Promise.reject(new Error('expected a failure')), (err: unknown) => err);

  it('sends text, and choices as a numbered list with the hint', async () => {
    await adapter.sender.send('u1', { text: 'Bạn cần gì?', choices: [{ id: 'a', label: 'Khảo sát' }, { id: 'b', label: 'Cài đặt' }] });
    expect(fake.sent.map((s) => s.text)).toEqual(['Bạn cần gì?\n\n1. Khảo sát\n2. Cài đặt\nBạn trả lời bằng cách gõ số thứ tự nhé.']);
  });

  it('writes the hint in the language the message says it is in', async () => {
    await adapter.sender.send('u1', { text: 'What do you need?', choices: [{ id: 'a', label: 'Surveys' }], locale: 'en' });
    expect(fake.sent.map((s) => s.text)).toEqual([`What do you need?\n\n1. Surveys\n${i18n.for('en')('zalo:choose_by_number')}`]);
  });

  it('sends a photo with a short caption first', async () => {
    await adapter.sender.send('u1', { text: 'Bản tin tháng 11', photoUrl: 'https://example.org/p.jpg' });
    expect(fake.sent.map(({ time: _t, ...s }) => s)).toEqual([{ method: 'sendPhoto', chat_id: 'u1', photo: 'https://example.org/p.jpg', caption: 'Bản tin tháng 11' }]);
  });

  it('sends a photo without caption, then long text in parts of at most 2000 characters', async () => {
    const text = Array.from({ length: 700 }, (_, i) => `chữ${i}`).join(' ');
    await adapter.sender.send('u1', { text, photoUrl: 'https://example.org/p.jpg' });
    expect(fake.sent[0]).toMatchObject({ method: 'sendPhoto' });
    expect(fake.sent[0]?.caption).toBeUndefined();
    const parts = fake.sent.slice(1);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text!.length).toBeLessThanOrEqual(2000);
    expect(parts.map((p) => p.text).join(' ')).toBe(text);
  });

  it('maps 429 with retry_after to RateLimitedError', async () => {
    fake.rateLimit(1);
    await adapter.sender.send('u1', { text: 'một' });
    const err = await failure(adapter.sender.send('u1', { text: 'hai' }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(fake.rateLimitedCount).toBe(1);
    fake.failNext(1, 429, { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 7 } });
    expect(await failure(adapter.sender.send('u1', { text: 'ba' }))).toMatchObject({ retryAfterMs: 7000 });
  });

  it('maps 429 without retry_after to a 1 s wait', async () => {
    fake.failNext(1, 429, { ok: false, error_code: 429, description: 'Too Many Requests' });
    expect(await failure(adapter.sender.send('u1', { text: 'a' }))).toMatchObject({ name: 'RateLimitedError', retryAfterMs: 1000 });
  });

  it('maps a blocked user (403) to RecipientUnreachableError', async () => {
    fake.blockUser('u7');
    expect(await failure(adapter.sender.send('u7', { text: 'a' }))).toBeInstanceOf(RecipientUnreachableError);
    fake.failNext(1, 404, { ok: false, error_code: 404, description: 'User has blocked the bot' });
    expect(await failure(adapter.sender.send('u8', { text: 'a' }))).toBeInstanceOf(RecipientUnreachableError);
  });

  it('maps 400 to PermanentDeliveryError', async () => {
    fake.failNext(1, 400);
    expect(await failure(adapter.sender.send('u1', { text: 'a' }))).toBeInstanceOf(PermanentDeliveryError);
  });

  it('rethrows 5xx so the queue retries', async () => {
    fake.failNext(1, 500);
    const err = await failure(adapter.sender.send('u1', { text: 'a' }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it('rethrows a timeout so the queue retries', async () => {
    const impatient = await make({ timeoutMs: 100 });
    fake.delay(500);
    const err = await failure(impatient.sender.send('u1', { text: 'a' }));
    expect(err).toBeInstanceOf(ZaloNetworkError);
    expect((err as ZaloNetworkError).reason).toBe('timeout');
  });
});
