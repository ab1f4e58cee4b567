/** `npm run admin -- web-login <member>`: a one-time link for the first operator, as a real child process. */
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { bindModels, connectMongo, type Models } from '../../core/db.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';

const dbName = `t_web_${randomBytes(5).toString('hex')}`;
const prefix = `tw${randomBytes(4).toString('hex')}`;
let conn: Connection;
let models: Models;
let redis: Redis;

const admin = (...args: string[]) => runAdminCli(args, { db: dbName, prefix });

beforeAll(async () => {
  conn = await connectMongo(inject('mongoUri'), dbName);
  models = bindModels(conn);
  redis = new Redis(inject('redisUrl'));
  await insertSampleUnits(models);
  const at = new Date('2026-11-25T02:00:00Z');
  const base = { locale: 'vi', consent: { version: 'test', givenAt: at, channel: 'admin-import' }, status: 'active' as const, broadcastsOptOut: false, createdAt: at };
  await models.Member.create({ _id: 'm-op', roles: ['worker', 'admin'], grants: [{ role: 'admin', unitId: 'hcm' }], ...base });
  await models.Member.create({ _id: 'm-lan', roles: ['worker'], ...base });
  await models.ChannelIdentity.create({ _id: 'telegram:5001', channel: 'telegram', platformUserId: '5001', chatId: '5001', memberId: 'm-op', createdAt: at });
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('npm run admin -- web-login', () => {
  it('prints a one-time link for a staff member (by member id or chat), stores it for ten minutes, and audits it', async () => {
    for (const who of ['m-op', 'telegram:5001']) {
      const run = await admin('web-login', who);
      expect(run.code, run.stderr).toBe(0);
      const url = run.stdout.trim();
      expect(url).toMatch(/^http:\/\/localhost:3000\/web\/login\/[A-Za-z0-9_-]{43}$/);
      expect(run.stderr).toContain('within 10 minutes');
      const key = `${prefix}:web-login:${createHash('sha256').update(url.split('/').pop()!).digest('hex')}`;
      expect(await redis.get(key)).toBe('m-op');
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    }
    expect(await models.Audit.countDocuments({ action: 'web.link_issued', actor: 'admin-cli', target: 'm-op', 'details.via': 'cli' })).toBe(2);
  });

  it('names PUBLIC_URL in the link when it is set', async () => {
    // The child process inherits this process's environment.
    process.env.PUBLIC_URL = 'https://donghanh.example.org/';
    let run;
    try {
      run = await admin('web-login', 'm-op');
    } finally {
      delete process.env.PUBLIC_URL;
    }
    expect(run.stdout.trim()).toMatch(/^https:\/\/donghanh\.example\.org\/web\/login\/[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a member without a staff role, an unknown member, and a wrong invocation', async () => {
    const worker = await admin('web-login', 'm-lan');
    expect(worker.code).toBe(1);
    expect(worker.stdout).toBe('');
    expect(worker.stderr).toContain('holds no secretariat or admin role');
    expect((await admin('web-login', 'nobody')).code).toBe(1);
    expect((await admin('web-login')).code).toBe(2);
    expect(await models.Audit.countDocuments({ action: 'web.link_issued', target: { $in: ['m-lan', 'nobody'] } })).toBe(0);
  });
});
