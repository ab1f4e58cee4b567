/**
 * The one reminder to someone who started a survey and did not finish: a delayed job per
 * person and survey (scheduled by SurveyService.scheduleReminder with a unique id). When it
 * runs it sends nothing if the survey has closed, was answered, or the person has gone.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Services } from '../core/engine/services.js';
import type { Clock, Outbox } from '../core/engine/types.js';
import { textIn } from '../core/surveys/definition.js';
import { isOpen, REMINDER_JOB, REMINDER_QUEUE, reminderJobId, type SurveyReminderJob } from '../core/surveys/survey-service.js';
import type { BullJobs } from './bull-jobs.js';

export interface ReminderDeps {
  services: Services;
  outbox: Outbox;
  clock: Clock;
}

/** What a reminder job did (for tests and logs). */
export type ReminderOutcome = 'sent' | 'closed' | 'answered' | 'gone';

/** Runs one reminder job. */
export async function runSurveyReminder(deps: ReminderDeps, data: SurveyReminderJob): Promise<ReminderOutcome> {
  const { services, clock } = deps;
  const now = clock.now();
  const survey = await services.surveys.get(data.surveyId);
  if (!survey || !isOpen(survey, now)) return 'closed';
  if (await services.surveys.hasAnswered(data.surveyId, data.memberId, data.subject)) return 'answered';
  const member = await services.members.get(data.memberId);
  const identity = await services.members.identity(data.identityId);
  if (member?.status !== 'active' || !identity || identity.memberId !== member._id || identity.unreachable) return 'gone';
  const t = services.i18n.for(member.locale);
  const title = textIn(survey.definition.title, member.locale);
  await deps.outbox.send([
    {
      channel: identity.channel as 'console' | 'telegram' | 'zalo',
      chatId: identity.chatId,
      memberId: member._id,
      // One key per person and survey: a retried job cannot send a second reminder.
      key: reminderJobId(data.surveyId, data.memberId, data.subject),
      priority: 'bulk',
      messages: [{ text: t('survey:reminder', { title }), locale: member.locale }],
    },
  ]);
  return 'sent';
}

/** Starts the worker of the survey-reminders queue. */
export function startSurveyReminders(jobs: BullJobs, deps: ReminderDeps, log: Logger): Worker {
  return jobs.startWorker(
    REMINDER_QUEUE,
    {
      [REMINDER_JOB]: async (data) => {
        const outcome = await runSurveyReminder(deps, data);
        log.debug({ queue: REMINDER_QUEUE, outcome }, 'survey reminder');
      },
    },
    log,
    2,
  );
}
