/**
 * When a survey takes answers is its window, [opensAt, closesAt): every reader asks `isOpen` at
 * its own moment (the list in chat, each answer, the reminder job), so a survey scheduled to
 * open later opens by itself when the time comes — no timer, nothing to cancel. Opening,
 * closing and scheduling are changes of the window, by these rules:
 * - open now: only a survey not open; it opens now and closes at the time given, or at its own
 *   closing time if that is still ahead (else a closing time is needed);
 * - close now: only an open survey; it closes now (answers after it are refused politely, drafts dropped);
 * - schedule: only a survey not open; it opens at a time ahead, and closes at the time given or
 *   its own, which must come after the opening.
 */
import { isOpen } from './survey-service.js';

export type WindowChange = { action: 'open'; closesAt?: Date } | { action: 'close' } | { action: 'schedule'; opensAt: Date; closesAt?: Date };

/** Why a change is refused (words in locales: web-surveys:window.<code>). */
export type WindowProblem = 'already_open' | 'not_open' | 'close_time_needed' | 'close_time_past' | 'open_time_past' | 'close_before_open';

export class SurveyWindowError extends Error {
  override name = 'SurveyWindowError';
  constructor(readonly code: WindowProblem) {
    super(`the survey's window cannot change that way: ${code}`);
  }
}

export interface SurveyWindow {
  opensAt: Date;
  closesAt: Date;
}

/** The window after `change` at `now`; throws SurveyWindowError when the rules refuse it. */
export function nextWindow(current: SurveyWindow, change: WindowChange, now: Date): SurveyWindow {
  const open = isOpen(current, now);
  if (change.action === 'close') {
    if (!open) throw new SurveyWindowError('not_open');
    return { opensAt: current.opensAt, closesAt: now };
  }
  if (open) throw new SurveyWindowError('already_open');
  const opensAt = change.action === 'open' ? now : change.opensAt;
  if (change.action === 'schedule' && opensAt.getTime() <= now.getTime()) throw new SurveyWindowError('open_time_past');
  const closesAt = change.closesAt ?? current.closesAt;
  if (change.closesAt && closesAt.getTime() <= now.getTime()) throw new SurveyWindowError('close_time_past');
  if (closesAt.getTime() <= opensAt.getTime()) throw new SurveyWindowError(change.closesAt ? 'close_before_open' : 'close_time_needed');
  return { opensAt, closesAt };
}
