/**
 * Runs one broadcast: streams its audience page by page (resuming after `cursor`), writes one
 * delivery record per (broadcast, member) under a deterministic id, enqueues the messages in bulk
 * on the per-channel delivery lanes (bulk priority, key `bc:<broadcastId>:<memberId>`, so a page
 * redone after a crash sends nothing twice), then settles the counts from the delivery records.
 * Crash-safe: every step can be repeated, and the cursors live on the broadcast document. Waits
 * in quiet hours; stops within a page when paused or cancelled; keeps at most a few seconds of
 * messages queued ahead so a pause or cancel takes effect quickly.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DeliveryDoc, Models } from '../db.js';
import type { Translations } from '../i18n.js';
import type { Jobs } from '../jobs.js';
import type { ChannelName, Clock, Envelope, Outbound } from '../engine/types.js';
import type { MaterialService } from '../materials/material-service.js';
import type { MaterialDoc } from '../materials/models.js';
import type { AudienceReader } from './audience.js';
import { broadcastMessage } from './broadcast-message.js';
import { BROADCAST_QUEUE, controlKey, RUN_JOB } from './broadcast-service.js';
import type { BroadcastCounts, BroadcastDoc, BroadcastModels, BroadcastRecordDoc } from './models.js';
import { quietUntil } from './quiet-hours.js';

/** The delivery lanes as the runner needs them (workers/ implements this over QueueOutbox). */
export interface DeliveryLanes {
  send(envelopes: Envelope[]): Promise<void>;
  /** Jobs of a channel not yet finished. */
  pending(channel: ChannelName): Promise<number>;
  /** Removes not-yet-started jobs whose envelope key starts with `keyPrefix`; returns their job ids. */
  removeWaiting(keyPrefix: string): Promise<string[]>;
  /** The delivery record id of an envelope key. */
  jobIdOf(key: string): string;
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
  /** Lifetime of the per-broadcast runner lock; a killed runner's lock frees after it (default 10 s). */
  lockTtlMs?: number;
  /** Pause between checks while waiting for the queues (default 250 ms). */
  pollMs?: number;
}

/** Delivery key of a member's message of a broadcast. */
export const deliveryKey = (broadcastId: string, memberId: string) => `bc:${broadcastId}:${memberId}`;

type WriteError = { code?: number; err?: { code?: number } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runner lock is held by another process; BullMQ retries the job later. */
export class RunnerBusyError extends Error {
  override name = 'RunnerBusyError';
}

export class BroadcastRunner {
  private readonly pageSize: number;
  private readonly windowSeconds: number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;

  constructor(private readonly o: RunnerOptions) {
    this.pageSize = o.pageSize ?? 200;
    this.windowSeconds = o.windowSeconds ?? 5;
    this.lockTtlMs = o.lockTtlMs ?? 10_000;
    this.pollMs = o.pollMs ?? 250;
  }

  /** Runs (or resumes) a broadcast until it is done, paused, cancelled, or waiting for quiet hours to end. */
  async run(broadcastId: string): Promise<void> {
    const lock = await this.acquire(broadcastId);
    try {
      await this.loop(broadcastId, lock);
    } finally {
      await lock.release();
    }
  }

  private async loop(id: string, lock: { lost: boolean }): Promise<void> {
    const { bm } = this.o;
    let material: MaterialDoc | null | undefined;
    let filter: Record<string, unknown> | undefined;
    for (;;) {
      if (lock.lost) throw new RunnerBusyError(`lost the runner lock of broadcast ${id}`);
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
          await this.withdraw(b);
          if (await this.settle(b, true)) {
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
        if (await this.settle(b, false)) {
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
      filter ??= await this.o.audience.memberFilter(b.audience);
      await this.fanOutPage(b, material, filter);
      await this.settle((await bm.Broadcast.findById(id).lean<BroadcastDoc>())!, false);
    }
  }

  /** A pause or cancel asked for in Redis wins over a status a concurrent write may have lost. */
  private async applyControl(b: BroadcastDoc): Promise<BroadcastDoc> {
    const control = await this.o.redis.get(controlKey(this.o.redisPrefix, b._id));
    const wanted = control === 'cancel' ? 'cancelled' : control === 'pause' ? 'paused' : undefined;
    if (!wanted || b.status === wanted || (wanted === 'paused' && b.status === 'cancelled')) return b;
    await this.o.bm.Broadcast.updateOne({ _id: b._id }, { $set: { status: wanted } });
    return { ...b, status: wanted };
  }

  private async windowFull(b: BroadcastDoc): Promise<boolean> {
    const channels: ChannelName[] = b.audience.channel ? [b.audience.channel] : ['zalo', 'telegram', 'console'];
    for (const c of channels) {
      const window = Math.max(this.pageSize, this.o.rates[c] * this.windowSeconds);
      if ((await this.o.lanes.pending(c)) > window) return true;
    }
    return false;
  }

  /** One page: records, envelopes, cursor and counts (the cursor and counts in one write). */
  private async fanOutPage(b: BroadcastDoc, material: MaterialDoc | null, filter: Record<string, unknown>): Promise<void> {
    const { bm } = this.o;
    const now = this.o.clock.now();
    const page = await this.o.audience.page(b.audience, b.cursor, this.pageSize, filter);
    if (!page.lastId) {
      await bm.Broadcast.updateOne({ _id: b._id }, { $set: { fannedOut: true, updatedAt: now } });
      return;
    }
    const records: BroadcastRecordDoc[] = page.recipients.map((r) => ({ _id: `${b._id}:${r.memberId}`, broadcastId: b._id, memberId: r.memberId, channel: r.channel, chatId: r.chatId }));
    if (records.length > 0) {
      await bm.BroadcastRecord.insertMany(records, { ordered: false }).catch((err: WriteError & { writeErrors?: WriteError[] }) => {
        // Records already written by a run that crashed on this page: expected, keep going.
        const errors: WriteError[] = err.writeErrors ?? [err];
        if (!errors.every((e) => (e.code ?? e.err?.code) === 11000)) throw err;
      });
      const done = new Set(
        (await bm.BroadcastRecord.find({ _id: { $in: records.map((r) => r._id) }, enqueuedAt: { $exists: true } }, { _id: 1 }).lean()).map((r) => r._id),
      );
      const messages = new Map<string, Outbound>();
      const envelopes: Envelope[] = [];
      for (const r of page.recipients) {
        if (done.has(`${b._id}:${r.memberId}`)) continue;
        let message = messages.get(r.locale);
        if (!message) messages.set(r.locale, (message = broadcastMessage(b.content, material, r.locale, this.o.i18n)));
        envelopes.push({ channel: r.channel, chatId: r.chatId, key: deliveryKey(b._id, r.memberId), messages: [message], priority: 'bulk', memberId: r.memberId });
      }
      // Same keys as a crashed attempt → the delivery queue keeps one job per key.
      await this.o.lanes.send(envelopes);
      if (envelopes.length > 0) {
        await bm.BroadcastRecord.updateMany({ _id: { $in: envelopes.map((e) => `${b._id}:${e.memberId}`) } }, { $set: { enqueuedAt: now } });
      }
    }
    const c = b.counts;
    const counts: BroadcastCounts = {
      ...c,
      targeted: c.targeted + page.recipients.length,
      optedOut: c.optedOut + page.optedOut,
      withdrawn: c.withdrawn + page.withdrawn,
      unreachable: c.unreachable + page.unreachable,
    };
    await bm.Broadcast.updateOne({ _id: b._id }, { $set: { cursor: page.lastId, counts, updatedAt: now } });
  }

  /**
   * Adds the outcomes of delivery records whose messages are all finished to the counts, page by
   * page in record order. Returns true when every record is settled and nothing more will come.
   * After a cancel, a record without a queued delivery counts as cancelled.
   */
  private async settle(b: BroadcastDoc, cancelled: boolean): Promise<boolean> {
    const { bm, models } = this.o;
    let cursor = b.settledCursor;
    let counts = { ...b.counts };
    let settledAny = false;
    let complete = false;
    for (;;) {
      const filter: Record<string, unknown> = { broadcastId: b._id };
      if (cursor) filter._id = { $gt: cursor };
      const recs = await bm.BroadcastRecord.find(filter, { _id: 1, memberId: 1 }).sort({ _id: 1 }).limit(500).lean<BroadcastRecordDoc[]>();
      if (recs.length === 0) {
        complete = b.fannedOut || cancelled;
        break;
      }
      const ids = recs.map((r) => this.o.lanes.jobIdOf(deliveryKey(b._id, r.memberId)));
      const deliveries = new Map((await models.Delivery.find({ _id: { $in: ids } }, { _id: 1, status: 1, reason: 1 }).lean<DeliveryDoc[]>()).map((d) => [d._id, d]));
      const add = { sent: 0, failed: 0, unreachable: 0, cancelled: 0 };
      let final = true;
      for (const id of ids) {
        const d = deliveries.get(id);
        if (!d) {
          if (!cancelled) final = false;
          else add.cancelled++;
        } else if (d.status === 'queued') final = false;
        else if (d.status === 'sent') add.sent++;
        else if (d.reason === 'unreachable') add.unreachable++;
        else if (d.reason === 'cancelled') add.cancelled++;
        else add.failed++;
        if (!final) break;
      }
      if (!final) break;
      counts = { ...counts, sent: counts.sent + add.sent, failed: counts.failed + add.failed, unreachable: counts.unreachable + add.unreachable, cancelled: counts.cancelled + add.cancelled };
      cursor = recs[recs.length - 1]!._id;
      settledAny = true;
      if (recs.length < 500) {
        complete = b.fannedOut || cancelled;
        break;
      }
    }
    if (settledAny) {
      // Re-read the fan-out's fields so this write carries them unchanged (one writer: this runner).
      const fresh = (await bm.Broadcast.findById(b._id, { counts: 1 }).lean<BroadcastDoc>())!;
      const merged: BroadcastCounts = { ...fresh.counts, sent: counts.sent, failed: counts.failed, unreachable: counts.unreachable, cancelled: counts.cancelled };
      await bm.Broadcast.updateOne({ _id: b._id }, { $set: { settledCursor: cursor, counts: merged, updatedAt: this.o.clock.now() } });
    }
    return complete;
  }

  /** After a cancel: takes the broadcast's messages that have not started off the queues. */
  private async withdraw(b: BroadcastDoc): Promise<void> {
    const removed = await this.o.lanes.removeWaiting(`bc:${b._id}:`);
    if (removed.length > 0) {
      await this.o.models.Delivery.updateMany({ _id: { $in: removed }, status: 'queued' }, { $set: { status: 'failed', reason: 'cancelled' } });
    }
  }

  /** Takes the per-broadcast lock, waiting up to one lock lifetime for a crashed holder's to expire. */
  private async acquire(id: string): Promise<{ lost: boolean; release(): Promise<void> }> {
    const key = `${this.o.redisPrefix}:bc:lock:${id}`;
    const token = randomBytes(8).toString('hex');
    const until = Date.now() + this.lockTtlMs * 1.5;
    while ((await this.o.redis.set(key, token, 'PX', this.lockTtlMs, 'NX')) !== 'OK') {
      if (Date.now() > until) throw new RunnerBusyError(`broadcast ${id} is being run by another process`);
      await sleep(Math.min(500, this.lockTtlMs / 4));
    }
    const state = { lost: false, release: async () => undefined as void };
    const renew = setInterval(() => {
      this.o.redis
        .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end", 1, key, token, String(this.lockTtlMs))
        .then((ok) => {
          if (ok !== 1) state.lost = true;
        })
        .catch(() => undefined);
    }, this.lockTtlMs / 3);
    state.release = async () => {
      clearInterval(renew);
      await this.o.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token).catch(() => undefined);
    };
    return state;
  }
}
