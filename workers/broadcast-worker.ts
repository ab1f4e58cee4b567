/**
 * The broadcast processor on the Jobs port's `broadcasts` queue: `broadcast.run` runs (or
 * resumes) a fan-out, `broadcast.occurrence` starts one occurrence of a recurring broadcast.
 * Its own BullMQ Worker so the stall settings can be set: a killed process's job is picked up
 * again after `lockDuration`, as often as it takes (the runner resumes from its cursor).
 */
import { DelayedError, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';
import { BroadcastRunner, type RunnerOptions } from '../core/broadcasts/broadcast-runner.js';
import { BROADCAST_QUEUE, OCCURRENCE_JOB, RUN_JOB, type BroadcastJob, type BroadcastService } from '../core/broadcasts/broadcast-service.js';

export interface BroadcastWorkerOptions {
  connection: ConnectionOptions;
  /** BullMQ prefix (the same as the Jobs port's). */
  prefix: string;
  service: BroadcastService;
  runner: RunnerOptions;
  log: Logger;
  /** Broadcasts run at once (default 4). */
  concurrency?: number;
  /** How long a job's lock lives without renewal; a killed worker's job restarts after it (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 15 s). */
  stalledIntervalMs?: number;
  /** Counts the MongoDB and Redis outages that fail broadcast jobs (core/metrics.ts). */
  metrics?: Metrics;
}

/** Starts the broadcast worker; close it with `worker.close()`. */
export function startBroadcastWorker(o: BroadcastWorkerOptions): Worker {
  const runner = new BroadcastRunner(o.runner);
  const worker = new Worker<BroadcastJob>(
    BROADCAST_QUEUE,
    async (job, token) => {
      const { broadcastId } = job.data;
      if (typeof broadcastId !== 'string' || !broadcastId) throw new Error(`job ${job.id} has no broadcastId`);
      if (job.name === RUN_JOB) {
        // Shutting down (SIGTERM pauses, then closes the worker): the run stops between two steps and its job goes back to the
        // queue at once, for another process (or this one restarted) to resume from the cursor.
        if ((await runner.run(broadcastId, () => worker.isPaused() || worker.closing !== undefined)) !== 'stopped') return;
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      // The scheduler's job id names the occurrence, so a retried occurrence is the same one.
      if (job.name === OCCURRENCE_JOB) return void (await o.service.startOccurrence(broadcastId, String(job.id), o.runner.clock.now()));
      throw new Error(`no processor for job "${job.name}" on queue "${BROADCAST_QUEUE}"`);
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 4,
      lockDuration: o.lockDurationMs ?? 30_000,
      stalledInterval: o.stalledIntervalMs ?? 15_000,
      // A fan-out killed several times must still finish: every restart resumes from the cursor.
      maxStalledCount: 1000,
    },
  );
  worker.on('failed', (job, err) => {
    o.metrics?.storeError('broadcasts', err);
    o.log.warn({ queue: BROADCAST_QUEUE, job: job?.name, attempt: job?.attemptsMade, err }, 'broadcast job failed');
  });
  worker.on('error', (err) => {
    o.metrics?.storeError('broadcasts', err);
    o.log.warn({ queue: BROADCAST_QUEUE, error: err.name }, 'broadcast worker error');
  });
  return worker;
}
