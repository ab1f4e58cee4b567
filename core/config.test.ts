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
    [{ REDIS_URL: 'localhost:6379' }, 'Invalid configuration: REDIS_URL — expected a URL starting with redis:// or rediss://, e.g. redis://127.0.0.1:6379 (see .env.example)'],
    [{ DEFAULT_LOCALE: 'fr' }, 'Invalid configuration: DEFAULT_LOCALE — expected vi or en (see .env.example)'],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'Invalid configuration: TELEGRAM_BOT_TOKEN — expected a token from BotFather like 123456:ABC-DEF… (see .env.example)'],
    [{ ZALO_WEBHOOK_SECRET: 'short' }, 'Invalid configuration: ZALO_WEBHOOK_SECRET — expected 8–256 characters without spaces (see .env.example)'],
  ])('stops with one line naming the variable: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('.env.example documents every variable', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(configSchema.shape).filter((k) => !documented.has(k))).toEqual([]);
  });
});
