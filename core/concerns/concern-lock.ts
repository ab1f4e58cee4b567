/**
 * One writer per concern at a time (cadre, worker and SLA timers touch the same document, and
 * FerretDB updates are read-modify-write): the app's renewing Redis lock (core/redis-lock.ts),
 * held while the work runs and released only by its holder.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { LockTimeoutError, RedisLock } from '../redis-lock.js';

export class ConcernLock {
  private readonly lock: RedisLock;

  constructor(redis: Redis, private readonly redisKeys: RedisKeys, ttlMs = 15_000) {
    this.lock = new RedisLock(redis, { ttlMs });
  }

  /** Runs `fn` holding the lock of concern `code`; waits up to `waitMs` for it. */
  async with<T>(code: string, fn: () => Promise<T>, waitMs = 20_000): Promise<T> {
    const key = this.redisKeys.concernLock(code);
    const held = await this.lock.acquire(key, { waitMs, pauseMs: () => 5 + Math.random() * 10 }).catch((err: Error) => {
      throw err instanceof LockTimeoutError ? new Error(`concern ${code} stayed locked for ${waitMs} ms: a worker may have died holding it; retry`) : err;
    });
    try {
      return await fn();
    } finally {
      await held.release();
    }
  }
}
