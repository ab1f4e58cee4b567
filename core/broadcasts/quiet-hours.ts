/** Quiet hours: local times when broadcasts wait (default 21:30–07:00 in Asia/Ho_Chi_Minh). */
import { parseClock, vnAtClock, vnMinutesOfDay } from '../vn-time.js';
import type { QuietHours } from './models.js';

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:30', end: '07:00' };

/** Checks a quiet-hours setting; throws with the reason when it is unusable. */
export function validateQuietHours(q: QuietHours): void {
  const s = parseClock(q.start);
  const e = parseClock(q.end);
  if (s === undefined || e === undefined) throw new RangeError(`quiet hours must be HH:MM–HH:MM, got ${q.start}–${q.end}`);
  if (s === e) throw new RangeError('quiet hours must not start and end at the same time');
}

/** When `at` falls in quiet hours, the instant they end; otherwise undefined. */
export function quietUntil(q: QuietHours | null, at: Date): Date | undefined {
  if (!q) return undefined;
  const s = parseClock(q.start)!;
  const e = parseClock(q.end)!;
  const m = vnMinutesOfDay(at);
  const inside = s < e ? m >= s && m < e : m >= s || m < e;
  if (!inside) return undefined;
  const end = vnAtClock(at, e);
  return end.getTime() > at.getTime() ? end : vnAtClock(at, e, 1);
}
