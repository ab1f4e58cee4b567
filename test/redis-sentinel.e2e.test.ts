/**
 * REDIS_URL through Redis Sentinel (redis-sentinel://): a real Sentinel (`redis-server
 * --sentinel`) watching the test Redis as master "dhtest". The app's own connection and BullMQ's
 * both find the master through it: a job is queued and processed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bullConnection } from '../app/bull-connection.js';
import { connectRedis } from '../core/redis.js';
import { redisOptionsFromUrl } from '../core/redis-url.js';
import { freePort } from './support/app-process.js';
import { eventually } from './support/platforms.js';

let sentinel: ChildProcess | undefined;
let sentinelUrl: string;

beforeAll(async () => {
  const master = redisOptionsFromUrl(inject('redisUrl'));
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dh-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor dhtest ${master.host} ${master.port} 1`, ...(master.password ? [`sentinel auth-pass dhtest ${master.password}`] : []), 'sentinel down-after-milliseconds dhtest 60000', ''].join('\n'),
  );
  sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const auth = master.password ? `:${encodeURIComponent(master.password)}@` : '';
  sentinelUrl = `redis-sentinel://${auth}127.0.0.1:${port}/dhtest`;
  // Until the Sentinel answers and knows its master.
  await eventually(async () => {
    const r = await connectRedis(sentinelUrl);
    r.disconnect();
  }, 15_000);
}, 30_000);

afterAll(() => {
  sentinel?.kill('SIGTERM');
});

describe('Redis through Sentinel', () => {
  it('the app connection and BullMQ reach the master the Sentinel names', async () => {
    const redis = await connectRedis(sentinelUrl);
    const key = `t${randomBytes(4).toString('hex')}`;
    await redis.set(`${key}:probe`, 'ok', 'EX', 60);
    // The same server as the test's own URL: what one writes, the other reads.
    const direct = await connectRedis(inject('redisUrl'));
    expect(await direct.get(`${key}:probe`)).toBe('ok');

    const connection = bullConnection(sentinelUrl);
    const queue = new Queue('sentinel-probe', { connection, prefix: key });
    const done: unknown[] = [];
    const worker = new Worker('sentinel-probe', async (job) => void done.push(job.data), { connection, prefix: key });
    await queue.add('probe', { n: 1 });
    await eventually(() => expect(done).toEqual([{ n: 1 }]), 15_000);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await direct.del(`${key}:probe`);
    redis.disconnect();
    direct.disconnect();
  });
});
