/** Runs the concerns' SLA timers: reminders before a deadline, escalation up the organisation on a breach. */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ConcernService } from '../core/concerns/concern-service.js';
import { deliverNotices } from '../core/concerns/notices.js';
import { SLA_QUEUE, type SlaTimer } from '../core/concerns/sla-timers.js';
import type { ContactBook } from '../core/concerns/contact-book.js';
import type { Clock, Outbox } from '../core/engine/types.js';
import type { BullJobs } from './bull-jobs.js';

export interface ConcernSlaWorkerOptions {
  jobs: BullJobs;
  concerns: ConcernService;
  /** Where the cadres told are reached. */
  contacts: ContactBook;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /**
   * Timers processed at once (default 16; each holds only its own concern's lock). A burst of
   * deadlines spends most of its time waiting on the database, so more than a handful in flight
   * keeps it busy.
   */
  concurrency?: number;
}

/** Registers the `reminder` and `breach` processors on the SLA queue. */
export function startConcernSlaWorker(o: ConcernSlaWorkerOptions): Worker {
  const run = async (timer: SlaTimer) => {
    const notices = await o.concerns.onTimer(timer, o.clock.now());
    await deliverNotices(o.contacts, o.outbox, notices);
  };
  return o.jobs.startWorker(SLA_QUEUE, { reminder: run, breach: run }, o.log, o.concurrency ?? 16);
}
