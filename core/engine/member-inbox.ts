/**
 * Per-person ordered inbox in Redis. Events of one person are appended to a list and drained
 * by whoever holds that person's lock, so they are handled one at a time and in arrival order
 * even across processes. An event leaves the list only after it was handled, so a crash or an
 * outage mid-event leaves it first in line for the next attempt. The lock is renewed while a
 * turn runs (core/redis-lock.ts), so a turn longer than its TTL is not drained a second time by
 * another process; a holder that loses it anyway stops after the event in hand.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { RedisLock, type HeldLock } from '../redis-lock.js';
import { redisScripts, type RedisScripts, type TokenBucketArgs } from '../redis-scripts.js';

/** How long an event's done marker is kept (a waiter elsewhere learns its event was handled). */
const DONE_TTL_SECONDS = 3600;

export interface InboxOptions {
  redisKeys: RedisKeys;
  /** Lifetime of the per-person lock without renewal: a crashed holder's lock frees after it (default 30 s). */
  lockTtlMs?: number;
  waitMs?: number;
  /** Events one person may have waiting at once; more are refused (default: no limit). */
  maxLength?: number;
}

/** The person's inbox could not be drained in time (another process holds the lock too long). */
/** A person's token bucket, taken from when an event arrives (core/engine/inbound-limits.ts). */
export interface InboxBucket {
  key: string;
  args: TokenBucketArgs;
}

export class InboxTimeoutError extends Error {
  override name = 'InboxTimeoutError';
}

export class MemberInbox {
  private readonly waitMs: number;
  private readonly lock: RedisLock;
  private readonly scripts: RedisScripts;

  constructor(private readonly redis: Redis, private readonly opts: InboxOptions) {
    this.waitMs = opts.waitMs ?? 60_000;
    this.lock = new RedisLock(redis, { ttlMs: opts.lockTtlMs ?? 30_000 });
    this.scripts = redisScripts(redis);
  }

  private keys(who: string) {
    const rk = this.opts.redisKeys;
    return { list: rk.inbox(who), lock: rk.inboxLock(who), done: (eventId: string) => rk.inboxDone(who, eventId) };
  }

  /**
   * Appends the event and returns once it has been handled — by this call or by another holder
   * of the lock. `handle` must throw only when the event should be retried later (the event
   * then stays first in line and the error propagates). With `bucket`, a token is taken from
   * the person's bucket first and 'limited' returned (nothing appended) when it is empty; when
   * the person already has `maxLength` events waiting, the event is not appended and 'full' is
   * returned at once. The common case costs two Redis round trips: one to arrive (token, append,
   * lock), one to finish (done marker, pop, release or the next event).
   */
  async submit<T extends { eventId: string }>(who: string, event: T, handle: (e: T) => Promise<void>, bucket?: InboxBucket): Promise<'handled' | 'full' | 'limited'> {
    const k = this.keys(who);
    const token = this.lock.newToken();
    const arrival = await this.scripts.inboxArrive({ bucket: bucket?.key ?? k.list, list: k.list, lock: k.lock }, bucket?.args, JSON.stringify(event), this.opts.maxLength, { token, ttlMs: this.lock.ttlMs });
    if (arrival.kind === 'limited' || arrival.kind === 'full') return arrival.kind;
    if (arrival.kind === 'locked') {
      const done = await this.drain(k, this.lock.adopt(k.lock, token), arrival.first, handle);
      if (done) return 'handled';
    }
    // Someone else holds the lock: they drain our event, or leave it to us when they lose the lock.
    const deadline = Date.now() + this.waitMs;
    let pause = 5;
    for (;;) {
      if (await this.redis.exists(k.done(event.eventId))) return 'handled';
      if (Date.now() > deadline) throw new InboxTimeoutError(`events of ${who} were not handled within ${this.waitMs} ms`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 100);
      const lock = await this.lock.tryAcquire(k.lock);
      if (!lock) continue;
      const first = await this.redis.lindex(k.list, 0);
      if (first === null) {
        await lock.release();
        continue;
      }
      if (await this.drain(k, lock, first, handle)) return 'handled';
    }
  }

  /**
   * Handles events from `first` on while holding `lock`; true when the list was emptied and the
   * lock released with it, false when the lock was lost (the next holder handles what is left).
   * A failing `handle` releases the lock and leaves the event first in line.
   */
  private async drain<T extends { eventId: string }>(k: ReturnType<MemberInbox['keys']>, lock: HeldLock, first: string, handle: (e: T) => Promise<void>): Promise<boolean> {
    let raw = first;
    try {
      for (;;) {
        const event = JSON.parse(raw) as T;
        await handle(event);
        const next = await this.scripts.inboxNext({ lock: k.lock, list: k.list, done: k.done(event.eventId) }, lock.token, DONE_TTL_SECONDS);
        if (next.kind === 'released') {
          lock.releasedByScript();
          return true;
        }
        if (next.kind === 'lost') return false;
        // A lost lock may be someone else's now: they handle what is left.
        if (lock.lost) return false;
        raw = next.event;
      }
    } finally {
      await lock.release();
    }
  }
}
