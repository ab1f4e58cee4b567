/**
 * The daily cap on concerns per platform identity. Someone who raises concerns, deletes their
 * data and registers again is a new member, but the same Zalo or Telegram account: the count
 * is kept per account and day, under a keyed marker of both (`PrivacyKeys.marker('concern-daily',
 * identity, day)`), so it survives erasure without naming anyone, and expires two days later.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** How long a day's count is kept: past the end of its day wherever the clock stands. */
const KEEP_SECONDS = 2 * 24 * 3600;

/** The local day ("YYYY-MM-DD") of `at` at `utcOffsetMinutes` from UTC (Vietnam: +420). */
export function capDay(at: Date, utcOffsetMinutes: number): string {
  return new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Counters of concerns raised per identity and day, in Redis. */
export class DailyConcernCap {
  constructor(private readonly redis: Redis, private readonly redisKeys: RedisKeys) {}

  private key(marker: string): string {
    return this.redisKeys.concernDailyCap(marker);
  }

  /** Concerns counted under `marker` (an identity's day). */
  async count(marker: string): Promise<number> {
    return Number((await this.redis.get(this.key(marker))) ?? 0);
  }

  /** Counts one more concern under `marker`. */
  async add(marker: string): Promise<void> {
    await this.redis.multi().incr(this.key(marker)).expire(this.key(marker), KEEP_SECONDS).exec();
  }
}
