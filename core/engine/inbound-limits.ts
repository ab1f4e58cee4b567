/**
 * Per-person limits on inbound events, checked before anything touches MongoDB: a token bucket
 * per platform identity (a burst, then a steady refill), and a "please slow down" answer given at
 * most once per window however many events are dropped. Keys are keyed HMACs of the identity
 * (PrivacyKeys.marker), so Redis key names carry no platform id.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { redisScripts, type RedisScripts } from '../redis-scripts.js';
import type { InboxBucket } from './member-inbox.js';

export interface InboundLimitOptions {
  /** Where the buckets and notice gates live. */
  redisKeys: RedisKeys;
  /** Events a person may send at once (the bucket's size). */
  burst: number;
  /** Events per second the bucket refills with (may be fractional). */
  refillPerSecond: number;
  /** The "slow down" answer is given at most once per this many seconds per person. */
  noticeSeconds: number;
  /** Time in ms instead of Redis's clock (tests of the bucket itself). */
  now?: () => number;
}

/**
 * A token bucket per identity (a Redis hash on Redis's clock, see dhInboundTake in
 * core/redis-scripts.ts), and the once-per-window gate of the polite refusal.
 */
export class InboundLimits {
  private readonly scripts: RedisScripts;

  constructor(private readonly redis: Redis, readonly o: InboundLimitOptions) {
    this.scripts = redisScripts(redis);
  }

  /**
   * Takes one token from the bucket of `who` (a keyed marker of the identity); false when the
   * bucket is empty and the event is to be dropped.
   */
  async take(who: string): Promise<boolean> {
    return (await this.scripts.inboundTake(this.o.redisKeys.inboundBucket(who), this.o.burst, this.o.refillPerSecond / 1000, this.o.now?.())) === 1;
  }

  /** The bucket of `who` as the inbox takes from it when an event arrives (one round trip with the append). */
  bucket(who: string): InboxBucket {
    return { key: this.o.redisKeys.inboundBucket(who), args: { burst: this.o.burst, perMs: this.o.refillPerSecond / 1000, now: this.o.now?.() } };
  }

  /**
   * True for the first refusal of `who` in a window (the person is told once), false for the
   * rest (dropped without a word, so a flood does not become a flood of answers).
   */
  async firstRefusalInWindow(who: string): Promise<boolean> {
    const set = await this.redis.set(this.o.redisKeys.limitNotice(who), '1', 'PX', this.o.noticeSeconds * 1000, 'NX');
    return set === 'OK';
  }
}
