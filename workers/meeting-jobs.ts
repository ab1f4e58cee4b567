/**
 * Runs the timed work of branch meetings (core/meetings/meeting-service.ts): the invitation, the
 * deadline (the most voted slot fixed), the announcement of the time, the reminders the day
 * before and two hours before, and the cancellation notice. Each job reads the meeting again and
 * does nothing when it no longer applies (cancelled, already fixed, a reminder for another time).
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { MEETING_QUEUE, startOf, type MeetingJob, type MeetingJobName, type MeetingService } from '../core/meetings/meeting-service.js';
import type { Clock, Outbox } from '../core/engine/types.js';
import type { BullJobs } from './bull-jobs.js';

export interface MeetingJobDeps {
  meetings: MeetingService;
  outbox: Outbox;
  clock: Clock;
}

/** What a job did (for tests and logs). */
export type MeetingJobOutcome = 'sent' | 'fixed' | 'skipped';

/** Runs one meeting job. */
export async function runMeetingJob(deps: MeetingJobDeps, name: MeetingJobName, data: MeetingJob): Promise<MeetingJobOutcome> {
  const now = deps.clock.now();
  if (name === 'deadline') return (await deps.meetings.onDeadline(data.meetingId, now)) ? 'fixed' : 'skipped';
  const m = await deps.meetings.get(data.meetingId);
  if (!m) return 'skipped';
  const start = startOf(m);
  switch (name) {
    case 'invite':
      if (m.status !== 'voting') return 'skipped';
      break;
    case 'announce':
      if (!start || start.getTime() <= now.getTime()) return 'skipped';
      break;
    case 'reminder':
      // Fixed at another time since (or cancelled), or already begun: this reminder says nothing true.
      if (!start || start.toISOString() !== data.start || start.getTime() <= now.getTime()) return 'skipped';
      break;
    case 'cancelled':
      if (m.status !== 'cancelled') return 'skipped';
      break;
  }
  await deps.meetings.fanOut(m, name, deps.outbox, data);
  return 'sent';
}

/** Starts the worker of the meetings queue. */
export function startMeetingJobs(jobs: BullJobs, deps: MeetingJobDeps, log: Logger): Worker {
  const processor = (name: MeetingJobName) => async (data: MeetingJob) => {
    const outcome = await runMeetingJob(deps, name, data);
    log.debug({ queue: MEETING_QUEUE, job: name, outcome }, 'meeting job');
  };
  return jobs.startWorker(
    MEETING_QUEUE,
    { invite: processor('invite'), deadline: processor('deadline'), announce: processor('announce'), reminder: processor('reminder'), cancelled: processor('cancelled') },
    log,
    2,
  );
}
