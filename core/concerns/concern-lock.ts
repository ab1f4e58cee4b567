/**
 * One writer per concern at a time (cadre, worker and SLA timers touch the same document, and
 * FerretDB updates are read-modify-write): a Redis lock with a token, released only by its holder.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class ConcernLock {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlMs = 15_000) {}

  /** Runs `fn` holding the lock of concern `code`; waits up to `waitMs` for it. */
  async with<T>(code: string, fn: () => Promise<T>, waitMs = 20_000): Promise<T> {
    const key = `${this.prefix}:concern-lock:${code}`;
    const token = randomBytes(8).toString('hex');
    const until = Date.now() + waitMs;
    while ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > until) throw new Error(`concern ${code} stayed locked for ${waitMs} ms: a worker may have died holding it; retry`);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token);
    }
  }
}
