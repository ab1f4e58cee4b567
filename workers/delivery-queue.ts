/**
 * Per-channel BullMQ delivery queues: every outgoing message — replies, notifications,
 * broadcasts — leaves through `deliver-<channel>-<shard>`, so one rate limiter, one retry policy
 * and one delivery record cover everything. Replies run ahead of bulk. A chat always maps to the
 * same shard and each shard sends one job at a time, so messages to one chat arrive in order
 * while several chats are served in parallel.
 */
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { ChannelName, Envelope, Outbox } from '../core/engine/types.js';
import type { ChatFairness } from './chat-fairness.js';
import { purgeJobs, rewriteJobs } from './purge-jobs.js';
import type { PrivacyKeys } from '../core/privacy/privacy-keys.js';
import type { RedisKeys } from '../core/redis-keys.js';
import { openEnvelope, sealEnvelope } from '../core/privacy/sealed-envelope.js';

export const deliveryQueueName = (channel: ChannelName, shard: number) => `deliver-${channel}-${shard}`;

/** How many parallel ordered lanes each channel has. */
export type DeliveryShards = Record<ChannelName, number>;

/** The shard a chat's messages go through (stable, so they stay in order). */
export function shardOf(chatId: string, shards: number): number {
  if (shards <= 1) return 0;
  return createHash('sha1').update(chatId).digest().readUInt32BE(0) % shards;
}

/** BullMQ job ids cannot hold every character our keys use; a digest keeps them unique. */
export const deliveryJobId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

export const PRIORITY = { reply: 1, bulk: 10 } as const;

/** A chat's keyed stand-in, as sealed envelopes carry it in `lane` (core/privacy/sealed-envelope.ts). */
const laneOf = (keys: PrivacyKeys, channel: ChannelName, chatId: string) => keys.marker('lane', channel, chatId).slice(0, 24);

export interface DeliveryJob extends Envelope {
  /** How many of `messages` have been sent (so a retry does not send them twice). */
  sent?: number;
  /** The chat's fairness hash this reply is counted in until finished (workers/chat-fairness.ts). */
  fair?: string;
}

/**
 * The Outbox the engine writes to: queues envelopes. The job is the queued state; the delivery
 * record is written once, by the worker, with the outcome (workers/delivery-worker.ts).
 */
export class QueueOutbox implements Outbox {
  private readonly queues = new Map<string, Queue<DeliveryJob>>();
  /**
   * How long finished message jobs stay in Redis, in seconds (RETENTION_JOBS_*; the daily
   * retention job also cleans lanes that have gone quiet, see workers/retention.ts).
   */
  keepFinished = { completedSeconds: 24 * 3600, failedSeconds: 7 * 24 * 3600 };
  /** Puts replies of a chat with a backlog behind other chats' replies (unset: first come first served). */
  fairness: ChatFairness | undefined;

  constructor(
    private readonly connection: ConnectionOptions,
    /** Where the lanes live (BullMQ prefix `redisKeys.bull`) and their tallies and fairness hashes. */
    readonly redisKeys: RedisKeys,
    readonly shards: DeliveryShards,
    /** Seals envelopes that ask for it, and opens sealed ones for `purge`. */
    private readonly keys: PrivacyKeys,
  ) {}

  private queue(channel: ChannelName, shard: number): Queue<DeliveryJob> {
    const name = deliveryQueueName(channel, shard);
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<DeliveryJob>(name, { connection: this.connection, prefix: this.redisKeys.bull });
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * A lane sends one job at a time across every worker process, not only within one (BullMQ's
   * global concurrency, kept in Redis): with two worker replicas, two messages to one chat would
   * otherwise be sent at once and could arrive out of order. Set before the first job is added.
   */
  private readonly serial = new Map<Queue<DeliveryJob>, Promise<unknown>>();
  private oneAtATime(q: Queue<DeliveryJob>): Promise<unknown> {
    let set = this.serial.get(q);
    if (!set) {
      set = q.setGlobalConcurrency(1);
      this.serial.set(q, set);
      set.catch(() => this.serial.delete(q));
    }
    return set;
  }

  /** Every shard queue of a channel (for counts and administration). */
  queuesOf(channel: ChannelName): Queue<DeliveryJob>[] {
    return Array.from({ length: this.shards[channel] }, (_, i) => this.queue(channel, i));
  }

  /** Jobs of a channel not yet finished (waiting, active, delayed, prioritized). */
  async pending(channel: ChannelName): Promise<number> {
    const counts = await Promise.all(this.queuesOf(channel).map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')));
    return counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
  }

  async send(envelopes: Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const withIds = envelopes.map((env) => ({ env, jobId: deliveryJobId(env.key) }));
    const byQueue = new Map<Queue<DeliveryJob>, { name: string; data: DeliveryJob; opts: Record<string, unknown> }[]>();
    for (const { env: given, jobId } of withIds) {
      // What a job stores: sealed when asked (a reply or a message to a reporter); the record above keeps no text either way.
      const env = given.seal ? sealEnvelope(this.keys, given) : given;
      const q = this.queue(env.channel, shardOf(env.lane ?? env.chatId, this.shards[env.channel]));
      const jobs = byQueue.get(q) ?? [];
      jobs.push({
        name: 'deliver',
        data: env,
        opts: {
          jobId,
          priority: PRIORITY[env.priority],
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: env.ephemeral ? true : { age: this.keepFinished.completedSeconds, count: 10_000 },
          removeOnFail: env.ephemeral ? true : { age: this.keepFinished.failedSeconds },
        },
      });
      byQueue.set(q, jobs);
    }
    // Order within a lane is the order of `envelopes`; addBulk keeps it.
    for (const [q, jobs] of byQueue) {
      await this.oneAtATime(q);
      await this.fairShare(q, jobs);
      await q.addBulk(jobs);
    }
  }

  /**
   * Each reply's priority level from its chat's backlog (workers/chat-fairness.ts): a chat
   * with nothing waiting goes ahead of chats with replies waiting. A chat is named by its lane
   * marker, sealed or not, so its sealed and plain messages count as one backlog.
   */
  private async fairShare(q: Queue<DeliveryJob>, jobs: { data: DeliveryJob; opts: Record<string, unknown> }[]): Promise<void> {
    const f = this.fairness;
    if (!f || f.levels <= 1) return;
    const replies = jobs.filter((j) => j.data.priority === 'reply');
    const chat = (d: DeliveryJob) => d.lane ?? laneOf(this.keys, d.channel, d.chatId);
    const levels = await f.assign(q, replies.map((j) => ({ chat: chat(j.data), jobId: String(j.opts.jobId) })));
    replies.forEach((j, i) => {
      j.opts.priority = PRIORITY.reply - 1 + levels[i]!;
      j.data = { ...j.data, fair: f.keyOf(chat(j.data)) };
    });
  }

  async purge(matches: (env: Envelope) => boolean): Promise<number> {
    let removed = 0;
    for (const channel of Object.keys(this.shards) as ChannelName[]) {
      for (const q of this.queuesOf(channel)) removed += await purgeJobs(q, (env) => matches(openEnvelope(this.keys, env)));
    }
    return removed;
  }

  /** Seal-key rotation: kept message jobs sealed with a previous key are sealed again with the current one; returns how many. */
  async reseal(): Promise<number> {
    let changed = 0;
    for (const channel of Object.keys(this.shards) as ChannelName[]) {
      for (const q of this.queuesOf(channel)) {
        changed += await rewriteJobs(q, (d) => (d.sealed && this.keys.sealedWithPrevious(d.sealed) ? { ...d, sealed: this.keys.seal(this.keys.open(d.sealed)) } : undefined));
      }
    }
    return changed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
