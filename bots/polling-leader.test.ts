/**
 * Long polling on one replica at a time, on the real Redis: a second replica waits, takes over
 * when the leader stops, and a leader whose lock is taken from it stops polling.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createLogger } from '../core/logger.js';
import { PollingLeader } from './polling-leader.js';
import { eventually } from '../test/support/platforms.js';

let redis: Redis;
const log = createLogger('silent');
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.disconnect());

/** A platform that counts how many replicas poll it at once. */
function platform() {
  let polling = 0;
  let most = 0;
  return {
    get polling() {
      return polling;
    },
    get most() {
      return most;
    },
    start: async () => {
      polling++;
      most = Math.max(most, polling);
      let stopped = false;
      return { stop: async () => void (stopped ? undefined : ((stopped = true), polling--)) };
    },
  };
}

describe('PollingLeader', () => {
  it('one replica polls; the other takes over when it stops; never two at once', async () => {
    const key = `t${randomBytes(4).toString('hex')}:polling-leader:telegram`;
    const p = platform();
    const a = new PollingLeader(redis, key, p.start, log, { ttlMs: 3000, retryMs: 20 });
    const b = new PollingLeader(redis, key, p.start, log, { ttlMs: 3000, retryMs: 20 });
    await a.start();
    await b.start();
    expect([a.leading, b.leading]).toEqual([true, false]);
    await a.stop();
    await eventually(() => expect(b.leading).toBe(true), 5000);
    expect(p.polling).toBe(1);
    expect(p.most).toBe(1);
    await b.stop();
    expect(p.polling).toBe(0);
    expect(await redis.exists(key)).toBe(0);
  });

  it('a leader whose lock was taken (it was thought dead) stops polling and waits', async () => {
    const key = `t${randomBytes(4).toString('hex')}:polling-leader:zalo`;
    const p = platform();
    const a = new PollingLeader(redis, key, p.start, log, { ttlMs: 300, retryMs: 50 });
    await a.start();
    expect(a.leading).toBe(true);
    // Another replica's token in the lock: the renewal finds it taken.
    await redis.set(key, 'someone-else', 'PX', 60_000);
    await eventually(() => expect(a.leading).toBe(false), 5000);
    expect(p.polling).toBe(0);
    // The other replica goes away: this one leads again.
    await redis.del(key);
    await eventually(() => expect(a.leading).toBe(true), 5000);
    await a.stop();
  });
});
