/**
 * Per-channel BullMQ delivery queues: every outgoing message — replies, notifications,
 * broadcasts — leaves through `deliver-<channel>`, so one rate limiter, one retry policy and one
 * delivery record cover everything. Replies run ahead of bulk.
 */
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { DeliveryDoc, Models } from '../core/db.js';
import type { ChannelName, Envelope, Outbox } from '../core/engine/types.js';

export const deliveryQueueName = (channel: ChannelName) => `deliver-${channel}`;

/** BullMQ job ids cannot hold every character our keys use; a digest keeps them unique. */
export const deliveryJobId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

export const PRIORITY = { reply: 1, bulk: 10 } as const;

export interface DeliveryJob extends Envelope {
  /** How many of `messages` have been sent (so a retry does not send them twice). */
  sent?: number;
}

/** The Outbox the engine writes to: queues envelopes and records them as queued. */
export class QueueOutbox implements Outbox {
  private readonly queues = new Map<ChannelName, Queue<DeliveryJob>>();

  constructor(private readonly connection: ConnectionOptions, private readonly prefix: string, private readonly models: Models) {}

  queue(channel: ChannelName): Queue<DeliveryJob> {
    let q = this.queues.get(channel);
    if (!q) {
      q = new Queue<DeliveryJob>(deliveryQueueName(channel), { connection: this.connection, prefix: this.prefix });
      this.queues.set(channel, q);
    }
    return q;
  }

  async send(envelopes: Envelope[]): Promise<void> {
    for (const env of envelopes) {
      const jobId = deliveryJobId(env.key);
      // Recorded before the job exists, so the worker's outcome always comes after it. With
      // MongoDB down a reply ("try again shortly") still leaves; the worker records the outcome.
      await recordDelivery(this.models, jobId, env, {}).catch(() => undefined);
      await this.queue(env.channel).add('deliver', env, {
        jobId,
        priority: PRIORITY[env.priority],
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** Creates the delivery record if missing and applies `set` (status, attempts, reason, sentAt). */
export async function recordDelivery(models: Models, jobId: string, env: Pick<Envelope, 'channel' | 'chatId' | 'memberId'>, set: Partial<Omit<DeliveryDoc, '_id'>>): Promise<void> {
  const insert: Record<string, unknown> = { channel: env.channel, chatId: env.chatId, createdAt: new Date() };
  if (env.memberId) insert.memberId = env.memberId;
  if (!('status' in set)) insert.status = 'queued';
  if (!('attempts' in set)) insert.attempts = 0;
  await models.Delivery.updateOne({ _id: jobId }, { $setOnInsert: insert, ...(Object.keys(set).length ? { $set: set } : {}) }, { upsert: true });
}
