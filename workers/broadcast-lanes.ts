/** The delivery lanes as the broadcast runner sees them, over the per-channel QueueOutbox. */
import type { DeliveryLanes } from '../core/broadcasts/broadcast-runner.js';
import type { ChannelName, Envelope } from '../core/engine/types.js';
import { deliveryJobId, type QueueOutbox } from './delivery-queue.js';

const CHANNELS: ChannelName[] = ['console', 'telegram', 'zalo'];

/** Wraps the outbox: sending, pending counts, and withdrawing a cancelled broadcast's waiting jobs. */
export class QueueLanes implements DeliveryLanes {
  constructor(private readonly outbox: QueueOutbox, private readonly sendBatch = 50) {}

  async send(envelopes: Envelope[]): Promise<void> {
    // QueueOutbox.send writes one record and adds one job per envelope in turn; a few batches in
    // parallel keep MongoDB and Redis busy while each waits on the other.
    const batches: Envelope[][] = [];
    for (let i = 0; i < envelopes.length; i += this.sendBatch) batches.push(envelopes.slice(i, i + this.sendBatch));
    await Promise.all(batches.map((b) => this.outbox.send(b)));
  }

  pending(channel: ChannelName): Promise<number> {
    return this.outbox.pending(channel);
  }

  jobIdOf(key: string): string {
    return deliveryJobId(key);
  }

  async removeWaiting(keyPrefix: string): Promise<string[]> {
    const removed: string[] = [];
    for (const channel of CHANNELS) {
      for (const q of this.outbox.queuesOf(channel)) {
        // Removing shifts later jobs forward, so the next page starts after the jobs kept.
        for (let start = 0; ; ) {
          const jobs = await q.getJobs(['waiting', 'prioritized', 'delayed'], start, start + 999, true);
          let kept = 0;
          for (const job of jobs) {
            // A job that started meanwhile cannot be removed; it finishes and is counted as such.
            if (job?.data?.key?.startsWith(keyPrefix) && (await job.remove().then(() => true, () => false))) removed.push(job.id!);
            else kept++;
          }
          if (jobs.length < 1000) break;
          start += kept;
        }
      }
    }
    return removed;
  }
}
