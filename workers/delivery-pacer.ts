/**
 * Paces the platform calls of a channel, shared by all its lanes and processes (one hash in
 * Redis, Redis's clock; scripts dhPacerTake / dhPacerDone / dhPacerHold).
 *
 * A platform counts the calls it receives, in windows of its own (Telegram and Zalo, and their
 * fakes here: at most N in any one second). A call is granted only for now, and only once the
 * call `rate` calls before it has reported its end at least a window ago. A call reaches the
 * platform after its grant and before it reports its end, so however late a call travels (a cold
 * connection, a busy event loop, a descheduled process), no window the platform counts can hold
 * more than `rate` calls. Calls are also spaced 1/rate apart, so the window is filled evenly.
 *
 * The earlier pacer handed out slots 1/rate apart with 3 % headroom and let each lane sleep until
 * its slot: the headroom is 1,000 ms × (1/0.97 − 1) ≈ 31 ms per window, so one call arriving
 * ≥ 31 ms later than its slot (the first call of a phase on a new connection took 24 ms more
 * than the rest) put 31 calls in one second.
 */
import type { Redis } from 'ioredis';
import { redisScripts, type PacerLimits, type RedisScripts } from '../core/redis-scripts.js';

/** How long a call that never reported its end (its process died) holds its place in the window. */
const IN_FLIGHT_MS = 10_000;

/** The pacing of `ratePerSecond` calls a second: at most that many in any window of one second (of 1/rate s below one a second). */
export function pacerLimits(ratePerSecond: number): PacerLimits {
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  return { spacingMs: 1000 / ratePerSecond, perWindow, windowMs: (1000 * perWindow) / ratePerSecond, inFlightMs: IN_FLIGHT_MS };
}

export class DeliveryPacer {
  private readonly scripts: RedisScripts;
  readonly limits: PacerLimits;

  constructor(redis: Redis, private readonly key: string, ratePerSecond: number) {
    this.scripts = redisScripts(redis);
    this.limits = pacerLimits(ratePerSecond);
  }

  /** Makes one platform call when the channel may, and reports its end whatever its outcome. */
  async pace<T>(call: () => Promise<T>): Promise<T> {
    const send = await this.grant();
    try {
      return await call();
    } finally {
      // Not awaited: a lost report only keeps the call in the window longer (IN_FLIGHT_MS).
      this.scripts.pacerDone(this.key, send, undefined).catch(() => undefined);
    }
  }

  /** Holds every call of the channel for `ms` (the platform answered "too many requests"). */
  async hold(ms: number): Promise<void> {
    await this.scripts.pacerHold(this.key, ms, undefined);
  }

  private async grant(): Promise<number> {
    for (;;) {
      const g = await this.scripts.pacerTake(this.key, this.limits, undefined);
      if (g.granted) return g.send;
      await new Promise((r) => setTimeout(r, g.waitMs));
    }
  }
}
