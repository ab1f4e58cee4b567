/** The per-person token bucket and the once-per-window refusal gate, on the real Redis. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../redis-keys.js';
import { InboundLimits } from './inbound-limits.js';

const redis = new Redis(inject('redisUrl'));
const prefix = `limits-test-${randomBytes(4).toString('hex')}`;
const redisKeys = new RedisKeys(prefix);
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A bucket on a clock the test moves. */
function bucket(burst: number, refillPerSecond: number, noticeSeconds = 60) {
  let now = 1_700_000_000_000;
  const limits = new InboundLimits(redis, { redisKeys, burst, refillPerSecond, noticeSeconds, now: () => now });
  return { limits, advance: (ms: number) => (now += ms) };
}

async function takes(limits: InboundLimits, who: string, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(await limits.take(who));
  return out;
}

describe('token bucket per identity', () => {
  it('lets a burst through, then drops until it refills at the configured rate', async () => {
    const { limits, advance } = bucket(10, 1);
    expect(await takes(limits, 'a', 12)).toEqual([...Array<boolean>(10).fill(true), false, false]);
    advance(999);
    expect(await limits.take('a')).toBe(false);
    advance(1);
    expect(await takes(limits, 'a', 2)).toEqual([true, false]);
    advance(3500);
    expect(await takes(limits, 'a', 4)).toEqual([true, true, true, false]);
  });

  it('never holds more than the burst however long the person was quiet', async () => {
    const { limits, advance } = bucket(3, 1);
    expect(await takes(limits, 'b', 1)).toEqual([true]);
    advance(3_600_000);
    expect(await takes(limits, 'b', 4)).toEqual([true, true, true, false]);
  });

  it('refills at fractional rates', async () => {
    const { limits, advance } = bucket(1, 0.25);
    expect(await takes(limits, 'c', 2)).toEqual([true, false]);
    advance(3_999);
    expect(await limits.take('c')).toBe(false);
    advance(1);
    expect(await limits.take('c')).toBe(true);
  });

  it('keeps one bucket per identity', async () => {
    const { limits } = bucket(2, 1);
    expect(await takes(limits, 'd1', 3)).toEqual([true, true, false]);
    expect(await takes(limits, 'd2', 3)).toEqual([true, true, false]);
  });

  it('counts every taker at once exactly (one script, no lost updates)', async () => {
    const { limits } = bucket(10, 1);
    const all = await Promise.all(Array.from({ length: 50 }, () => limits.take('e')));
    expect(all.filter(Boolean)).toHaveLength(10);
  });

  it("expires once it would be full again, so a quiet person's bucket leaves Redis", async () => {
    const { limits } = bucket(10, 1);
    await takes(limits, 'f', 4);
    const ttl = await redis.pttl(`${prefix}:bucket:f`);
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('on Redis time (production), drops beyond the burst too', async () => {
    const limits = new InboundLimits(redis, { redisKeys, burst: 5, refillPerSecond: 0.001, noticeSeconds: 60 });
    expect(await takes(limits, 'g', 7)).toEqual([true, true, true, true, true, false, false]);
  });
});

describe('the polite refusal', () => {
  it('is given once per window, not once per dropped event', async () => {
    const { limits } = bucket(1, 1, 2);
    expect(await limits.firstRefusalInWindow('h')).toBe(true);
    expect(await limits.firstRefusalInWindow('h')).toBe(false);
    expect(await limits.firstRefusalInWindow('h')).toBe(false);
    expect(await limits.firstRefusalInWindow('other')).toBe(true);
    const ttl = await redis.pttl(`${prefix}:limit-notice:h`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2000);
  });
});
