/** The Jobs port on BullMQ: one queue per kind of timed work, processors registered by name. */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Clock } from '../core/engine/types.js';
import type { Metrics } from '../core/metrics.js';
import { DEFAULT_TZ, type Jobs, type ScheduleOptions, type TimedJobData, type TimedJobName, type TimedQueue } from '../core/jobs.js';
import { deliveryJobId } from './delivery-queue.js';
import { purgeJobs } from './purge-jobs.js';

/** Handles one job; throw to retry (BullMQ backoff), or UnrecoverableError to give up. */
export type JobProcessor<D> = (data: D, job: Job<D>) => Promise<void>;

/** One processor per job name of a queue, each given that job's data (core/jobs.ts TimedWork). */
export type JobProcessors<Q extends TimedQueue> = { [N in TimedJobName<Q>]: JobProcessor<TimedJobData<Q, N>> };

export class BullJobs implements Jobs {
  private readonly queues = new Map<TimedQueue, Queue>();
  /** Counts the MongoDB and Redis outages that fail jobs (core/metrics.ts); none when unset. */
  metrics: Metrics | undefined;

  constructor(
    /** Where BullMQ connects, and its key prefix: for queues of their own (workers/import-jobs.ts). */
    readonly connection: ConnectionOptions,
    readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  /** The BullMQ queue behind a name (for workers and counts). */
  queue(name: TimedQueue): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  async schedule<Q extends TimedQueue, N extends TimedJobName<Q>>(queue: Q, name: N, data: TimedJobData<Q, N>, opts: ScheduleOptions): Promise<void> {
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

  async cancel(queue: TimedQueue, id: string): Promise<void> {
    // One script instead of a read and then a remove: removes the job if it is there and not
    // running (a running one is left, as a cancel may). Timed jobs have no children.
    await this.queue(queue).remove(deliveryJobId(id), { removeChildren: false });
  }

  async repeat<Q extends TimedQueue, N extends TimedJobName<Q>>(queue: Q, schedulerId: string, rule: { cron: string; tz?: string; startAt?: Date; endAt?: Date }, name: N, data: TimedJobData<Q, N>): Promise<void> {
    await this.queue(queue).upsertJobScheduler(
      schedulerId,
      { pattern: rule.cron, tz: rule.tz ?? DEFAULT_TZ, startDate: rule.startAt, endDate: rule.endAt },
      { name, data, opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 } } },
    );
  }

  async removeRepeat(queue: TimedQueue, schedulerId: string): Promise<void> {
    await this.queue(queue).removeJobScheduler(schedulerId);
  }

  async purge<Q extends TimedQueue>(queue: Q, matches: (data: TimedJobData<Q>) => boolean): Promise<number> {
    return purgeJobs(this.queue(queue), (data) => matches(data));
  }

  /** Starts a worker for `queue` that dispatches jobs to `processors` by job name. */
  startWorker<Q extends TimedQueue>(queue: Q, processors: JobProcessors<Q>, log: Logger, concurrency = 4): Worker<TimedJobData<Q>> {
    const worker = new Worker<TimedJobData<Q>>(
      queue,
      async (job) => {
        if (!Object.hasOwn(processors, job.name)) throw new Error(`no processor for job "${job.name}" on queue "${queue}"`);
        // The one place data meets its job name: a job named N was scheduled with TimedJobData<Q, N>.
        const processor = processors[job.name as TimedJobName<Q>] as JobProcessor<TimedJobData<Q>>;
        await processor(job.data, job);
      },
      { connection: this.connection, prefix: this.prefix, concurrency },
    );
    worker.on('failed', (job, err) => {
      this.metrics?.storeError('jobs', err);
      log.warn({ queue, job: job?.name, attempt: job?.attemptsMade, error: err.name }, 'job failed');
    });
    worker.on('error', (err) => {
      this.metrics?.storeError('jobs', err);
      log.warn({ queue, error: err.name }, 'job worker error');
    });
    return worker;
  }

  private readonly others: Queue[] = [];

  /** Closes `queue`, a queue of its own kind (workers/import-jobs.ts), with these. */
  closeWithOthers(queue: Queue): void {
    this.others.push(queue);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values(), ...this.others].map((q) => q.close()));
  }
}

