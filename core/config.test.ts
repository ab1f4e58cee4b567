import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults for everything a local run needs', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ MONGODB_DB: 'donghanh', REDIS_PREFIX: 'dh', LOG_LEVEL: 'info', DEFAULT_LOCALE: 'vi', PORT: 3000, TELEGRAM_RATE_PER_SECOND: 30 });
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ MONGODB_URI: '', REDIS_URL: '  ', TELEGRAM_BOT_TOKEN: '' }).MONGODB_URI).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT — expected a whole number from 0 to 65535 (see .env.example)'],
    [{ REDIS_URL: 'localhost:6379' }, 'Invalid configuration: REDIS_URL — expected a URL starting with redis:// or rediss:// or redis-sentinel:// or rediss-sentinel://, e.g. redis://127.0.0.1:6379 (see .env.example)'],
    [{ DEFAULT_LOCALE: 'fr' }, 'Invalid configuration: DEFAULT_LOCALE — expected vi or en (see .env.example)'],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'Invalid configuration: TELEGRAM_BOT_TOKEN — expected a token from BotFather like 123456:ABC-DEF… (see .env.example)'],
    [{ ZALO_WEBHOOK_SECRET: 'short' }, 'Invalid configuration: ZALO_WEBHOOK_SECRET — expected 8–256 characters without spaces (see .env.example)'],
  ])('stops with one line naming the variable: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('accepts https:// API roots anywhere and http:// ones only on the loopback interface', () => {
    expect(loadConfig({ TELEGRAM_API_ROOT: 'https://tg.example.org', ZALO_API_BASE: 'https://bot-api.zaloplatforms.com' })).toMatchObject({
      TELEGRAM_API_ROOT: 'https://tg.example.org',
      ZALO_API_BASE: 'https://bot-api.zaloplatforms.com',
    });
    for (const root of ['http://127.0.0.1:8081', 'http://localhost:8081', 'http://[::1]:8081', 'http://LOCALHOST']) {
      expect(loadConfig({ TELEGRAM_API_ROOT: root, ZALO_API_BASE: root }).TELEGRAM_API_ROOT).toBe(root);
    }
    for (const root of ['http://api.telegram.org', 'http://10.0.0.5:8081', 'http://127.0.0.1.example.org', 'http://localhost.example.org', 'http://user@evil.example']) {
      expect(() => loadConfig({ TELEGRAM_API_ROOT: root })).toThrow(
        new ConfigError(
          'Invalid configuration: TELEGRAM_API_ROOT — expected an https:// URL, e.g. https://api.telegram.org (http:// only for 127.0.0.1, localhost or ::1: the bot token travels in every request\'s URL) (see .env.example)',
        ),
      );
      expect(() => loadConfig({ ZALO_API_BASE: root })).toThrow(/^Invalid configuration: ZALO_API_BASE — expected an https:\/\/ URL, e.g. https:\/\/bot-api.zaloplatforms.com/);
    }
    expect(() => loadConfig({ ZALO_API_BASE: 'ftp://127.0.0.1' })).toThrow(/ZALO_API_BASE — expected a URL starting with http:\/\/ or https:\/\//);
  });

  it('.env.example documents every variable', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(configSchema.shape).filter((k) => !documented.has(k))).toEqual([]);
  });
});
