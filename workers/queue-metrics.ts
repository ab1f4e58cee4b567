/**
 * Queue depths for the metrics, read from Redis when /metrics is scraped: for each BullMQ queue,
 * one script call (core/redis-scripts.ts, dhQueueProbe) gives the jobs waiting, active, delayed
 * and failed and when the oldest waiting job was added. Nothing is read between scrapes, and no
 * BullMQ Queue (with its own connection) is opened for it: the keys are BullMQ's own names.
 */
import { QueueKeys } from 'bullmq';
import type { Redis } from 'ioredis';
import { BROADCAST_QUEUE } from '../core/broadcasts/broadcast-service.js';
import { SLA_QUEUE } from '../core/concerns/sla-timers.js';
import type { ChannelName } from '../core/engine/types.js';
import { MEETING_QUEUE } from '../core/meetings/meeting-service.js';
import type { QueueSnapshot } from '../core/metrics.js';
import { RETENTION_QUEUE } from '../core/privacy/retention.js';
import { redisScripts } from '../core/redis-scripts.js';
import { STEERING_QUEUE } from '../core/reports/steering-report.js';
import { REMINDER_QUEUE } from '../core/surveys/survey-service.js';
import { deliveryQueueName } from './delivery-queue.js';

/** Every queue of timed work (core/jobs.ts). */
export const TIMED_QUEUES = [SLA_QUEUE, REMINDER_QUEUE, BROADCAST_QUEUE, RETENTION_QUEUE, MEETING_QUEUE, STEERING_QUEUE] as const;

/** The queues worth watching: every delivery lane of the given channels, and the timed work. */
export function watchedQueues(channels: Partial<Record<ChannelName, number>>): string[] {
  const lanes = Object.entries(channels).flatMap(([channel, shards]) => Array.from({ length: shards ?? 0 }, (_, i) => deliveryQueueName(channel as ChannelName, i)));
  return [...lanes, ...TIMED_QUEUES];
}

/**
 * Reads the named queues' state in parallel, one round trip each, on `redis` (the app's own
 * connection). `prefix` is BullMQ's (RedisKeys.bull); `now` gives the time the oldest job's age
 * is measured against (BullMQ stamps a job with its producer's Date.now()).
 */
export async function readQueues(redis: Redis, prefix: string, names: readonly string[], now: () => number = Date.now): Promise<QueueSnapshot[]> {
  const scripts = redisScripts(redis);
  const qk = new QueueKeys(prefix);
  return Promise.all(
    names.map(async (queue) => {
      const key = (type: string) => qk.toKey(queue, type);
      const probe = await scripts.queueProbe({ wait: key('wait'), paused: key('paused'), prioritized: key('prioritized'), active: key('active'), delayed: key('delayed'), failed: key('failed') }, key(''));
      const snapshot: QueueSnapshot = { queue, waiting: probe.waiting, active: probe.active, delayed: probe.delayed, failed: probe.failed };
      if (probe.oldestWaitingAt !== undefined) snapshot.oldestWaitingSeconds = Math.max(0, (now() - probe.oldestWaitingAt) / 1000);
      return snapshot;
    }),
  );
}
