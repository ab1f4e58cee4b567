/**
 * The queue probe on the real Redis: job counts by state, and the oldest waiting job found at
 * the tail of the wait list and the head of each priority level (the timestamps are given, so the
 * ages are exact).
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bullConnection } from '../app/bull-connection.js';
import { Metrics } from '../core/metrics.js';
import { readQueues, watchedQueues } from './queue-metrics.js';

const prefix = `tq${randomBytes(4).toString('hex')}:bull`;
let redis: Redis;
const queues: Queue[] = [];
const queue = (name: string) => {
  const q = new Queue(name, { connection: bullConnection(inject('redisUrl')), prefix });
  queues.push(q);
  return q;
};

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
  redis.disconnect();
});

describe('readQueues', () => {
  it('counts waiting (plain and prioritized), delayed and failed jobs, and finds the oldest waiting across priority levels', async () => {
    const q = queue('lane-a');
    // The oldest is a bulk job (level 10) queued behind newer replies (levels 1 and 2).
    await q.add('deliver', {}, { priority: 10, timestamp: 1_000 });
    await q.add('deliver', {}, { priority: 10, timestamp: 6_000 });
    await q.add('deliver', {}, { priority: 1, timestamp: 5_000 });
    await q.add('deliver', {}, { priority: 2, timestamp: 4_000 });
    await q.add('deliver', {}, { timestamp: 3_000 });
    await q.add('later', {}, { delay: 3_600_000, timestamp: 500 });
    const [a] = await readQueues(redis, prefix, ['lane-a'], () => 10_000);
    expect(a).toEqual({ queue: 'lane-a', waiting: 5, active: 0, delayed: 1, failed: 0, oldestWaitingSeconds: 9 });
  });

  it('finds the oldest at the tail of the wait list when no job has a priority', async () => {
    const q = queue('lane-b');
    await q.add('deliver', {}, { timestamp: 2_000 });
    await q.add('deliver', {}, { timestamp: 7_000 });
    const [b] = await readQueues(redis, prefix, ['lane-b'], () => 10_000);
    expect(b!.waiting).toBe(2);
    expect(b!.oldestWaitingSeconds).toBe(8);
  });

  it('an empty or unknown queue has nothing waiting and no age', async () => {
    const [c] = await readQueues(redis, prefix, ['never-used'], () => 10_000);
    expect(c).toEqual({ queue: 'never-used', waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('the gauges show what the probe read, one sample per queue and state', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.watchQueues(() => readQueues(redis, prefix, ['lane-a', 'never-used'], () => 10_000));
    const text = await metrics.render();
    expect(text).toContain('donghanh_queue_jobs{queue="lane-a",state="waiting"} 5');
    expect(text).toContain('donghanh_queue_jobs{queue="lane-a",state="delayed"} 1');
    expect(text).toContain('donghanh_queue_oldest_waiting_seconds{queue="lane-a"} 9');
    expect(text).toContain('donghanh_queue_oldest_waiting_seconds{queue="never-used"} 0');
  });

  it('watches every lane of the given channels and the timed work', () => {
    expect(watchedQueues({ console: 1, zalo: 2 })).toEqual(['deliver-console-0', 'deliver-zalo-0', 'deliver-zalo-1', 'concern-sla', 'survey-reminders', 'broadcasts', 'retention', 'meetings', 'steering-reports']);
  });
});
