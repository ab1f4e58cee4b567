/**
 * The rules of a branch meeting, without storage: how many slots, how votes are counted and a
 * slot chosen (most votes, ties to the earliest), when a check-in code is taken, and when the
 * reminders go out around quiet hours.
 */
import { randomInt } from 'node:crypto';
import { DEFAULT_QUIET_HOURS, quietUntil } from '../broadcasts/quiet-hours.js';
import type { QuietHours } from '../broadcasts/models.js';
import { parseClock, vnAtClock } from '../vn-time.js';
import type { MeetingSlot } from './slot-parse.js';

/** Candidate slots a meeting may offer. */
export const MIN_SLOTS = 1;
export const MAX_SLOTS = 4;
/** Longest topic and place kept (characters). */
export const MAX_TOPIC_CHARS = 200;
export const MAX_PLACE_CHARS = 300;
/** Late check-in is allowed this long after the start. */
export const LATE_CHECKIN_MS = 2 * 3600_000;
/** The cadre may ask for the check-in code from this long before the start. */
export const CODE_LEAD_MS = 3600_000;
/** Reminders: the day before and two hours before. */
export const REMINDERS = { day: 24 * 3600_000, hours: 2 * 3600_000 } as const;
export type ReminderKind = keyof typeof REMINDERS;
/** A reminder that could only go out later than this before the start is not sent. */
export const REMINDER_MIN_LEAD_MS = 30 * 60_000;
/** Reminders pushed out of quiet hours go this long before the quiet hours begin (21:00 for 21:30). */
const BEFORE_QUIET_MS = 30 * 60_000;
/** Wrong check-in codes a member may type within CHECKIN_LOCK_SECONDS before being made to wait. */
export const CHECKIN_MAX_WRONG = 5;
export const CHECKIN_LOCK_SECONDS = 10 * 60;

/** The quiet hours of meeting messages: those of broadcasts. */
export const MEETING_QUIET_HOURS: QuietHours = DEFAULT_QUIET_HOURS;

/** Votes per slot, in slot order. Out-of-range indexes (a changed meeting) are ignored. */
export function tallyVotes(slotCount: number, votes: readonly { slots: readonly number[] }[]): number[] {
  const counts = new Array<number>(slotCount).fill(0);
  for (const v of votes) for (const i of new Set(v.slots)) if (Number.isInteger(i) && i >= 0 && i < slotCount) counts[i]!++;
  return counts;
}

/** The slot to fix: the most votes; a tie (no votes at all included) goes to the earliest slot. */
export function winningSlot(slots: readonly Pick<MeetingSlot, 'at'>[], counts: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < slots.length; i++) {
    const more = (counts[i] ?? 0) > (counts[best] ?? 0);
    const tieEarlier = (counts[i] ?? 0) === (counts[best] ?? 0) && slots[i]!.at.getTime() < slots[best]!.at.getTime();
    if (more || tieEarlier) best = i;
  }
  return best;
}

/** Where a moment stands against a meeting's check-in window: before the start, within it, or after it. */
export type CheckInWindow = 'before' | 'open' | 'closed';

/** The check-in window runs from the start to LATE_CHECKIN_MS after it. */
export function checkInWindow(start: Date, now: Date): CheckInWindow {
  const t = now.getTime();
  if (t < start.getTime()) return 'before';
  return t < start.getTime() + LATE_CHECKIN_MS ? 'open' : 'closed';
}

/** Whether the cadre may be given the code now: from CODE_LEAD_MS before the start until the window closes. */
export function codeMayBeIssued(start: Date, now: Date): boolean {
  return now.getTime() >= start.getTime() - CODE_LEAD_MS && checkInWindow(start, now) !== 'closed';
}

/** The instant the quiet hours containing `at` began. */
function quietBegan(q: QuietHours, at: Date): Date {
  const s = parseClock(q.start)!;
  const today = vnAtClock(at, s);
  return today.getTime() <= at.getTime() ? today : vnAtClock(at, s, -1);
}

/**
 * When a reminder `kind` of a meeting starting at `start` goes out, decided at `now`; undefined
 * when it is not sent. A reminder due in quiet hours goes earlier, half an hour before they
 * begin (the evening before); if that has passed, at their end if that is still
 * REMINDER_MIN_LEAD_MS before the start. A reminder whose time passed before the meeting was
 * fixed is not sent (the announcement itself tells the time).
 */
export function reminderAt(kind: ReminderKind, start: Date, now: Date, q: QuietHours | null = MEETING_QUIET_HOURS): Date | undefined {
  let at = new Date(start.getTime() - REMINDERS[kind]);
  if (at.getTime() <= now.getTime()) return undefined;
  if (q && quietUntil(q, at)) {
    const earlier = new Date(quietBegan(q, at).getTime() - BEFORE_QUIET_MS);
    at = earlier.getTime() > now.getTime() ? earlier : quietUntil(q, at)!;
  }
  // The day-before reminder moved next to the two-hours one says nothing new.
  if (kind === 'day' && start.getTime() - at.getTime() < REMINDERS.hours + REMINDER_MIN_LEAD_MS) return undefined;
  return start.getTime() - at.getTime() >= REMINDER_MIN_LEAD_MS ? at : undefined;
}

/** When a message decided at `now` may go out: now, or when the quiet hours end. */
export function sendableAt(now: Date, q: QuietHours | null = MEETING_QUIET_HOURS): Date {
  return quietUntil(q, now) ?? now;
}

/** A random 4-digit check-in code (1000–9999: no leading zero to lose), not one of `taken`; `pick` gives 0–8999. */
export function newCheckInCode(taken: ReadonlySet<string>, pick: () => number = () => randomInt(9000)): string {
  if (taken.size >= 9000) throw new Error('every check-in code is taken');
  for (;;) {
    const code = String(1000 + pick());
    if (!taken.has(code)) return code;
  }
}

/** Whether a text is shaped like a check-in code (4 digits, spaces around allowed). */
export function looksLikeCode(text: string | undefined): boolean {
  return !!text && /^\d{4}$/.test(text.trim());
}
