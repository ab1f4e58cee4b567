/** Processes a channel's delivery queue: sends through the adapter, retries, records outcomes. */
import type { PrivacyKeys } from '../core/privacy/privacy-keys.js';
import { openEnvelope } from '../core/privacy/sealed-envelope.js';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { DeliveryDoc } from '../core/db.js';
import type { DeliveryLog } from '../core/delivery-log.js';
import type { Metrics } from '../core/metrics.js';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, type ChannelSender, type PaceCall } from '../core/delivery.js';
import { scrubText } from '../core/log-scrub.js';
import type { RedisKeys } from '../core/redis-keys.js';
import { deliveryQueueName, type DeliveryJob } from './delivery-queue.js';
import { DeliveryTally, type TallyOutcome } from './delivery-tally.js';
import type { DeliveryOutcome } from '../core/metrics.js';
import { ChatFairness } from './chat-fairness.js';
import { DeliveryPacer } from './delivery-pacer.js';

export interface DeliveryWorkerOptions {
  connection: ConnectionOptions;
  /** Where the lanes live (BullMQ prefix `redisKeys.bull`), their pacing slots and tallies. */
  redisKeys: RedisKeys;
  /** Where outcomes are written. */
  deliveries: DeliveryLog;
  /** Marks a chat that can no longer be reached (the platform said so). */
  markUnreachable(channel: string, chatId: string): Promise<void>;
  log: Logger;
  /** Messages per second for the whole channel, shared evenly by its shards. */
  ratePerSecond: number;
  /** Number of shards (ordered lanes) of the channel; see delivery-queue.ts. */
  shards: number;
  /** Opens sealed messages (to a concern's reporter) at send time. */
  keys: PrivacyKeys;
  /** Counts outcomes, 429s and retries (core/metrics.ts); none when left out. */
  metrics?: Metrics;
}

/** Starts one worker per shard of a channel; each sends one job at a time, paced channel-wide. */
export function startDeliveryWorkers(sender: ChannelSender, o: DeliveryWorkerOptions): Worker<DeliveryJob>[] {
  const recorder = new SentRecorder(o);
  // Not auto-pipelined: measured on bench:broadcast (a), batching through setImmediate cost more
  // CPU per message (0.86-0.88 ms against 0.79-0.83) than the writes it saved.
  const redis = new Redis({ ...(o.connection as RedisOptions), lazyConnect: false });
  redis.on('error', () => undefined); // surfaces through the failing script call, which the job retries
  const tally = new DeliveryTally(redis, o.redisKeys);
  // One pacer for every lane and process of the channel (workers/delivery-pacer.ts).
  const pacer = new DeliveryPacer(redis, o.redisKeys.pacerSlot(sender.channel), o.ratePerSecond);
  let open = o.shards;
  return Array.from({ length: o.shards }, (_, shard) => {
    const lane = pacer.lane();
    const worker = startShardWorker(sender, o, shard, lane.pace, pacer, recorder, redis, tally);
    // Outcomes still buffered are written before the worker reports closed.
    const close = worker.close.bind(worker);
    worker.close = async (force?: boolean) => {
      await close(force);
      await lane.close();
      await recorder.flush();
      if (--open === 0) redis.disconnect();
    };
    return worker;
  });
}

/**
 * Records "sent" outcomes in batches: one insert for the records of many sends (a delivery has no
 * record before its outcome: the job is its queued state), then an update by id for any record
 * that existed already (a job retried after its outcome was written). A record may lag its send
 * by a few milliseconds; BullMQ's completed job is what prevents a second send.
 */
class SentRecorder {
  private pending = new Map<string, { data: DeliveryJob; attempts: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly o: DeliveryWorkerOptions, private readonly maxBatch = 200, private readonly delayMs = 20) {}

  add(jobId: string, data: DeliveryJob, attempts: number): void {
    this.pending.set(jobId, { data, attempts });
    if (this.pending.size >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size > 0) this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Map<string, { data: DeliveryJob; attempts: number }>): Promise<void> {
    const sends = [...batch].map(([jobId, { data, attempts }]) => ({ jobId, to: data, attempts }));
    try {
      await this.o.deliveries.recordSent(sends, new Date());
    } catch (err) {
      this.o.log.warn({ records: sends.length, error: (err as Error).name }, 'could not write delivery records');
    }
  }
}

function startShardWorker(sender: ChannelSender, o: DeliveryWorkerOptions, shard: number, pace: PaceCall, pacer: DeliveryPacer, recorder: SentRecorder, redis: Redis, tally: DeliveryTally): Worker<DeliveryJob> {
  const worker: Worker<DeliveryJob> = new Worker<DeliveryJob>(
    deliveryQueueName(sender.channel, shard),
    async (job: Job<DeliveryJob>) => {
      // A message to a reporter is opened only here, at send time; what is written back stays sealed.
      const stored = job.data;
      const data = openEnvelope(o.keys, stored);
      // The lines of a reply carry the id of the event it answers (Envelope.trace).
      const log = jobLog(o.log, job);
      const done = (outcome: DeliveryOutcome) => o.metrics?.deliveries.inc({ channel: sender.channel, outcome, priority: data.priority });
      // Counted before BullMQ finishes the job, so no finished job goes uncounted.
      const count = (outcome: TallyOutcome) => (data.tally ? tally.count(data.tally, [job.id!], outcome) : Promise.resolve(0));
      // A finished reply leaves its chat's backlog (never retried over: the hash expires anyway).
      const release = () => (data.fair ? ChatFairness.release(redis, data.fair, job.id!).catch(() => undefined) : Promise.resolve());
      let sent = data.sent ?? 0;
      try {
        for (; sent < data.messages.length; sent++) {
          // Each platform call of the message waits for its turn in the channel's pace.
          await sender.send(data.chatId, data.messages[sent]!, pace);
          if (sent + 1 < data.messages.length) await job.updateData({ ...stored, sent: sent + 1 });
        }
      } catch (err) {
        if (sent > (data.sent ?? 0)) await job.updateData({ ...stored, sent });
        if (err instanceof RateLimitedError) {
          o.metrics?.deliveryRateLimited.inc({ channel: sender.channel });
          log.info({ channel: sender.channel, jobId: job.id, retryAfterMs: err.retryAfterMs }, 'platform answered 429; the channel waits');
          // The whole channel waits, not only this lane.
          await pacer.hold(err.retryAfterMs).catch(() => undefined);
          await worker.rateLimit(err.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (err instanceof RecipientUnreachableError) {
          await o.markUnreachable(sender.channel, data.chatId);
          done('unreachable');
          log.info({ channel: sender.channel, jobId: job.id }, 'recipient unreachable; not retried');
          await count('unreachable');
          await record(o, job, 'failed', 'unreachable');
          await release();
          throw new UnrecoverableError('recipient unreachable');
        }
        if (err instanceof PermanentDeliveryError) {
          done('failed');
          log.warn({ channel: sender.channel, jobId: job.id, error: scrubText(err.message).slice(0, 200) }, 'delivery refused by the platform; not retried');
          await count('failed');
          await record(o, job, 'failed', scrubText(err.message).slice(0, 200));
          await release();
          throw new UnrecoverableError(err.message);
        }
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await count('failed');
          await release();
        }
        throw err;
      }
      // Sent is sent: a failing count must not make the job retry and send the message twice. An
      // uncounted job is settled by the runner's lost-outcome valve instead.
      done('sent');
      log.debug({ channel: sender.channel, jobId: job.id, messages: data.messages.length }, 'delivered');
      await count('sent').catch((err: Error) => log.warn({ channel: sender.channel, jobId: job.id, error: scrubText(err.message).slice(0, 200) }, 'could not count a sent delivery'));
      await release();
      if (!data.ephemeral) recorder.add(job.id!, stored, job.attemptsMade + 1);
    },
    {
      connection: o.connection,
      prefix: o.redisKeys.bull,
      concurrency: 1,
      // A lane runs one job at a time across all processes (delivery-queue.ts), so the job of a
      // worker that died holds its lane until BullMQ finds it stalled: a short lock (renewed
      // every 5 s while a send takes long) and a frequent check keep that under ~15 s. A send
      // takes milliseconds; a job that really runs longer keeps its lock by renewal.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job || err instanceof UnrecoverableError) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) o.metrics?.deliveries.inc({ channel: sender.channel, outcome: 'failed', priority: job.data.priority });
    else o.metrics?.deliveryRetries.inc({ channel: sender.channel });
    o.metrics?.storeError('delivery', err);
    jobLog(o.log, job).warn({ channel: sender.channel, jobId: job.id, attempt: job.attemptsMade, final, error: scrubText(err.message).slice(0, 200) }, 'delivery attempt failed');
    if (final) void record(o, job, 'failed', scrubText(err.message).slice(0, 200));
  });
  worker.on('error', (err) => {
    o.metrics?.storeError('delivery', err);
    o.log.warn({ channel: sender.channel, error: scrubText(err.message) }, 'delivery worker error');
  });
  return worker;
}

/** The logger of a job: with the `eventId` of the event its reply answers, when it is one. */
function jobLog(log: Logger, job: Job<DeliveryJob>): Logger {
  return job.data.trace ? log.child({ eventId: job.data.trace }) : log;
}

/** Writes the outcome; a failure to write is logged, never turned into a resend. */
async function record(o: DeliveryWorkerOptions, job: Job<DeliveryJob>, status: 'sent' | 'failed', reason?: string): Promise<void> {
  if (job.data.ephemeral) return;
  const set: Partial<Omit<DeliveryDoc, '_id'>> = { status, attempts: job.attemptsMade + 1 };
  if (status === 'sent') set.sentAt = new Date();
  if (reason) set.reason = reason;
  await o.deliveries.recordOutcome(job.id!, job.data, set).catch((err: Error) =>
    jobLog(o.log, job).warn({ jobId: job.id, error: err.name }, 'could not write the delivery record'),
  );
}
