/**
 * Long polling works on one replica only: Telegram answers a second `getUpdates` with 409, and
 * two pollers would fight over the same updates. A replica polls a platform while it holds the
 * platform's leader lock (core/redis-lock.ts, renewed while held); the others wait and try again
 * every `retryMs`, so one takes over when the leader stops, or within the lock's TTL when it dies.
 * A leader that loses the lock (Redis unreachable for a whole TTL) stops polling and waits again.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { RedisLock, type HeldLock } from '../core/redis-lock.js';
import type { PollingHandle } from './channel-adapter.js';

export interface PollingLeaderOptions {
  /** How long a dead leader keeps the lock (default 15 s). */
  ttlMs?: number;
  /** How often a waiting replica tries to take over (default 5 s). */
  retryMs?: number;
}

export class PollingLeader {
  private readonly lock: RedisLock;
  private readonly retryMs: number;
  private held: HeldLock | undefined;
  private polling: PollingHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt: Promise<void> = Promise.resolve();

  constructor(
    redis: Redis,
    private readonly key: string,
    private readonly startPolling: () => Promise<PollingHandle>,
    private readonly log: Logger,
    o: PollingLeaderOptions = {},
  ) {
    this.lock = new RedisLock(redis, { ttlMs: o.ttlMs ?? 15_000 });
    this.retryMs = o.retryMs ?? 5000;
  }

  /** True while this replica polls. */
  get leading(): boolean {
    return this.polling !== undefined;
  }

  /** Tries to lead now, and keeps trying until stopped. */
  start(): Promise<void> {
    this.attempt = this.tryLead();
    return this.attempt;
  }

  private async tryLead(): Promise<void> {
    if (this.stopped) return;
    try {
      const held = await this.lock.tryAcquire(this.key);
      if (held && !this.stopped) {
        this.held = held;
        this.polling = await this.startPolling();
        this.log.info({ lock: this.key }, 'polling: this replica polls');
        held.signal.addEventListener('abort', () => void this.stepDown(), { once: true });
        return;
      }
      if (held) await held.release();
      this.log.info({ lock: this.key }, 'polling: another replica polls; waiting to take over');
    } catch (err) {
      this.log.warn({ lock: this.key, error: (err as Error).name }, 'polling: could not take the leader lock; trying again');
    }
    this.later();
  }

  private later(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void (this.attempt = this.tryLead()), this.retryMs);
    this.timer.unref();
  }

  /** The lock was lost: stop polling (someone else may poll now) and wait for it again. */
  private async stepDown(): Promise<void> {
    const polling = this.polling;
    this.polling = undefined;
    this.held = undefined;
    await polling?.stop().catch(() => undefined);
    this.log.warn({ lock: this.key }, 'polling: lost the leader lock; stopped polling');
    this.later();
  }

  /** Stops polling (if leading) and frees the lock for another replica. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    const polling = this.polling;
    this.polling = undefined;
    await polling?.stop().catch(() => undefined);
    await this.held?.release().catch(() => false);
    this.held = undefined;
  }
}
