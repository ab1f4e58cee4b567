/** Adds working time to an instant, skipping nights, days off and holidays (Vietnam time). */
import type { BusinessHours } from './policy.js';

const DAY = 86_400_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + (m ?? 0);
}

/** The instant `ms` of working time after `start`. */
export function addBusinessTime(start: Date, ms: number, hours: BusinessHours): Date {
  if (hours.alwaysOpen) return new Date(start.getTime() + ms);
  const offset = hours.utcOffsetMinutes * 60_000;
  let cursor = start.getTime();
  let left = ms;
  const holidays = new Set(hours.holidays);
  // Walk local days; a year without any opening hours means the configuration is wrong.
  for (let i = 0; i < 800; i++) {
    const local = new Date(cursor + offset);
    const dayStartLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
    const dayStart = dayStartLocal - offset;
    const iso = new Date(dayStartLocal).toISOString().slice(0, 10);
    const window = hours.days[local.getUTCDay() as 0 | 1 | 2 | 3 | 4 | 5 | 6];
    if (window && !holidays.has(iso)) {
      const open = dayStart + minutesOf(window[0]) * 60_000;
      const close = dayStart + minutesOf(window[1]) * 60_000;
      const from = Math.max(cursor, open);
      if (from < close) {
        if (from + left <= close) return new Date(from + left);
        left -= close - from;
      }
    }
    cursor = dayStart + DAY;
  }
  throw new Error('business hours leave no working time within two years: check the concerns policy');
}
