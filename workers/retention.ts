/**
 * The daily retention job (a BullMQ Job Scheduler on the Jobs port, 03:00 Asia/Ho_Chi_Minh):
 * runs the sweep of core/privacy/retention.ts over MongoDB, then removes finished jobs older
 * than their period from every message lane and timed-work queue. BullMQ removes finished jobs
 * by age only when another job of the same queue finishes, so a lane that has gone quiet would
 * otherwise keep its last messages forever.
 */
import type { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { BROADCAST_QUEUE } from '../core/broadcasts/broadcast-service.js';
import { SLA_QUEUE } from '../core/concerns/sla-timers.js';
import type { ChannelName, Clock } from '../core/engine/types.js';
import type { TimedQueue } from '../core/jobs.js';
import { finishedJobAges, RETENTION_JOB, RETENTION_QUEUE, scheduleRetention, type RetentionJob, type RetentionPolicy, type RetentionReport, type RetentionSweep } from '../core/privacy/retention.js';
import { STEERING_QUEUE } from '../core/reports/steering-report.js';
import { REMINDER_QUEUE } from '../core/surveys/survey-service.js';
import type { BullJobs } from './bull-jobs.js';
import type { QueueOutbox } from './delivery-queue.js';

/**
 * Timed work (broadcast runs, SLA timers, survey reminders, this job) keeps finished jobs as
 * BullJobs.schedule does, 7 days after success and 30 after failure: their ids stop the same
 * work from being scheduled twice within that time.
 */
export const TIMED_WORK_KEEP = { completedMs: 7 * 24 * 3600 * 1000, failedMs: 30 * 24 * 3600 * 1000 };
const TIMED_QUEUES: TimedQueue[] = [BROADCAST_QUEUE, SLA_QUEUE, REMINDER_QUEUE, RETENTION_QUEUE, STEERING_QUEUE];

/** Jobs removed per call to Redis. */
const CLEAN_PAGE = 1000;

export interface RetentionDeps {
  sweep: RetentionSweep;
  policy: RetentionPolicy;
  jobs: BullJobs;
  outbox: QueueOutbox;
  clock: Clock;
  log: Logger;
}

/** What one run removed: documents per store, and finished jobs. */
export interface RetentionOutcome extends RetentionReport {
  jobs: number;
}

/** Removes a queue's finished jobs older than their period, a page at a time; returns how many. */
async function cleanFinished(queue: Queue, keep: { completedMs: number; failedMs: number }): Promise<number> {
  let removed = 0;
  for (const [state, grace] of [['completed', keep.completedMs], ['failed', keep.failedMs]] as const) {
    for (;;) {
      // BullMQ compares with each job's finishing time (Redis-side timestamps, wall clock).
      const ids = await queue.clean(grace, CLEAN_PAGE, state);
      removed += ids.length;
      if (ids.length < CLEAN_PAGE) break;
    }
  }
  return removed;
}

/** Runs one retention pass: MongoDB stores by the app clock, then finished jobs. */
export async function runRetention(d: RetentionDeps): Promise<RetentionOutcome> {
  const report = await d.sweep.run(d.clock.now());
  let jobs = 0;
  const messageKeep = finishedJobAges(d.policy);
  for (const channel of Object.keys(d.outbox.shards) as ChannelName[]) {
    for (const q of d.outbox.queuesOf(channel)) jobs += await cleanFinished(q, messageKeep);
  }
  for (const name of TIMED_QUEUES) jobs += await cleanFinished(d.jobs.queue(name), TIMED_WORK_KEEP);
  return { ...report, jobs };
}

/** The processor of the retention job (what the worker runs; tests call it directly). */
export function retentionProcessor(d: RetentionDeps): (data: RetentionJob) => Promise<void> {
  return async () => {
    const outcome = await runRetention(d);
    d.log.info({ queue: RETENTION_QUEUE, removed: outcome }, 'retention sweep');
  };
}

/** Registers the daily Job Scheduler and starts the worker of the retention queue. */
export async function startRetention(d: RetentionDeps): Promise<Worker> {
  await scheduleRetention(d.jobs);
  return d.jobs.startWorker(RETENTION_QUEUE, { [RETENTION_JOB]: retentionProcessor(d) }, d.log, 1);
}
