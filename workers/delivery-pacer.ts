/**
 * Paces the platform calls of a channel, shared by all its lanes and processes (one hash in
 * Redis, Redis's clock; scripts dhPacerTake / dhPacerDone / dhPacerHold).
 *
 * A platform counts the calls it receives, in windows of its own (Telegram and Zalo, and their
 * fakes here: at most N in any one second). A call is granted a turn only for now, and only once
 * the call `rate` calls before it has reported its end at least a window ago. A call reaches the
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
import type { PaceCall } from '../core/delivery.js';
import { redisScripts, type PacerLimits, type RedisScripts } from '../core/redis-scripts.js';

/** How long a call that never reported its end (its process died) holds its place in the window. */
const IN_FLIGHT_MS = 10_000;

/** A turn granted ahead to a lane and not used this soon is given back (reported ended, unused). */
const UNUSED_AHEAD_MS = 20;

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

  /** The turns of one lane: a sender making one call at a time. */
  lane(): PacerLane {
    return new PacerLane(this);
  }

  /** Holds every call of the channel for `ms` (the platform answered "too many requests"). */
  async hold(ms: number): Promise<void> {
    await this.scripts.pacerHold(this.key, ms, undefined);
  }

  /** One ask: reports `ended` first if given, then grants a turn now or says how long to wait. */
  take(ended?: number): ReturnType<RedisScripts['pacerTake']> {
    return this.scripts.pacerTake(this.key, this.limits, undefined, ended);
  }

  /** Reports a call ended (or a turn given back unused). A lost report keeps it in the window longer (IN_FLIGHT_MS). */
  end(send: number): Promise<void> {
    return this.scripts.pacerDone(this.key, send, undefined).then(() => undefined, () => undefined);
  }

  /** Waits for a turn; returns its number. */
  async grant(): Promise<number> {
    for (;;) {
      const g = await this.take();
      if (g.granted) return g.send;
      await new Promise((r) => setTimeout(r, g.waitMs));
    }
  }
}

/**
 * The turns of one lane. When a call ends, the lane reports it and asks for its next turn in the
 * same round trip, without waiting for the answer: a lane that goes on sending (the next job, the
 * next part of a message) usually finds its turn granted already. Granting early is as safe as
 * granting late, since the call still reaches the platform after its grant.
 */
export class PacerLane {
  /** A turn asked for ahead: its number when granted, undefined when refused. */
  private ahead: Promise<number | undefined> | undefined;
  private giveBack: NodeJS.Timeout | undefined;

  constructor(private readonly pacer: DeliveryPacer) {}

  /** Makes one platform call on the lane's next turn, and reports its end whatever its outcome. */
  readonly pace: PaceCall = async (call) => {
    const send = await this.turn();
    try {
      return await call();
    } finally {
      this.askAhead(send);
    }
  };

  /** Gives back a turn granted ahead (the lane stops). */
  async close(): Promise<void> {
    const ahead = this.takeAhead();
    const send = ahead && (await ahead);
    if (send !== undefined) await this.pacer.end(send);
  }

  private async turn(): Promise<number> {
    const ahead = this.takeAhead();
    const send = ahead && (await ahead);
    return send ?? this.pacer.grant();
  }

  private takeAhead(): Promise<number | undefined> | undefined {
    const ahead = this.ahead;
    this.ahead = undefined;
    clearTimeout(this.giveBack);
    this.giveBack = undefined;
    return ahead;
  }

  private askAhead(ended: number): void {
    const ahead = this.pacer.take(ended).then(
      (g) => (g.granted ? g.send : undefined),
      () => undefined,
    );
    this.ahead = ahead;
    this.giveBack = setTimeout(() => {
      if (this.ahead !== ahead) return;
      this.ahead = undefined;
      void ahead.then((send) => (send !== undefined ? this.pacer.end(send) : undefined));
    }, UNUSED_AHEAD_MS);
    this.giveBack.unref();
  }
}
