import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeZaloServer } from '../../test/fake-zalo-server.js';
import { ZaloClient } from './zalo-client.js';
import { ZaloApiError, ZaloNetworkError, ZaloRequestError } from './zalo-errors.js';

const fake = new FakeZaloServer();
let baseUrl: string;
let client: ZaloClient;

/** The error a promise rejects with, so tests can look at every field. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

/** Asserts that no text an error exposes contains the token (or its secret half). */
function expectNoToken(err: Error) {
  const secretHalf = fake.token.split(':')[1]!;
  for (const s of [err.message, err.stack ?? '', JSON.stringify(err), String(err)]) {
    expect(s).not.toContain(fake.token);
    expect(s).not.toContain(secretHalf);
  }
}

beforeAll(async () => {
  baseUrl = await fake.start();
  client = new ZaloClient({ token: fake.token, baseUrl, timeoutMs: 2000 });
});
afterAll(() => fake.stop());
beforeEach(async () => {
  fake.reset();
  await client.deleteWebhook();
});

describe('ZaloClient', () => {
  it('getMe returns the bot identity', async () => {
    const me = await client.getMe();
    expect(me.id).toBe(fake.token.split(':')[0]);
    expect(me.account_name).toBeTruthy();
  });

  it('sendMessage, sendPhoto, sendSticker and sendChatAction reach the platform', async () => {
    const m = await client.sendMessage({ chat_id: 'u1', text: 'Xin chào' });
    expect(m.message_id).toBeTruthy();
    await client.sendPhoto({ chat_id: 'u1', photo: 'https://example.org/a.jpg', caption: 'Ảnh' });
    await client.sendPhoto({ chat_id: 'u1', photo: 'https://example.org/b.jpg' });
    await client.sendSticker({ chat_id: 'u1', sticker: 'bfe458bf64fa8da4d4eb' });
    await client.sendChatAction({ chat_id: 'u1', action: 'typing' });
    expect(fake.sent.map(({ time: _t, ...s }) => s)).toEqual([
      { method: 'sendMessage', chat_id: 'u1', text: 'Xin chào' },
      { method: 'sendPhoto', chat_id: 'u1', photo: 'https://example.org/a.jpg', caption: 'Ảnh' },
      { method: 'sendPhoto', chat_id: 'u1', photo: 'https://example.org/b.jpg' },
      { method: 'sendSticker', chat_id: 'u1', sticker: 'bfe458bf64fa8da4d4eb' },
      { method: 'sendChatAction', chat_id: 'u1', action: 'typing' },
    ]);
  });

  it('setWebhook, getWebhookInfo and deleteWebhook manage the webhook', async () => {
    const set = await client.setWebhook({ url: 'https://bot.example.org/webhooks/zalo', secret_token: 's3cret-s3cret' });
    expect(set.url).toBe('https://bot.example.org/webhooks/zalo');
    expect((await client.getWebhookInfo()).url).toBe('https://bot.example.org/webhooks/zalo');
    await client.deleteWebhook();
    expect((await client.getWebhookInfo()).url).toBe('');
  });

  it('refuses a webhook secret outside 8–256 characters before calling Zalo', async () => {
    for (const secret of ['short', 'x'.repeat(257)]) {
      const err = await failure(client.setWebhook({ url: 'https://bot.example.org/w', secret_token: secret }));
      expect(err).toBeInstanceOf(ZaloRequestError);
      expect(err.message).toMatch(/8–256/);
    }
    expect(fake.calls.filter((c) => c.method === 'setWebhook')).toEqual([]);
  });

  it('getUpdates returns a queued update (result is one update, not an array)', async () => {
    await fake.pushUpdate(fake.textUpdate('u1', 'một'));
    const updates = await client.getUpdates({ timeout: 5 });
    expect(updates).toHaveLength(1);
    expect(updates[0]?.message.text).toBe('một');
  });

  it('getUpdates waits for an update pushed during the long poll', async () => {
    const poll = client.getUpdates({ timeout: 10 });
    await waitFor(() => fake.waitingPolls > 0);
    expect(fake.waitingPolls).toBe(1);
    await fake.pushUpdate(fake.textUpdate('u2', 'hai'));
    expect((await poll)[0]?.message.from.id).toBe('u2');
  });

  it('getUpdates with no update ends with error 408', async () => {
    const err = await failure(client.getUpdates({ timeout: 0 }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as ZaloApiError).error_code).toBe(408);
  });

  it('getUpdates while a webhook is set fails with a hint to delete the webhook', async () => {
    await client.setWebhook({ url: 'https://bot.example.org/webhooks/zalo', secret_token: 's3cret-s3cret' });
    const err = (await failure(client.getUpdates({ timeout: 1 }))) as ZaloApiError;
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err.hint).toMatch(/delete the webhook/);
  });

  it('a wrong token gives 401 with a hint to check Zalo Bot Manager, and no token in the text', async () => {
    const wrong = new ZaloClient({ token: '1234567890:wrong-token-wrong-token-wrong', baseUrl });
    const err = (await failure(wrong.getMe())) as ZaloApiError;
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ error_code: 401, description: 'Unauthorized', method: 'getMe', status: 401 });
    expect(err.hint).toMatch(/token is wrong.*Zalo Bot Manager/);
    expect(err.message).not.toContain('wrong-token-wrong-token-wrong');
  });

  it.each<[number, RegExp]>([
    [400, /malformed/],
    [403, /blocked/],
    [429, /slow down/],
    [500, /retry later/],
  ])('error %i carries error_code, description, method and hint', async (status, hint) => {
    fake.failNext(1, status);
    const err = (await failure(client.sendMessage({ chat_id: 'u1', text: 'a' }))) as ZaloApiError;
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err.error_code).toBe(status);
    expect(err.description).toBeTruthy();
    expect(err.method).toBe('sendMessage');
    expect(err.hint).toMatch(hint);
    expect(err.message).toContain(err.hint);
    expectNoToken(err);
  });

  it('validates text length like Zalo (1–2000)', async () => {
    for (const text of ['', 'a'.repeat(2001)]) {
      const err = (await failure(client.sendMessage({ chat_id: 'u1', text }))) as ZaloApiError;
      expect(err.error_code).toBe(400);
    }
    await client.sendMessage({ chat_id: 'u1', text: 'a'.repeat(2000) });
  });

  it('a blocked user gives 403 "user blocked the bot"', async () => {
    fake.blockUser('u9');
    const err = (await failure(client.sendMessage({ chat_id: 'u9', text: 'a' }))) as ZaloApiError;
    expect(err).toMatchObject({ error_code: 403 });
    expect(err.description).toMatch(/blocked/);
  });

  it('the rate limit answers 429 with retry_after', async () => {
    fake.rateLimit(2);
    await client.sendMessage({ chat_id: 'u1', text: '1' });
    await client.sendMessage({ chat_id: 'u1', text: '2' });
    const err = (await failure(client.sendMessage({ chat_id: 'u1', text: '3' }))) as ZaloApiError;
    expect(err).toMatchObject({ error_code: 429, status: 429 });
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(fake.rateLimitedCount).toBe(1);
  });

  it('reads a non-JSON error answer', async () => {
    fake.failNext(1, 502, '<html>bad gateway</html>');
    const err = (await failure(client.getMe())) as ZaloApiError;
    expect(err).toMatchObject({ error_code: 502, status: 502 });
  });

  it('times out a slow answer with ZaloNetworkError (timeout), token-free', async () => {
    fake.delay(1000);
    const slow = new ZaloClient({ token: fake.token, baseUrl, timeoutMs: 100 });
    const err = (await failure(slow.sendMessage({ chat_id: 'u1', text: 'a' }))) as ZaloNetworkError;
    expect(err).toBeInstanceOf(ZaloNetworkError);
    expect(err.reason).toBe('timeout');
    expect(err.method).toBe('sendMessage');
    expectNoToken(err);
  });

  it('reports a refused connection as ZaloNetworkError (connection), token-free', async () => {
    const other = new FakeZaloServer({ token: fake.token });
    const url = await other.start();
    await other.stop();
    const err = (await failure(new ZaloClient({ token: fake.token, baseUrl: url }).getMe())) as ZaloNetworkError;
    expect(err).toBeInstanceOf(ZaloNetworkError);
    expect(err.reason).toBe('connection');
    expect(err.hint).toMatch(/base URL/);
    expectNoToken(err);
  });

  it('an aborted call says aborted', async () => {
    const ac = new AbortController();
    const poll = client.getUpdates({ timeout: 10 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = (await failure(poll)) as ZaloNetworkError;
    expect(err.reason).toBe('aborted');
  });
});

async function waitFor(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}
