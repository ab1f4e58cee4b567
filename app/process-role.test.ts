import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../core/config.js';
import { checkRoleConfig, roleParts } from './process-role.js';

const stores = { MONGODB_URI: 'mongodb://db.internal:27017/dh', REDIS_URL: 'redis://redis.internal:6379' };
const token = { TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ' };

describe('process roles', () => {
  it('all runs everything; each production role runs its own part and nothing else', () => {
    expect(roleParts('all')).toEqual({ chat: true, delivery: true, jobWorkers: true, scheduled: true, console: true });
    expect(roleParts('web')).toEqual({ chat: true, delivery: false, jobWorkers: false, scheduled: false, console: false });
    expect(roleParts('worker')).toEqual({ chat: false, delivery: true, jobWorkers: true, scheduled: false, console: false });
    expect(roleParts('scheduler')).toEqual({ chat: false, delivery: false, jobWorkers: false, scheduled: true, console: false });
  });

  it('every part runs in exactly one production role, so replicas of the three cover the app', () => {
    for (const part of ['chat', 'delivery', 'jobWorkers', 'scheduled'] as const) {
      expect((['web', 'worker', 'scheduler'] as const).filter((r) => roleParts(r)[part])).toHaveLength(1);
    }
  });

  it('ROLE defaults to all, and an unknown role is refused with the values allowed', () => {
    expect(loadConfig({}).ROLE).toBe('all');
    expect(() => loadConfig({ ROLE: 'api' })).toThrow('ROLE — expected all, web, worker or scheduler');
  });

  it('a production role needs the shared stores named, and web and worker need a platform', () => {
    expect(() => checkRoleConfig(loadConfig({}))).not.toThrow();
    expect(() => checkRoleConfig(loadConfig({ ROLE: 'web', ...token }))).toThrow(ConfigError);
    expect(() => checkRoleConfig(loadConfig({ ROLE: 'worker', ...token, MONGODB_URI: stores.MONGODB_URI }))).toThrow('REDIS_URL — required with ROLE=worker');
    expect(() => checkRoleConfig(loadConfig({ ROLE: 'web', ...stores }))).toThrow('TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN');
    expect(() => checkRoleConfig(loadConfig({ ROLE: 'web', ...stores, ...token }))).not.toThrow();
    expect(() => checkRoleConfig(loadConfig({ ROLE: 'scheduler', ...stores }))).not.toThrow();
  });
});
