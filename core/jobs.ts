/**
 * Port for timed work (broadcast sends, survey reminders, SLA deadlines): the core schedules and
 * cancels; workers/ runs the jobs with BullMQ delayed jobs and Job Schedulers.
 */
import { VN_TZ } from './vn-time.js';

import type { BROADCAST_QUEUE, BroadcastJob, OCCURRENCE_JOB, RUN_JOB } from './broadcasts/broadcast-service.js';
import type { SLA_QUEUE, SlaStage, SlaTimer } from './concerns/sla-timers.js';
import type { RETENTION_JOB, RETENTION_QUEUE, RetentionJob } from './privacy/retention.js';
import type { REMINDER_JOB, REMINDER_QUEUE, SurveyReminderJob } from './surveys/survey-service.js';
import type { MEETING_QUEUE, MeetingJob, MeetingJobName } from './meetings/meeting-service.js';
import type { STEERING_JOB, STEERING_QUEUE, SteeringJob } from './reports/steering-report.js';

type QueueOf<Q extends string, Jobs> = { [K in Q]: Jobs };

/**
 * The data of every job of timed work, by queue and job name: what `schedule` and `repeat` take
 * is what the queue's processors receive (workers/bull-jobs.ts), one type for both. A queue of
 * timed work is declared here; delivery lanes carry DeliveryJob (workers/delivery-queue.ts).
 */
export type TimedWork = QueueOf<typeof SLA_QUEUE, Record<SlaStage, SlaTimer>> &
  QueueOf<typeof REMINDER_QUEUE, Record<typeof REMINDER_JOB, SurveyReminderJob>> &
  QueueOf<typeof BROADCAST_QUEUE, Record<typeof RUN_JOB | typeof OCCURRENCE_JOB, BroadcastJob>> &
  QueueOf<typeof RETENTION_QUEUE, Record<typeof RETENTION_JOB, RetentionJob>> &
  QueueOf<typeof MEETING_QUEUE, Record<MeetingJobName, MeetingJob>> &
  QueueOf<typeof STEERING_QUEUE, Record<typeof STEERING_JOB, SteeringJob>>;

/** A queue of timed work. */
export type TimedQueue = keyof TimedWork;
/** The job names of a queue. */
export type TimedJobName<Q extends TimedQueue> = keyof TimedWork[Q] & string;
/** The data of a job (of any of the queue's job names when `N` is left out). */
export type TimedJobData<Q extends TimedQueue, N extends TimedJobName<Q> = TimedJobName<Q>> = TimedWork[Q][N];

/** Options of one scheduled job. */
export interface ScheduleOptions {
  /** Unique id: scheduling the same id again while it is pending does nothing. */
  id: string;
  /** When to run (now when omitted or in the past). */
  at?: Date;
  /** Attempts before the job fails for good (default 5, exponential backoff). */
  attempts?: number;
}

export interface Jobs {
  /** Runs job `name` on `queue` with `data` at `opts.at`. */
  schedule<Q extends TimedQueue, N extends TimedJobName<Q>>(queue: Q, name: N, data: TimedJobData<Q, N>, opts: ScheduleOptions): Promise<void>;
  /** Cancels a pending job; does nothing if it already ran, is running, or never existed. */
  cancel(queue: TimedQueue, id: string): Promise<void>;
  /**
   * Runs `name` on `queue` on a cron rule in `tz` (default Asia/Ho_Chi_Minh), until removed;
   * re-registering the same `schedulerId` replaces its rule.
   */
  repeat<Q extends TimedQueue, N extends TimedJobName<Q>>(queue: Q, schedulerId: string, rule: { cron: string; tz?: string; startAt?: Date; endAt?: Date }, name: N, data: TimedJobData<Q, N>): Promise<void>;
  /** Stops a repeating job. */
  removeRepeat(queue: TimedQueue, schedulerId: string): Promise<void>;
  /**
   * Removes every job of `queue` not running now (pending, finished or failed) whose data
   * matches — for erasure, so no job keeps a person's data. Returns how many were removed.
   */
  purge<Q extends TimedQueue>(queue: Q, matches: (data: TimedJobData<Q>) => boolean): Promise<number>;
}

/** Timezone of every schedule unless said otherwise: Vietnam time. */
export const DEFAULT_TZ = VN_TZ;
