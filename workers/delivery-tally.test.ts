/** The delivery tally on the real Redis: each job's outcome counts once, whatever is replayed. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../core/redis-keys.js';
import { DeliveryTally } from './delivery-tally.js';

const redis = new Redis(inject('redisUrl'));
const prefix = `tally-test-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('delivery tally', () => {
  it('counts each job once, per group, even when the same outcome or another one is reported again', async () => {
    const tally = new DeliveryTally(redis, new RedisKeys(prefix));
    expect(await tally.count('bc1', ['j1', 'j2', 'j3'], 'sent')).toBe(3);
    // A retried job after a crash reports again: nothing moves.
    expect(await tally.count('bc1', ['j2'], 'sent')).toBe(0);
    expect(await tally.count('bc1', ['j3', 'j4'], 'failed')).toBe(1);
    expect(await tally.count('bc1', ['j5'], 'unreachable')).toBe(1);
    expect(await tally.count('bc2', ['j1'], 'cancelled')).toBe(1);
    expect(await tally.read('bc1')).toEqual({ sent: 3, failed: 1, unreachable: 1, cancelled: 0 });
    expect(await tally.read('bc2')).toEqual({ sent: 0, failed: 0, unreachable: 0, cancelled: 1 });
    expect(await tally.read('never')).toEqual({ sent: 0, failed: 0, unreachable: 0, cancelled: 0 });
    expect([...(await tally.counted('bc1', ['j1', 'j4', 'j9']))].sort()).toEqual(['j1', 'j4']);
    expect(await tally.count('bc1', [], 'sent')).toBe(0);
    // Kept for a month, then gone on its own.
    expect(await redis.ttl(`${prefix}:bull:tally:bc1:jobs`)).toBeGreaterThan(29 * 24 * 3600);
  });
});
