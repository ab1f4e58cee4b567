/**
 * The steering committee's monthly report, sent on the 1st of each month at 07:00 Vietnam time
 * (a BullMQ Job Scheduler on the Jobs port, core/reports/steering-report.ts): for every unit where
 * someone holds the secretariat role, the previous month's report of that unit goes to each of
 * them as a short chat message with the key figures and the link to the full report in the web
 * console (`/web/reports/steering?unit=…&month=…`, behind sign-in and scope, with its PDF). The
 * platforms' adapters send text and photos only (core/engine/types.ts `Outbound`), so the PDF is
 * not attached: the link serves it.
 *
 * One delivery key per unit, month and member: a retried job (one unit failed) sends nobody twice.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ContactBook } from '../core/concerns/contact-book.js';
import { deliverNotices, type Notice } from '../core/concerns/notices.js';
import type { Clock, Outbox } from '../core/engine/types.js';
import type { Translations } from '../core/i18n.js';
import type { MemberService } from '../core/members/member-service.js';
import { previousMonth, scheduleSteeringReports, STEERING_JOB, STEERING_QUEUE, steeringReportPath, steeringSummary, type SteeringReportReader } from '../core/reports/steering-report.js';
import type { BullJobs } from './bull-jobs.js';

export interface SteeringReportDeps {
  reader: SteeringReportReader;
  members: Pick<MemberService, 'get'>;
  contacts: ContactBook;
  i18n: Translations;
  outbox: Outbox;
  clock: Clock;
  /** Where the web console is reached: PUBLIC_URL, or http://localhost:PORT. */
  baseUrl: string;
  log: Logger;
}

/** What one run sent (for tests and logs: counts only). */
export interface SteeringRunOutcome {
  month: string;
  units: number;
  messages: number;
}

/** Sends the previous month's report of every unit with a secretariat to its members; throws after trying every unit if any failed. */
export async function runSteeringReports(d: SteeringReportDeps): Promise<SteeringRunOutcome> {
  const now = d.clock.now();
  const month = previousMonth(now);
  const secretariats = await d.reader.secretariats(now);
  let messages = 0;
  const failed: string[] = [];
  for (const [unitId, memberIds] of secretariats) {
    try {
      const report = await d.reader.read({ unitId, month, now });
      const url = `${d.baseUrl.replace(/\/+$/, '')}${steeringReportPath(unitId, month.month)}`;
      const notices: Notice[] = [];
      for (const memberId of memberIds) {
        const member = await d.members.get(memberId);
        if (member?.status !== 'active') continue;
        const t = d.i18n.for(member.locale);
        const text = `${steeringSummary(t, report, member.locale)}\n\n${t('steering:chat.link', { url })}`;
        notices.push({ memberId, key: `steering:${unitId}:${month.month}:${memberId}`, message: { text, locale: member.locale } });
      }
      await deliverNotices(d.contacts, d.outbox, notices);
      messages += notices.length;
    } catch (err) {
      failed.push(unitId);
      d.log.warn({ queue: STEERING_QUEUE, unit: unitId, month: month.month, error: (err as Error).name }, 'steering report failed');
    }
  }
  if (failed.length) throw new Error(`the steering report of ${failed.length} unit(s) failed (${failed.join(', ')}); the job is retried, and what was sent is not sent again`);
  return { month: month.month, units: secretariats.size, messages };
}

/** Registers the monthly Job Scheduler and starts the worker of its queue. */
export async function startSteeringReports(jobs: BullJobs, d: SteeringReportDeps): Promise<Worker> {
  await scheduleSteeringReports(jobs);
  return jobs.startWorker(
    STEERING_QUEUE,
    {
      [STEERING_JOB]: async () => {
        const outcome = await runSteeringReports(d);
        d.log.info({ queue: STEERING_QUEUE, ...outcome }, 'steering reports sent');
      },
    },
    d.log,
    1,
  );
}
