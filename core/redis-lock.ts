/**
 * The one Redis lock of the app (a person's inbox, a concern, a broadcast's runner). Taken with
 * a random token and a TTL (`SET NX PX`), so a holder that dies frees it after the TTL; renewed
 * while held (every TTL/3 by default, compare-and-pexpire), so work that outlasts the TTL keeps
 * it; released by compare-and-delete, so a holder that lost it cannot free the next holder's.
 * A renewal that finds the lock gone or taken — or that cannot reach Redis for a whole TTL —
 * marks the lock lost (`lost`, `signal`); the holder stops before its next step.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScripts, type RedisScripts } from './redis-scripts.js';

export interface LockOptions {
  /** How long the lock outlives its holder's last renewal (a crashed holder's lock frees after it). */
  ttlMs: number;
  /** How often the holder renews (default TTL/3). */
  renewEveryMs?: number;
}

export interface WaitOptions {
  /** How long to wait for the lock before LockTimeoutError. */
  waitMs: number;
  /** Pause between attempts, in ms (a function for jitter; default 50). */
  pauseMs?: number | (() => number);
}

/** The lock stayed taken by someone else for the whole wait. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** Why a held lock's signal was aborted. */
export class LockLostError extends Error {
  override name = 'LockLostError';
}

/** A lock this process holds, renewed until released. */
export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** True once a renewal found the lock no longer ours: someone else may hold it now. */
  readonly lost: boolean;
  /** Aborted (with a LockLostError) when the lock is lost. */
  readonly signal: AbortSignal;
  /** Stops renewing and deletes the lock if it is still ours; true when it was. */
  release(): Promise<boolean>;
  /** Stops renewing a lock a script has already released (see MemberInbox). */
  releasedByScript(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RedisLock {
  private readonly scripts: RedisScripts;
  private readonly renewEveryMs: number;

  constructor(private readonly redis: Redis, private readonly o: LockOptions) {
    this.scripts = redisScripts(redis);
    this.renewEveryMs = o.renewEveryMs ?? Math.max(1, Math.floor(o.ttlMs / 3));
  }

  /** The TTL a script taking this lock must give it. */
  get ttlMs(): number {
    return this.o.ttlMs;
  }

  /** A fresh holder token (for a script that takes the lock in the same step as other work). */
  newToken(): string {
    return randomBytes(12).toString('hex');
  }

  /** Takes the lock if it is free; undefined when someone holds it. */
  async tryAcquire(key: string): Promise<HeldLock | undefined> {
    const token = this.newToken();
    if ((await this.redis.set(key, token, 'PX', this.o.ttlMs, 'NX')) !== 'OK') return undefined;
    return this.adopt(key, token);
  }

  /** Holds (renews, releases) a lock a script has just taken with `token` and this TTL. */
  adopt(key: string, token: string): HeldLock {
    return new Holding(this.scripts, key, token, this.o.ttlMs, this.renewEveryMs);
  }

  /** Takes the lock, waiting for it up to `wait.waitMs`; throws LockTimeoutError after that. */
  async acquire(key: string, wait: WaitOptions): Promise<HeldLock> {
    const until = Date.now() + wait.waitMs;
    for (;;) {
      const held = await this.tryAcquire(key);
      if (held) return held;
      if (Date.now() > until) throw new LockTimeoutError(`${key} stayed locked for ${wait.waitMs} ms`);
      const p = wait.pauseMs ?? 50;
      await sleep(typeof p === 'function' ? p() : p);
    }
  }

  /** Runs `fn` holding the lock (waiting for it as `acquire` does), then releases it. */
  async with<T>(key: string, wait: WaitOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const lock = await this.acquire(key, wait);
    try {
      return await fn(lock);
    } finally {
      await lock.release();
    }
  }
}

class Holding implements HeldLock {
  private readonly lostBy = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  /** When the last renewal that reached Redis was sent (the lock lives at least a TTL from then). */
  private confirmedAt = Date.now();

  constructor(
    private readonly scripts: RedisScripts,
    readonly key: string,
    readonly token: string,
    private readonly ttlMs: number,
    private readonly everyMs: number,
  ) {
    this.schedule();
  }

  get lost(): boolean {
    return this.lostBy.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.lostBy.signal;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.renew(), this.everyMs);
    // A renewal never keeps the process alive by itself.
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    const sentAt = Date.now();
    try {
      const ok = await this.scripts.lockRenew(this.key, this.token, this.ttlMs);
      if (this.released) return;
      if (ok !== 1) return this.lose('the lock expired or was taken by another holder');
      this.confirmedAt = sentAt;
    } catch {
      if (this.released) return;
      // Redis unreachable: the lock outlives the last renewal that reached it by one TTL.
      if (Date.now() - this.confirmedAt >= this.ttlMs) return this.lose('Redis could not be reached to renew the lock');
    }
    this.schedule();
  }

  private lose(why: string): void {
    this.lostBy.abort(new LockLostError(`lost the lock ${this.key}: ${why}`));
  }

  releasedByScript(): void {
    this.released = true;
    clearTimeout(this.timer);
  }

  async release(): Promise<boolean> {
    if (this.released) return false;
    this.released = true;
    clearTimeout(this.timer);
    return (await this.scripts.lockRelease(this.key, this.token)) === 1;
  }
}
