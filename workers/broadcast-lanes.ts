/** The delivery lanes as the broadcast runner sees them, over the per-channel QueueOutbox. */
import type { Redis } from 'ioredis';
import type { DeliveryLanes, DeliveryOutcomes } from '../core/broadcasts/broadcast-runner.js';
import type { DeliveryLog } from '../core/delivery-log.js';
import { CHANNELS_BY_PREFERENCE, type ChannelName, type Envelope } from '../core/engine/types.js';
import { deliveryJobId, type QueueOutbox } from './delivery-queue.js';
import { DeliveryTally } from './delivery-tally.js';


/** Wraps the outbox: sending, pending counts, outcome tallies, and withdrawing a cancelled broadcast's waiting jobs. */
export class QueueLanes implements DeliveryLanes {
  private readonly tally: DeliveryTally;

  constructor(private readonly outbox: QueueOutbox, redis: Redis, private readonly deliveries: DeliveryLog, private readonly sendBatch = 250) {
    this.tally = new DeliveryTally(redis, outbox.redisKeys);
  }

  async send(envelopes: Envelope[]): Promise<void> {
    // A few batches in parallel keep MongoDB and Redis busy while each waits on the other.
    const batches: Envelope[][] = [];
    for (let i = 0; i < envelopes.length; i += this.sendBatch) batches.push(envelopes.slice(i, i + this.sendBatch));
    await Promise.all(batches.map((b) => this.outbox.send(b)));
  }

  pending(channel: ChannelName): Promise<number> {
    return this.outbox.pending(channel);
  }

  outcomes(group: string): Promise<DeliveryOutcomes> {
    return this.tally.read(group);
  }

  async counted(group: string, keys: string[]): Promise<Set<string>> {
    const byJob = new Map(keys.map((k) => [deliveryJobId(k), k]));
    const done = await this.tally.counted(group, [...byJob.keys()]);
    return new Set([...done].map((j) => byJob.get(j)!));
  }

  async withdraw(group: string): Promise<number> {
    const removed: { id: string; data: Envelope }[] = [];
    for (const channel of CHANNELS_BY_PREFERENCE) {
      for (const q of this.outbox.queuesOf(channel)) {
        // Removing shifts later jobs forward, so the next page starts after the jobs kept.
        for (let start = 0; ; ) {
          const jobs = await q.getJobs(['waiting', 'prioritized', 'delayed'], start, start + 999, true);
          let kept = 0;
          for (const job of jobs) {
            // A job that started meanwhile cannot be removed; it finishes and is counted as such.
            if (job?.data?.tally === group && (await job.remove().then(() => true, () => false))) removed.push({ id: job.id!, data: job.data });
            else kept++;
          }
          if (jobs.length < 1000) break;
          start += kept;
        }
      }
    }
    await this.deliveries.recordCancelled(removed.map(({ id, data }) => ({ jobId: id, to: data })), new Date());
    return this.tally.count(group, removed.map((r) => r.id), 'cancelled');
  }
}
