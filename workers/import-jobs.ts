/**
 * Imports started from the web console, run in the background on a BullMQ queue of their own
 * (core/members/scoped-import.ts does the import). The job's progress (rows done / total) and its
 * outcome (counts, rejected rows with their line) are kept on the job itself for a day; the
 * file's text is dropped from the job as soon as the job starts, so no list of names and chat ids
 * lingers in Redis.
 */
import { randomBytes } from 'node:crypto';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { runImport, type ImportDeps, type ImportKind, type ImportOutcome, type ImportRequest } from '../core/members/scoped-import.js';
import type { BullJobs } from './bull-jobs.js';

export { IMPORT_KINDS, type ImportKind, type ImportOutcome, type ImportRejection } from '../core/members/scoped-import.js';

export const IMPORT_QUEUE = 'web-imports';
const IMPORT_JOB = 'import';
/** How long a finished import's progress and outcome can be read (its page). */
const KEEP_SECONDS = 24 * 3600;

/** A job's data: the request, its text emptied when the job starts. */
export type ImportJobData = ImportRequest;

export interface ImportProgress {
  done: number;
  total: number;
}

/** Where an import stands, for its page. */
export interface ImportStatus {
  id: string;
  kind: ImportKind;
  actorId: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  progress?: ImportProgress;
  outcome?: ImportOutcome;
}

/** An import id as it may appear in a path. */
export const IMPORT_ID = /^imp-[0-9a-f]{16}$/;

const queues = new WeakMap<BullJobs, Queue<ImportJobData>>();

/** The imports queue of this app (one Queue per BullJobs, closed with the app's Redis). */
export function importQueue(jobs: BullJobs): Queue<ImportJobData> {
  let q = queues.get(jobs);
  if (!q) {
    queues.set(jobs, (q = new Queue<ImportJobData>(IMPORT_QUEUE, { connection: jobs.connection, prefix: jobs.prefix })));
    jobs.closeWithOthers(q as Queue);
  }
  return q;
}

/** Queues an import; returns its id. */
export async function enqueueImport(jobs: BullJobs, data: ImportJobData): Promise<string> {
  const id = `imp-${randomBytes(8).toString('hex')}`;
  // One attempt: the text is gone once it starts, and a half-done import is finished by importing the file again.
  await importQueue(jobs).add(IMPORT_JOB, data, { jobId: id, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
  return id;
}

/** Where import `id` stands; undefined when there is none (or it is older than a day). */
export async function importStatus(jobs: BullJobs, id: string): Promise<ImportStatus | undefined> {
  if (!IMPORT_ID.test(id)) return undefined;
  // The state first: a job read before it finished would lack the outcome its state then promises.
  const state = await importQueue(jobs).getJobState(id);
  const job = await Job.fromId<ImportJobData, ImportOutcome>(importQueue(jobs), id);
  if (!job) return undefined;
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as ImportProgress) : undefined;
  return {
    id,
    kind: job.data.kind,
    actorId: job.data.actorId,
    state: state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : state === 'active' ? 'active' : 'waiting',
    ...(progress ? { progress } : {}),
    ...(state === 'completed' && job.returnvalue ? { outcome: job.returnvalue } : {}),
  };
}

/** Starts the worker of the imports queue (one import at a time: FerretDB serialises writes anyway). */
export function startImportJobs(jobs: BullJobs, deps: ImportDeps, log: Logger): Worker<ImportJobData> {
  const worker = new Worker<ImportJobData, ImportOutcome>(
    IMPORT_QUEUE,
    async (job) => {
      const data = job.data;
      if (!data.content) throw new UnrecoverableError('the import was started before and stopped; its text is gone: import the file again');
      await job.updateData({ ...data, content: '' });
      let last = -1;
      const outcome = await runImport(deps, data, (done, total) => {
        // Every 1 % at most: each is a Redis write.
        if (done !== total && last >= 0 && done - last < Math.max(1, total / 100)) return;
        last = done;
        void job.updateProgress({ done, total }).catch(() => undefined);
      });
      await job.updateProgress({ done: outcome.rows, total: outcome.rows });
      log.info({ queue: IMPORT_QUEUE, kind: data.kind, created: outcome.created, updated: outcome.updated, rejected: outcome.rejected.length }, 'web import');
      return outcome;
    },
    { connection: jobs.connection, prefix: jobs.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => log.warn({ queue: IMPORT_QUEUE, kind: job?.data.kind, error: err.name, message: err.message }, 'web import failed'));
  worker.on('error', (err) => log.warn({ queue: IMPORT_QUEUE, error: err.name }, 'web import worker error'));
  return worker;
}
