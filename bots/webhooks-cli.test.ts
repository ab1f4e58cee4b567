import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeTelegramServer } from '../test/fake-telegram-server.js';
import { FakeZaloServer } from '../test/fake-zalo-server.js';
import { runWebhooks } from './webhooks-cli.js';

let telegram: FakeTelegramServer;
let zalo: FakeZaloServer;
let env: Record<string, string>;
const out: string[] = [];
const err: string[] = [];

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  zalo = new FakeZaloServer();
  const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_SECRET: 'tg-secret-cli',
    ZALO_BOT_TOKEN: zalo.token,
    ZALO_API_BASE: zaloBase,
    ZALO_WEBHOOK_SECRET: 'zalo-secret-cli',
    PUBLIC_URL: 'https://bot.example.org/',
  };
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([telegram.stop(), zalo.stop()]);
});

describe('npm run webhooks', () => {
  it('sets both webhooks under PUBLIC_URL with their secrets', async () => {
    expect(await runWebhooks(['set'], env)).toBe(0);
    expect(telegram.webhook).toMatchObject({ url: 'https://bot.example.org/webhooks/telegram', secretToken: 'tg-secret-cli' });
    expect(zalo.webhook).toMatchObject({ url: 'https://bot.example.org/webhooks/zalo', secret: 'zalo-secret-cli' });
    expect(out).toContain('telegram: webhook set to https://bot.example.org/webhooks/telegram');
  });

  it('shows and deletes one platform at a time', async () => {
    expect(await runWebhooks(['show', 'zalo'], env)).toBe(0);
    expect(out.at(-1)).toContain('https://bot.example.org/webhooks/zalo');
    expect(await runWebhooks(['delete', 'telegram'], env)).toBe(0);
    expect(telegram.webhook).toBeUndefined();
    expect(zalo.webhook.url).toBe('https://bot.example.org/webhooks/zalo');
  });

  it('explains what is missing', async () => {
    expect(await runWebhooks(['set'], { ...env, PUBLIC_URL: '' })).toBe(1);
    expect(err.at(-1)).toContain('PUBLIC_URL is not set');
    expect(await runWebhooks(['show'], {})).toBe(1);
    expect(err.at(-1)).toContain('no platform token set');
    expect(await runWebhooks(['frobnicate'], env)).toBe(2);
  });

  it('a wrong token says what to do', async () => {
    expect(await runWebhooks(['show', 'telegram'], { ...env, TELEGRAM_BOT_TOKEN: '999:wrong-token-wrong-token-xx' })).toBe(1);
    expect(err.at(-1)).toMatch(/^telegram: /);
    expect(err.at(-1)).not.toContain('wrong-token-wrong-token-xx');
  });
});
