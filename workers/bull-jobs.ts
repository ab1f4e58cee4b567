/** The Jobs port on BullMQ: one queue per kind of timed work, processors registered by name. */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Clock } from '../core/engine/types.js';
import { DEFAULT_TZ, type Jobs, type ScheduleOptions } from '../core/jobs.js';
import { deliveryJobId } from './delivery-queue.js';
import { purgeJobs } from './purge-jobs.js';

/** Handles one job; throw to retry (BullMQ backoff), or UnrecoverableError to give up. */
export type JobProcessor = (data: Record<string, unknown>, job: Job) => Promise<void>;

export class BullJobs implements Jobs {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly connection: ConnectionOptions, private readonly prefix: string, private readonly clock: Clock) {}

  /** The BullMQ queue behind a name (for workers and counts). */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  async schedule(queue: string, name: string, data: Record<string, unknown>, opts: ScheduleOptions): Promise<void> {
    const delay = opts.at ? Math.max(0, opts.at.getTime() - this.clock.now().getTime()) : 0;
    await this.queue(queue).add(name, data, {
      jobId: deliveryJobId(opts.id),
      delay,
      attempts: opts.attempts ?? 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  async cancel(queue: string, id: string): Promise<void> {
    const job = await this.queue(queue).getJob(deliveryJobId(id));
    if (!job) return;
    // A running or finished job cannot be removed; that is fine for a cancel.
    await job.remove().catch(() => undefined);
  }

  async repeat(queue: string, schedulerId: string, rule: { cron: string; tz?: string; startAt?: Date; endAt?: Date }, name: string, data: Record<string, unknown>): Promise<void> {
    await this.queue(queue).upsertJobScheduler(
      schedulerId,
      { pattern: rule.cron, tz: rule.tz ?? DEFAULT_TZ, startDate: rule.startAt, endDate: rule.endAt },
      { name, data, opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 } } },
    );
  }

  async removeRepeat(queue: string, schedulerId: string): Promise<void> {
    await this.queue(queue).removeJobScheduler(schedulerId);
  }

  async purge(queue: string, matches: (data: Record<string, unknown>) => boolean): Promise<number> {
    return purgeJobs(this.queue(queue), matches);
  }

  /** Starts a worker for `queue` that dispatches jobs to `processors` by job name. */
  startWorker(queue: string, processors: Record<string, JobProcessor>, log: Logger, concurrency = 4): Worker {
    const worker = new Worker(
      queue,
      async (job) => {
        const processor = processors[job.name];
        if (!processor) throw new Error(`no processor for job "${job.name}" on queue "${queue}"`);
        await processor(job.data as Record<string, unknown>, job);
      },
      { connection: this.connection, prefix: this.prefix, concurrency },
    );
    worker.on('failed', (job, err) => log.warn({ queue, job: job?.name, attempt: job?.attemptsMade, error: err.name }, 'job failed'));
    worker.on('error', (err) => log.warn({ queue, error: err.name }, 'job worker error'));
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

