/**
 * The app wired to a fake Telegram Bot API and a fake Zalo Bot Platform over real HTTP, with the
 * real webhook server (webhook mode) or the adapters' long polling (polling mode).
 */
import { createAdapters, startChannels } from '../../bots/channels.js';
import { buildHttpServer } from '../../bots/http-server.js';
import type { ChannelAdapter } from '../../bots/channel-adapter.js';
import { FakeTelegramServer } from '../fake-telegram-server.js';
import { FakeZaloServer } from '../fake-zalo-server.js';
import { startTestApp, type TestApp } from './test-app.js';
import { insertSampleUnits } from './sample-units.js';

export const TELEGRAM_SECRET = 'tg-webhook-secret-1';
export const ZALO_SECRET = 'zalo-webhook-secret-1';

export interface Platforms {
  app: TestApp;
  telegram: FakeTelegramServer;
  zalo: FakeZaloServer;
  adapters: ChannelAdapter[];
  /** Base URL of our HTTP server (webhooks, health). */
  address: string;
  close(): Promise<void>;
}

/** Starts fakes, the app, delivery workers and the HTTP server; webhooks are registered on the fakes. */
export async function startPlatforms(mode: 'webhook' | 'polling', env: Record<string, string> = {}): Promise<Platforms> {
  const telegram = new FakeTelegramServer();
  const zalo = new FakeZaloServer();
  const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
  const app = await startTestApp({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    ZALO_BOT_TOKEN: zalo.token,
    ZALO_API_BASE: zaloBase,
    ZALO_WEBHOOK_SECRET: ZALO_SECRET,
    PORT: '0',
    ...env,
  });
  await insertSampleUnits(app.models);
  let adapters: ChannelAdapter[];
  let address: string;
  let closeChannels: () => Promise<void>;
  if (mode === 'polling') {
    const running = await startChannels(app, { host: '127.0.0.1' });
    adapters = running.adapters;
    address = running.address;
    closeChannels = () => running.close();
  } else {
    adapters = createAdapters(app.config, (e) => app.engine.handle(e), app.log, app.services.i18n);
    for (const a of adapters) app.startDelivery(a.sender, a.channel === 'telegram' ? app.config.TELEGRAM_RATE_PER_SECOND : app.config.ZALO_RATE_PER_SECOND);
    const server = buildHttpServer(app, adapters, 'webhook');
    address = await server.listen({ port: 0, host: '127.0.0.1' });
    for (const a of adapters) await a.setWebhook(`${address}/webhooks/${a.channel}`);
    closeChannels = () => server.close();
  }
  return {
    app,
    telegram,
    zalo,
    adapters,
    address,
    async close() {
      await closeChannels();
      await app.close();
      await Promise.all([telegram.stop(), zalo.stop()]);
    },
  };
}

/** Polls until `check` passes (or throws its last error after `timeoutMs`). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
