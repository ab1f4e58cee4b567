/**
 * Port for timed work (broadcast sends, survey reminders, SLA deadlines): the core schedules and
 * cancels; workers/ runs the jobs with BullMQ delayed jobs and Job Schedulers.
 */

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
  schedule(queue: string, name: string, data: Record<string, unknown>, opts: ScheduleOptions): Promise<void>;
  /** Cancels a pending job; does nothing if it already ran, is running, or never existed. */
  cancel(queue: string, id: string): Promise<void>;
  /**
   * Runs `name` on `queue` on a cron rule in `tz` (default Asia/Ho_Chi_Minh), until removed;
   * re-registering the same `schedulerId` replaces its rule.
   */
  repeat(queue: string, schedulerId: string, rule: { cron: string; tz?: string; startAt?: Date; endAt?: Date }, name: string, data: Record<string, unknown>): Promise<void>;
  /** Stops a repeating job. */
  removeRepeat(queue: string, schedulerId: string): Promise<void>;
  /**
   * Removes every job of `queue` not running now (pending, finished or failed) whose data
   * matches — for erasure, so no job keeps a person's data. Returns how many were removed.
   */
  purge(queue: string, matches: (data: Record<string, unknown>) => boolean): Promise<number>;
}

/** Timezone of every schedule unless said otherwise. */
export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';
