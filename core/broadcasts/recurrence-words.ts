/**
 * Recurrences in plain words, both ways: what people type ("mỗi thứ Hai 8:00", "hằng ngày
 * 7h30", "ngày 15 hằng tháng 9 giờ", "every Monday 8:00") read into a five-field rule, and a
 * rule taken apart (daily / weekly on some days / monthly on some dates, at some times) so
 * flows can say it in words instead of showing cron.
 */
import { formatClock } from '../vn-time.js';
import { parseCron, skipsShortMonths } from './cron-rule.js';

/** Lower case, Vietnamese diacritics removed, "đ" → "d"; punctuation kept (times need ":"). */
function plain(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Weekday words (Vietnamese and English) → cron day of week (0 = Sunday). */
const WEEKDAYS: [RegExp, number][] = [
  [/\b(?:thu ?(?:hai|2)|t2|monday|mon)\b/g, 1],
  [/\b(?:thu ?(?:ba|3)|t3|tuesday|tue)\b/g, 2],
  [/\b(?:thu ?(?:tu|4)|t4|wednesday|wed)\b/g, 3],
  [/\b(?:thu ?(?:nam|5)|t5|thursday)\b/g, 4],
  [/\b(?:thu ?(?:sau|6)|t6|friday|fri)\b/g, 5],
  [/\b(?:thu ?(?:bay|7)|t7|saturday|sat)\b/g, 6],
  [/\b(?:chu ?nhat|cn|sunday|sun)\b/g, 0],
];

/** Looks like a typed five-field rule (digits, *, ranges, lists, steps, month and day names). */
export function looksLikeCron(text: string): boolean {
  const parts = text.trim().split(/\s+/);
  return parts.length >= 3 && parts.length <= 7 && parts.every((p) => /^[\d*,/-]+$/.test(p) || /^[a-z]{3}(?:-[a-z]{3})?$/i.test(p)) && parts.some((p) => /[\d*]/.test(p));
}

/**
 * Reads a recurrence typed in words into a rule, or undefined when it is not understood.
 * Needs a time ("8:00", "8h", "8h30", "8 giờ", "5 giờ chiều") and daily, weekday or
 * day-of-month words.
 */
export function parseRecurrenceWords(text: string): string | undefined {
  let s = ` ${plain(text)} `;
  const time =
    /\b(\d{1,2})\s*(?::|\.|h|g|gio)\s*(\d{2})?(?![a-z\d])(?:\s*(sang|trua|chieu|toi|am|pm)\b)?/.exec(s) ??
    /\b(\d{1,2})()\s*(am|pm)\b/.exec(s);
  if (!time) return undefined;
  let hour = Number(time[1]);
  const minute = time[2] ? Number(time[2]) : 0;
  if (time[3] && ['chieu', 'toi', 'pm'].includes(time[3]) && hour < 12) hour += 12;
  if (time[3] === 'trua' && hour < 6) hour += 12;
  if (hour > 23 || minute > 59) return undefined;
  s = s.slice(0, time.index) + ' ' + s.slice(time.index + time[0].length);

  const weekdays = new Set<number>();
  for (const [re, d] of WEEKDAYS) {
    if (re.test(s)) weekdays.add(d);
    re.lastIndex = 0;
  }
  const monthly = /\b(?:thang|month|monthly)\b/.test(s);
  const dayNumbers = [...s.matchAll(/\b(?:ngay|mung|mong|day|on the)?\s*(\d{1,2})(?:st|nd|rd|th)?\b/g)].map((m) => Number(m[1]));
  const daily = /\b(?:moi ngay|hang ngay|every day|daily)\b/.test(s);

  let rule: string | undefined;
  if (weekdays.size > 0 && !monthly) rule = `${minute} ${hour} * * ${[...weekdays].sort((a, b) => a - b).join(',')}`;
  else if (monthly && dayNumbers.length > 0 && weekdays.size === 0) {
    if (dayNumbers.some((d) => d < 1 || d > 31)) return undefined;
    rule = `${minute} ${hour} ${[...new Set(dayNumbers)].sort((a, b) => a - b).join(',')} * *`;
  } else if (daily && weekdays.size === 0 && dayNumbers.length === 0) rule = `${minute} ${hour} * * *`;
  if (!rule) return undefined;
  try {
    parseCron(rule);
    return rule;
  } catch {
    return undefined;
  }
}

/** A rule taken apart for saying it in words; `other` when it is none of the plain shapes. */
export type RecurrenceShape =
  | { kind: 'daily'; times: string[] }
  | { kind: 'weekly'; weekdays: number[]; times: string[] }
  /** `skips`: the day (29–31) some months lack; the run of that day is skipped there, not moved. */
  | { kind: 'monthly'; days: number[]; times: string[]; skips?: number }
  | { kind: 'other' };

/** The shape of a (valid) rule, as the library reads it: daily, weekly on some days or monthly on some dates, at some times. */
export function recurrenceShape(rule: string): RecurrenceShape {
  let r;
  try {
    r = parseCron(rule);
  } catch {
    return { kind: 'other' };
  }
  const times = r.hours.map((h) => formatClock(h * 60 + r.minutes[0]!));
  if (r.months.length !== 12 || times.length > 4) return { kind: 'other' };
  if (!r.daysRestricted && !r.weekdaysRestricted) return { kind: 'daily', times };
  if (!r.daysRestricted) return { kind: 'weekly', weekdays: [...r.weekdays].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)), times };
  if (!r.weekdaysRestricted) {
    const skips = skipsShortMonths(r);
    return { kind: 'monthly', days: r.days, times, ...(skips ? { skips } : {}) };
  }
  return { kind: 'other' };
}
