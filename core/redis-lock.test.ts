/** The renewing Redis lock on the real Redis: held past its TTL while work runs, released only by its holder. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisLock } from './redis-lock.js';

const redis = new Redis(inject('redisUrl'));
/** A second connection, as another process would have. */
const other = new Redis(inject('redisUrl'));
const prefix = `lock-test-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  other.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisLock', () => {
  it('keeps the lock for a holder whose work outlasts the TTL; a second acquirer waits until it is released', async () => {
    const key = `${prefix}:long`;
    const first = new RedisLock(redis, { ttlMs: 300 });
    const second = new RedisLock(other, { ttlMs: 300 });
    const events: string[] = [];
    const held = await first.acquire(key, { waitMs: 1000 });
    const waiting = second.acquire(key, { waitMs: 10_000, pauseMs: 20 }).then((lock) => {
      events.push('second acquired');
      return lock;
    });
    // About a second of work, more than three TTLs: the key stays the first holder's throughout.
    for (let i = 0; i < 10; i++) {
      await sleep(100);
      expect(await redis.get(key)).toBe(held.token);
      expect(await second.tryAcquire(key)).toBeUndefined();
    }
    expect(held.lost).toBe(false);
    events.push('first released');
    expect(await held.release()).toBe(true);
    const next = await waiting;
    expect(events).toEqual(['first released', 'second acquired']);
    expect(await redis.get(key)).toBe(next.token);
    expect(await next.release()).toBe(true);
    expect(await redis.exists(key)).toBe(0);
  });

  it('a release by a stale token does nothing: the lock expired and someone else holds it now', async () => {
    const key = `${prefix}:stale`;
    // Renewing far less often than the TTL, as a holder whose process stalled would.
    const stalled = new RedisLock(redis, { ttlMs: 150, renewEveryMs: 60_000 });
    const stale = await stalled.acquire(key, { waitMs: 1000 });
    await sleep(300);
    const fresh = await new RedisLock(other, { ttlMs: 5000 }).acquire(key, { waitMs: 1000 });
    expect(await stale.release()).toBe(false);
    expect(await redis.get(key)).toBe(fresh.token);
    expect(await fresh.release()).toBe(true);
  });

  it('reports a lost lock, and its release leaves the new holder alone', async () => {
    const key = `${prefix}:lost`;
    const held = await new RedisLock(redis, { ttlMs: 300, renewEveryMs: 50 }).acquire(key, { waitMs: 1000 });
    // Someone else's token (the lock expired while this holder stalled, and was taken).
    await other.set(key, 'someone-else', 'PX', 5000);
    await expect.poll(() => held.lost, { timeout: 2000, interval: 20 }).toBe(true);
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(Error);
    expect(await held.release()).toBe(false);
    expect(await redis.get(key)).toBe('someone-else');
  });

  it('times out waiting for a lock that stays taken', async () => {
    const key = `${prefix}:busy`;
    const held = await new RedisLock(redis, { ttlMs: 300 }).acquire(key, { waitMs: 1000 });
    await expect(new RedisLock(other, { ttlMs: 300 }).acquire(key, { waitMs: 400, pauseMs: 20 })).rejects.toThrow(/stayed locked/);
    expect(await held.release()).toBe(true);
  });
});
