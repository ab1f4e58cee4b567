/**
 * Runs one broadcast: streams its audience page by page (resuming after `cursor`), writes one
 * delivery record per (broadcast, member) under a deterministic id, enqueues the messages in bulk
 * on the per-channel delivery lanes (bulk priority, key `bc:<broadcastId>:<memberId>`, so a page
 * redone after a crash sends nothing twice), and settles the counts from the lanes' outcome
 * tally. Crash-safe: every step can be repeated, and the cursor lives on the broadcast document.
 * Waits in quiet hours; stops between pages when paused or cancelled; keeps at most a few
 * seconds of messages queued ahead so a pause or cancel takes effect quickly.
 *
 * Every MongoDB access here is a stream read once, an insert, or a write to the broadcast
 * document itself: nothing grows with the size of the broadcast (FerretDB scans a whole
 * collection for any filter but `_id`, and the broadcasts collection stays small).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Models } from '../db.js';
import { insertNew } from '../insert-new.js';
import { RedisKeys } from '../redis-keys.js';
import { LockTimeoutError, RedisLock, type HeldLock } from '../redis-lock.js';
import type { Translations } from '../i18n.js';
import type { Jobs } from '../jobs.js';
import { CHANNELS_BY_PREFERENCE, type ChannelName, type Clock, type Envelope, type Outbound } from '../engine/types.js';
import type { MaterialService } from '../materials/material-service.js';
import type { MaterialDoc } from '../materials/models.js';
import type { AudienceReader, AudienceStream } from './audience.js';
import { broadcastMessage } from './broadcast-message.js';
import { BROADCAST_QUEUE, RUN_JOB } from './broadcast-service.js';
import type { BroadcastCounts, BroadcastDoc, BroadcastModels, BroadcastRecordDoc } from './models.js';
import { quietUntil } from './quiet-hours.js';

/** Outcomes of a broadcast's deliveries so far. */
export type DeliveryOutcomes = Pick<BroadcastCounts, 'sent' | 'failed' | 'unreachable' | 'cancelled'>;

/** The delivery lanes as the runner needs them (workers/ implements this over QueueOutbox). */
export interface DeliveryLanes {
  send(envelopes: Envelope[]): Promise<void>;
  /** Jobs of a channel not yet finished. */
  pending(channel: ChannelName): Promise<number>;
  /** Outcomes counted so far for envelopes sent with `tally: group`, each exactly once. */
  outcomes(group: string): Promise<DeliveryOutcomes>;
  /** The envelope keys among `keys` whose outcome is already counted in the group. */
  counted(group: string, keys: string[]): Promise<Set<string>>;
  /** Removes the group's not-yet-started jobs and counts them cancelled; returns how many. */
  withdraw(group: string): Promise<number>;
}

export interface RunnerOptions {
  models: Models;
  bm: BroadcastModels;
  materials: MaterialService;
  audience: AudienceReader;
  lanes: DeliveryLanes;
  jobs: Jobs;
  redis: Redis;
  redisPrefix: string;
  clock: Clock;
  i18n: Translations;
  log: Logger;
  /** Messages per second of each channel (sizes the queued-ahead window). */
  rates: Record<ChannelName, number>;
  /** Members read per page (default 200). */
  pageSize?: number;
  /** Seconds of sending kept queued ahead (default 5). */
  windowSeconds?: number;
  /** At most this many messages queued ahead however fast the channel is (default 5,000): a pause, a cancel and memory stay bounded. */
  maxWindow?: number;
  /** Lifetime of the per-broadcast runner lock; a killed runner's lock frees after it (default 10 s). */
  lockTtlMs?: number;
  /** Pause between checks while waiting for the queues (default 250 ms). */
  pollMs?: number;
  /**
   * How long the lanes may stay empty while outcomes are still missing before those are counted
   * as failed (a job BullMQ gave up on without running it, e.g. stalled too often; default 15 s).
   */
  lostAfterMs?: number;
}

/** Delivery key of a member's message of a broadcast. */
export const deliveryKey = (broadcastId: string, memberId: string) => `bc:${broadcastId}:${memberId}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runner lock is held by another process; BullMQ retries the job later. */
export class RunnerBusyError extends Error {
  override name = 'RunnerBusyError';
}

/** What one run keeps between iterations. */
interface RunState {
  stream?: AudienceStream;
  /** Since when the lanes have been empty while outcomes are missing. */
  idleSince?: number;
  /** After a cancel: the outcome total last seen, and since when it has not moved. */
  lastTotal?: number;
  stillSince?: number;
  /** When the counts were last settled while fanning out. */
  settledAt?: number;
}

/** While fanning out, the counts are settled at most this often (not after every page). */
const SETTLE_EVERY_MS = 1000;

export class BroadcastRunner {
  private readonly pageSize: number;
  private readonly windowSeconds: number;
  private readonly maxWindow: number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  private readonly lostAfterMs: number;
  private readonly lock: RedisLock;
  private readonly redisKeys: RedisKeys;

  constructor(private readonly o: RunnerOptions) {
    this.pageSize = o.pageSize ?? 200;
    this.windowSeconds = o.windowSeconds ?? 5;
    this.maxWindow = o.maxWindow ?? 5000;
    this.lockTtlMs = o.lockTtlMs ?? 10_000;
    this.pollMs = o.pollMs ?? 250;
    this.lostAfterMs = o.lostAfterMs ?? 15_000;
    this.lock = new RedisLock(o.redis, { ttlMs: this.lockTtlMs });
    this.redisKeys = new RedisKeys(o.redisPrefix);
  }

  /**
   * Runs (or resumes) a broadcast until it is done, paused, cancelled, or waiting for quiet hours
   * to end. Returns 'stopped' when `stopping()` turned true (the process shuts down): the run
   * stopped between two steps and resumes from its cursor wherever it is run next.
   */
  async run(broadcastId: string, stopping: () => boolean = () => false): Promise<'stopped' | void> {
    const lock = await this.acquire(broadcastId);
    const state: RunState = {};
    try {
      return await this.loop(broadcastId, lock, state, stopping);
    } finally {
      await state.stream?.close();
      await lock.release().catch(() => false);
    }
  }

  private async loop(id: string, lock: { lost: boolean }, state: RunState, stopping: () => boolean): Promise<'stopped' | void> {
    const { bm } = this.o;
    let material: MaterialDoc | null | undefined;
    for (;;) {
      if (lock.lost) throw new RunnerBusyError(`lost the runner lock of broadcast ${id}`);
      if (stopping()) return 'stopped';
      let b = await bm.Broadcast.findById(id).lean<BroadcastDoc>();
      if (!b) return;
      b = await this.applyControl(b);
      const now = this.o.clock.now();
      switch (b.status) {
        case 'draft':
        case 'done':
        case 'paused':
          return;
        case 'cancelled': {
          if (b.finishedAt) return;
          await this.o.lanes.withdraw(b._id);
          if ((await this.settle(b, true)) || (await this.giveUpAfterCancel(b, state))) {
            await bm.Broadcast.updateOne({ _id: id }, { $set: { finishedAt: now, updatedAt: now } });
            return;
          }
          await sleep(this.pollMs);
          continue;
        }
        case 'scheduled':
          await bm.Broadcast.updateOne({ _id: id }, { $set: { status: 'sending', startedAt: b.startedAt ?? now, updatedAt: now } });
          continue;
        case 'sending':
          break;
      }
      if (b.fannedOut) {
        if ((await this.settle(b, false)) || (await this.giveUpOnLost(b, state))) {
          await bm.Broadcast.updateOne({ _id: id, status: 'sending' }, { $set: { status: 'done', finishedAt: now, updatedAt: now } });
          return;
        }
        await sleep(this.pollMs);
        continue;
      }
      const quietEnd = quietUntil(b.quietHours, now);
      if (quietEnd) {
        // Come back when the window opens; what is queued already drains within seconds.
        const generation = b.generation + 1;
        await bm.Broadcast.updateOne({ _id: id }, { $set: { waitingUntil: quietEnd, generation, updatedAt: now } });
        await this.o.jobs.schedule(BROADCAST_QUEUE, RUN_JOB, { broadcastId: id }, { id: `bc-run:${id}:${generation}`, at: quietEnd });
        this.o.log.info({ broadcast: id, until: quietEnd.toISOString() }, 'broadcast waits for the end of quiet hours');
        return;
      }
      if (await this.windowFull(b)) {
        await this.settle(b, false);
        await sleep(this.pollMs);
        continue;
      }
      if (material === undefined) material = b.content.materialId ? await this.o.materials.get(b.content.materialId) : null;
      // A material goes only to members who have not turned its topic off (counted as opted out).
      state.stream ??= await this.o.audience.open(b.audience, b.cursor, { materialTopic: material?.topic });
      await this.fanOutPage(b, material, state.stream);
      // Progress for whoever watches the counts; a page costs fewer round trips without it.
      if (Date.now() - (state.settledAt ?? 0) >= SETTLE_EVERY_MS) {
        await this.settle((await bm.Broadcast.findById(id).lean<BroadcastDoc>())!, false);
        state.settledAt = Date.now();
      }
    }
  }

  /** A pause or cancel asked for in Redis wins over a status a concurrent write may have lost. */
  private async applyControl(b: BroadcastDoc): Promise<BroadcastDoc> {
    const control = await this.o.redis.get(this.redisKeys.broadcastControl(b._id));
    const wanted = control === 'cancel' ? 'cancelled' : control === 'pause' ? 'paused' : undefined;
    if (!wanted || b.status === wanted || (wanted === 'paused' && b.status === 'cancelled')) return b;
    await this.o.bm.Broadcast.updateOne({ _id: b._id }, { $set: { status: wanted } });
    return { ...b, status: wanted };
  }

  private async windowFull(b: BroadcastDoc): Promise<boolean> {
    const channels: readonly ChannelName[] = b.audience.channel ? [b.audience.channel] : CHANNELS_BY_PREFERENCE;
    // Every channel at once: one round trip of waiting instead of one per lane.
    const full = await Promise.all(
      channels.map(async (c) => (await this.o.lanes.pending(c)) > Math.max(this.pageSize, Math.min(this.maxWindow, this.o.rates[c] * this.windowSeconds))),
    );
    return full.includes(true);
  }

  /** One page: records, envelopes, then the cursor and counts in one write. */
  private async fanOutPage(b: BroadcastDoc, material: MaterialDoc | null, stream: AudienceStream): Promise<void> {
    const { bm } = this.o;
    const now = this.o.clock.now();
    const page = await stream.next(this.pageSize);
    if (!page.lastId) {
      await bm.Broadcast.updateOne({ _id: b._id }, { $set: { fannedOut: true, updatedAt: now } });
      return;
    }
    const records: BroadcastRecordDoc[] = page.recipients.map((r) => ({ _id: `${b._id}:${r.memberId}`, broadcastId: b._id, memberId: r.memberId, channel: r.channel, chatId: r.chatId }));
    // Records that exist already were written by a run that crashed on this page: whoever of
    // them has an outcome is done; the rest are sent again under the same keys, which the
    // delivery queue keeps once while their jobs are still there.
    const existing = new Set((await insertNew(bm.BroadcastRecord, records)).map((r) => r.slice(b._id.length + 1)));
    const done = existing.size > 0 ? await this.o.lanes.counted(b._id, [...existing].map((m) => deliveryKey(b._id, m))) : new Set<string>();
    const messages = new Map<string, Outbound>();
    const envelopes: Envelope[] = [];
    for (const r of page.recipients) {
      const key = deliveryKey(b._id, r.memberId);
      if (done.has(key)) continue;
      let message = messages.get(r.locale);
      if (!message) messages.set(r.locale, (message = broadcastMessage(b.content, material, r.locale, this.o.i18n)));
      envelopes.push({ channel: r.channel, chatId: r.chatId, key, messages: [message], priority: 'bulk', memberId: r.memberId, tally: b._id });
    }
    await this.o.lanes.send(envelopes);
    await bm.Broadcast.updateOne(
      { _id: b._id },
      {
        $set: { cursor: page.lastId, updatedAt: now },
        $inc: { 'counts.targeted': page.recipients.length, 'counts.optedOut': page.optedOut, 'counts.withdrawn': page.withdrawn, 'counts.unreachable': page.unreachable },
      },
    );
  }

  /**
   * Copies the outcomes counted so far into the broadcast's counts. Returns true when every
   * targeted member's delivery has an outcome and nothing more will come. Members skipped as
   * unreachable while reading the audience are in `unreachable` already, so the delivery
   * outcomes are added to them.
   */
  private async settle(b: BroadcastDoc, cancelled: boolean): Promise<boolean> {
    const o = await this.o.lanes.outcomes(b._id);
    const c = b.counts;
    const delivered = b.deliveredUnreachable ?? 0;
    if (o.sent !== c.sent || o.failed !== c.failed || o.cancelled !== c.cancelled || o.unreachable !== delivered) {
      await this.o.bm.Broadcast.updateOne(
        { _id: b._id },
        {
          $set: { 'counts.sent': o.sent, 'counts.failed': o.failed, 'counts.cancelled': o.cancelled, deliveredUnreachable: o.unreachable, updatedAt: this.o.clock.now() },
          $inc: { 'counts.unreachable': o.unreachable - delivered },
        },
      );
    }
    return (b.fannedOut || cancelled) && o.sent + o.failed + o.unreachable + o.cancelled >= c.targeted;
  }

  /**
   * Once the lanes have stayed empty for `lostAfterMs` with outcomes still missing, BullMQ has
   * given up on those jobs without running them: they are counted as failed so the broadcast
   * can finish (and logged, as this should not happen).
   */
  private async giveUpOnLost(b: BroadcastDoc, state: RunState): Promise<boolean> {
    const channels: readonly ChannelName[] = b.audience.channel ? [b.audience.channel] : CHANNELS_BY_PREFERENCE;
    for (const c of channels) {
      if ((await this.o.lanes.pending(c)) > 0) {
        state.idleSince = undefined;
        return false;
      }
    }
    state.idleSince ??= Date.now();
    if (Date.now() - state.idleSince < this.lostAfterMs) return false;
    const o = await this.o.lanes.outcomes(b._id);
    const missing = b.counts.targeted - (o.sent + o.failed + o.unreachable + o.cancelled);
    this.o.log.warn({ broadcast: b._id, missing }, 'broadcast deliveries lost by the queue; counted as failed');
    await this.o.bm.Broadcast.updateOne({ _id: b._id }, { $inc: { 'counts.failed': missing }, $set: { updatedAt: this.o.clock.now() } });
    return true;
  }

  /**
   * After a cancel, every waiting message of the broadcast is withdrawn on each pass, so only
   * ones already started can still report. Outcomes still missing once the total has not moved
   * for `lostAfterMs` never will come (a job the queue lost, a crash between withdrawing a job
   * and counting it): they are counted as cancelled so the broadcast finishes.
   */
  private async giveUpAfterCancel(b: BroadcastDoc, state: RunState): Promise<boolean> {
    const o = await this.o.lanes.outcomes(b._id);
    const total = o.sent + o.failed + o.unreachable + o.cancelled;
    if (state.lastTotal !== total) {
      state.lastTotal = total;
      state.stillSince = Date.now();
      return false;
    }
    if (Date.now() - state.stillSince! < this.lostAfterMs) return false;
    const missing = b.counts.targeted - total;
    this.o.log.warn({ broadcast: b._id, missing }, 'cancelled broadcast: outcomes lost; counted as cancelled');
    await this.o.bm.Broadcast.updateOne({ _id: b._id }, { $inc: { 'counts.cancelled': missing }, $set: { updatedAt: this.o.clock.now() } });
    return true;
  }

  /** Takes the per-broadcast lock (renewed while the run lasts), waiting up to one lock lifetime for a crashed holder's to expire. */
  private async acquire(id: string): Promise<HeldLock> {
    const key = this.redisKeys.broadcastRunnerLock(id);
    try {
      return await this.lock.acquire(key, { waitMs: this.lockTtlMs * 1.5, pauseMs: Math.min(500, this.lockTtlMs / 4) });
    } catch (err) {
      if (err instanceof LockTimeoutError) throw new RunnerBusyError(`broadcast ${id} is being run by another process`);
      throw err;
    }
  }
}
