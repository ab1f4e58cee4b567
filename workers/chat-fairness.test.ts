/** Fairness levels between chats on a lane, on the real Redis with a real BullMQ queue. */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../core/redis-keys.js';
import { ChatFairness } from './chat-fairness.js';

const redis = new Redis(inject('redisUrl'));
const prefix = `fair-test-${randomBytes(4).toString('hex')}`;
const url = new URL(inject('redisUrl'));
const queue = new Queue('lane', { connection: { host: url.hostname, port: Number(url.port) }, prefix });
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const fairness = (levels = 9) => new ChatFairness(redis, new RedisKeys(prefix), levels);
const items = (chat: string, ...ids: string[]) => ids.map((jobId) => ({ chat, jobId }));

describe('chat fairness', () => {
  it("gives a chat's k-th waiting reply level k, and a chat with nothing waiting level 1", async () => {
    const f = fairness();
    expect(await f.assign(queue, items('a', 'a1', 'a2', 'a3'))).toEqual([1, 2, 3]);
    expect(await f.assign(queue, items('b', 'b1'))).toEqual([1]);
    expect(await f.assign(queue, [...items('a', 'a4'), ...items('c', 'c1'), ...items('a', 'a5')])).toEqual([4, 1, 5]);
  });

  it("never lowers a chat's level while any of its replies waits, so its replies keep their order", async () => {
    const f = fairness();
    await f.assign(queue, items('d', 'd1', 'd2', 'd3'));
    await ChatFairness.release(redis, f.keyOf('d'), 'd1');
    await ChatFairness.release(redis, f.keyOf('d'), 'd2');
    // One reply waits (d3, level 3): the next one may not go ahead of it.
    expect(await f.assign(queue, items('d', 'd4'))).toEqual([3]);
    await ChatFairness.release(redis, f.keyOf('d'), 'd3');
    await ChatFairness.release(redis, f.keyOf('d'), 'd4');
    // Nothing waits any more: the chat is forgotten and starts again at level 1.
    expect(await redis.exists(f.keyOf('d'))).toBe(0);
    expect(await f.assign(queue, items('d', 'd5'))).toEqual([1]);
  });

  it('caps the levels (below bulk), and one level turns fairness off', async () => {
    expect(await fairness(3).assign(queue, items('e', 'e1', 'e2', 'e3', 'e4', 'e5'))).toEqual([1, 2, 3, 3, 3]);
    expect(await fairness(1).assign(queue, items('f', 'f1', 'f2'))).toEqual([1, 1]);
    expect(await redis.exists(fairness(1).keyOf('f'))).toBe(0);
  });

  it('does not count a job BullMQ already holds (a replayed message is not added twice)', async () => {
    const f = fairness();
    await queue.add('deliver', {}, { jobId: 'g1' });
    expect(await f.assign(queue, items('g', 'g1'))).toEqual([1]);
    expect(await redis.hlen(f.keyOf('g'))).toBe(0); // nothing counted as waiting
    expect(await f.assign(queue, items('g', 'g2'))).toEqual([1]);
  });

  it('forgets a chat within the hour', async () => {
    const f = fairness();
    await f.assign(queue, items('h', 'h1'));
    const ttl = await redis.pttl(f.keyOf('h'));
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });
});
