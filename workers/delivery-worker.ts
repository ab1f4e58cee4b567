/** Processes a channel's delivery queue: sends through the adapter, retries, records outcomes. */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryDoc, Models } from '../core/db.js';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, type ChannelSender } from '../core/delivery.js';
import { scrubSecrets } from '../core/logger.js';
import { deliveryQueueName, recordDelivery, type DeliveryJob } from './delivery-queue.js';

export interface DeliveryWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  models: Models;
  log: Logger;
  /** Messages per second for the whole channel, shared evenly by its shards. */
  ratePerSecond: number;
  /** Number of shards (ordered lanes) of the channel; see delivery-queue.ts. */
  shards: number;
}

/** Starts one worker per shard of a channel; each sends one job at a time, evenly spaced. */
export function startDeliveryWorkers(sender: ChannelSender, o: DeliveryWorkerOptions): Worker<DeliveryJob>[] {
  // One job per `interval` per shard adds up to the channel's rate without bursts.
  const interval = Math.max(1, Math.ceil((1000 * o.shards) / o.ratePerSecond));
  return Array.from({ length: o.shards }, (_, shard) => startShardWorker(sender, o, shard, interval));
}

function startShardWorker(sender: ChannelSender, o: DeliveryWorkerOptions, shard: number, interval: number): Worker<DeliveryJob> {
  const worker: Worker<DeliveryJob> = new Worker<DeliveryJob>(
    deliveryQueueName(sender.channel, shard),
    async (job: Job<DeliveryJob>) => {
      const data = job.data;
      let sent = data.sent ?? 0;
      try {
        for (; sent < data.messages.length; sent++) {
          await sender.send(data.chatId, data.messages[sent]!);
          if (sent + 1 < data.messages.length) await job.updateData({ ...data, sent: sent + 1 });
        }
      } catch (err) {
        if (sent > (data.sent ?? 0)) await job.updateData({ ...data, sent });
        if (err instanceof RateLimitedError) {
          await worker.rateLimit(err.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (err instanceof RecipientUnreachableError) {
          await o.models.ChannelIdentity.updateOne({ channel: sender.channel, chatId: data.chatId }, { $set: { unreachable: true } });
          await record(o, job, 'failed', 'unreachable');
          throw new UnrecoverableError('recipient unreachable');
        }
        if (err instanceof PermanentDeliveryError) {
          await record(o, job, 'failed', scrubSecrets(err.message).slice(0, 200));
          throw new UnrecoverableError(err.message);
        }
        throw err;
      }
      await record(o, job, 'sent');
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: 1,
      limiter: { max: 1, duration: interval },
    },
  );
  worker.on('failed', (job, err) => {
    if (!job || err instanceof UnrecoverableError) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    o.log.warn({ channel: sender.channel, jobId: job.id, attempt: job.attemptsMade, final, error: scrubSecrets(err.message).slice(0, 200) }, 'delivery attempt failed');
    if (final) void record(o, job, 'failed', scrubSecrets(err.message).slice(0, 200));
  });
  worker.on('error', (err) => o.log.warn({ channel: sender.channel, error: scrubSecrets(err.message) }, 'delivery worker error'));
  return worker;
}

/** Writes the outcome; a failure to write is logged, never turned into a resend. */
async function record(o: DeliveryWorkerOptions, job: Job<DeliveryJob>, status: 'sent' | 'failed', reason?: string): Promise<void> {
  const set: Partial<Omit<DeliveryDoc, '_id'>> = { status, attempts: job.attemptsMade + 1 };
  if (status === 'sent') set.sentAt = new Date();
  if (reason) set.reason = reason;
  await recordDelivery(o.models, job.id!, job.data, set).catch((err: Error) =>
    o.log.warn({ jobId: job.id, error: err.name }, 'could not write the delivery record'),
  );
}
