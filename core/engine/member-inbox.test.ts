/** The per-person inbox on the real Redis: its length cap. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../redis-keys.js';
import { MemberInbox } from './member-inbox.js';

const redis = new Redis(inject('redisUrl'));
const prefix = `inbox-test-${randomBytes(4).toString('hex')}`;
const redisKeys = new RedisKeys(prefix);
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('member inbox', () => {
  it('refuses events beyond its length while the person still has events waiting, and takes them again once drained', async () => {
    const inbox = new MemberInbox(redis, { redisKeys, maxLength: 3 });
    const handled: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const handle = async (e: { eventId: string }) => {
      if (e.eventId === 'e1') await blocked;
      handled.push(e.eventId);
    };
    // e1 is being handled (it stays in the list until done), e2 and e3 wait behind it: full.
    const first = inbox.submit('p', { eventId: 'e1' }, handle);
    await new Promise((r) => setTimeout(r, 50));
    const waiting = [inbox.submit('p', { eventId: 'e2' }, handle), inbox.submit('p', { eventId: 'e3' }, handle)];
    await new Promise((r) => setTimeout(r, 50));
    expect(await inbox.submit('p', { eventId: 'e4' }, handle)).toBe('full');
    expect(await inbox.submit('p', { eventId: 'e5' }, handle)).toBe('full');
    // Another person is not affected.
    expect(await inbox.submit('q', { eventId: 'x1' }, handle)).toBe('handled');
    release();
    expect(await Promise.all([first, ...waiting])).toEqual(['handled', 'handled', 'handled']);
    expect(handled).toEqual(['x1', 'e1', 'e2', 'e3']);
    expect(await inbox.submit('p', { eventId: 'e6' }, handle)).toBe('handled');
    expect(await redis.llen(`${prefix}:inbox:p`)).toBe(0);
  });
});

describe('member inbox lock', () => {
  it('a turn longer than the lock TTL is not drained again by a second process', async () => {
    // Two processes (two connections) with a 300 ms lock; the first event takes about a second.
    const one = new MemberInbox(redis, { redisKeys, lockTtlMs: 300 });
    const otherRedis = new Redis(inject('redisUrl'));
    const two = new MemberInbox(otherRedis, { redisKeys, lockTtlMs: 300 });
    const log: string[] = [];
    const handle = async (e: { eventId: string }) => {
      log.push(`start ${e.eventId}`);
      if (e.eventId === 'slow') await new Promise((r) => setTimeout(r, 1000));
      log.push(`end ${e.eventId}`);
    };
    const first = one.submit('long', { eventId: 'slow' }, handle);
    await new Promise((r) => setTimeout(r, 400));
    const second = two.submit('long', { eventId: 'next' }, handle);
    expect(await Promise.all([first, second])).toEqual(['handled', 'handled']);
    otherRedis.disconnect();
    expect(log).toEqual(['start slow', 'end slow', 'start next', 'end next']);
    expect(await redis.llen(`${prefix}:inbox:long`)).toBe(0);
  });
});

describe('member inbox under contention', () => {
  it('three processes submitting one person’s events at once: each handled exactly once, one at a time, and nothing left behind', async () => {
    // Arrive (append + take the lock) and finish (pop + release when empty) are single scripts,
    // so an event appended while the holder releases is never stranded.
    const connections = [redis, new Redis(inject('redisUrl')), new Redis(inject('redisUrl'))];
    const inboxes = connections.map((c) => new MemberInbox(c, { redisKeys, waitMs: 30_000 }));
    const handled: string[] = [];
    let inTurn = 0;
    const handle = async (e: { eventId: string }) => {
      // One at a time for the person, whichever process holds the lock.
      expect(++inTurn).toBe(1);
      await new Promise((r) => setImmediate(r));
      handled.push(e.eventId);
      inTurn--;
    };
    const ids = Array.from({ length: 150 }, (_, i) => `c${i}`);
    const outcomes = await Promise.all(ids.map((id, i) => inboxes[i % 3]!.submit('crowd', { eventId: id }, handle)));
    for (const c of connections.slice(1)) c.disconnect();
    expect(outcomes.every((o) => o === 'handled')).toBe(true);
    expect([...handled].sort()).toEqual([...ids].sort());
    expect(new Set(handled).size).toBe(ids.length);
    expect(await redis.llen(`${prefix}:inbox:crowd`)).toBe(0);
    expect(await redis.exists(`${prefix}:inbox:crowd:lock`)).toBe(0);
  });

  it('takes a token from the person’s bucket in the same step as the event arrives, and drops the event when it is empty', async () => {
    const inbox = new MemberInbox(redis, { redisKeys });
    const bucket = { key: redisKeys.inboundBucket('tokens'), args: { burst: 2, perMs: 0.000001, now: 1_000 } };
    const handled: string[] = [];
    const handle = async (e: { eventId: string }) => void handled.push(e.eventId);
    expect(await inbox.submit('tokens', { eventId: 't1' }, handle, bucket)).toBe('handled');
    expect(await inbox.submit('tokens', { eventId: 't2' }, handle, bucket)).toBe('handled');
    expect(await inbox.submit('tokens', { eventId: 't3' }, handle, bucket)).toBe('limited');
    expect(handled).toEqual(['t1', 't2']);
    expect(await redis.llen(`${prefix}:inbox:tokens`)).toBe(0);
  });
});
