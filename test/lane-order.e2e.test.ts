/**
 * A chat's messages go out one at a time and in order even with several worker processes: two
 * sets of delivery workers (each with its own Redis connections, as two `worker` replicas have)
 * serve the same lanes, and the fake Telegram server answers slowly, so two workers taking jobs
 * of one lane at once would show as two sends to one chat in flight together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { eventually } from './support/platforms.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let telegram: FakeTelegramServer;

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  const apiRoot = await telegram.start();
  app = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_RATE_PER_SECOND: '1000', DELIVERY_SHARDS: '2' });
  // Two replicas' worth of delivery workers on the same lanes.
  for (let replica = 0; replica < 2; replica++) {
    for (const a of createAdapters(app.config, (e) => app.engine.handle(e), app.log, app.services.i18n)) app.startDelivery(a.sender, 1000);
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await telegram?.stop();
});

describe('delivery lanes across worker processes', () => {
  it('sends one message at a time to each chat, in the order queued', async () => {
    telegram.delay(30, 'sendMessage');
    const chats = ['7101', '7102', '7103', '7104'];
    const N = 12;
    for (let k = 1; k <= N; k++) {
      await app.outbox.send(chats.map((chatId) => ({ channel: 'telegram' as const, chatId, key: `order:${chatId}:${k}`, messages: [{ text: `tin ${k}` }], priority: 'reply' as const })));
    }
    await eventually(() => expect(telegram.sent.length).toBe(chats.length * N), 60_000);
    for (const chatId of chats) {
      expect(telegram.sent.filter((m) => m.chat_id === chatId).map((m) => m.text)).toEqual(Array.from({ length: N }, (_, i) => `tin ${i + 1}`));
      expect(telegram.mostInFlight.get(chatId)).toBe(1);
    }
  }, 90_000);
});
