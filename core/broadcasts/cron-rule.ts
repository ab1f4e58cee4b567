/**
 * Recurrence rules: five-field cron ("minute hour day-of-month month day-of-week") read in
 * Asia/Ho_Chi_Minh, as BullMQ Job Schedulers run them. Checked here so a bad rule is refused
 * with its reason before anything is scheduled, and so people can see the next run.
 */
import { VN_OFFSET_MINUTES } from './local-time.js';

/** A recurrence rule that cannot be used; the message says why. */
export class InvalidRecurrenceError extends Error {
  override name = 'InvalidRecurrenceError';
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

/** A parsed rule: the allowed values of each field. */
export interface CronRule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Whether day-of-month / day-of-week were restricted (cron ORs them when both are). */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

function value(s: string, f: (typeof FIELDS)[number]): number {
  const v = /^\d+$/.test(s) ? Number(s) : NAMES[s.toLowerCase()];
  if (v === undefined || v < f.min || v > f.max) throw new InvalidRecurrenceError(`${f.name} "${s}" is out of range ${f.min}–${f.max}`);
  return v;
}

function field(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new InvalidRecurrenceError(`${f.name} "${part}" is not a number, range, list or step`);
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) throw new InvalidRecurrenceError(`${f.name} step must be at least 1`);
    let lo: number;
    let hi: number;
    if (m[1] === '*') [lo, hi] = [f.min, f.max];
    else if (m[1]!.includes('-')) {
      const [a, b] = m[1]!.split('-') as [string, string];
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw new InvalidRecurrenceError(`${f.name} range "${m[1]}" runs backwards`);
    } else {
      lo = value(m[1]!, f);
      hi = m[2] ? f.max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

/**
 * Parses a rule; refuses malformed ones and rules firing more than once an hour (a recurring
 * broadcast that often would flood people).
 */
export function parseCron(rule: string): CronRule {
  const parts = rule.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidRecurrenceError(`expected 5 fields "minute hour day month weekday", got ${parts.length}: "${rule}"`);
  const sets = parts.map((p, i) => field(p, FIELDS[i]!));
  if (sets[0]!.size !== 1) throw new InvalidRecurrenceError('a recurring broadcast may run at most once an hour: give one minute, e.g. "0 8 * * 1"');
  const r: CronRule = {
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays: sets[4]!,
    daysRestricted: parts[2] !== '*',
    weekdaysRestricted: parts[4] !== '*',
  };
  if (nextRun(r, new Date(0), 366 * 8) === undefined) throw new InvalidRecurrenceError(`the rule "${rule}" never fires (no such date)`);
  return r;
}

/** The first run strictly after `after`, looking at most `maxDays` ahead. */
export function nextRun(r: CronRule, after: Date, maxDays = 366 * 5): Date | undefined {
  const offset = VN_OFFSET_MINUTES * 60_000;
  let t = Math.floor((after.getTime() + offset) / 60_000 + 1) * 60_000; // local ms, next whole minute
  const end = t + maxDays * 24 * 60 * 60_000;
  while (t < end) {
    const d = new Date(t);
    const dayOk = r.daysRestricted && r.weekdaysRestricted ? r.days.has(d.getUTCDate()) || r.weekdays.has(d.getUTCDay()) : r.days.has(d.getUTCDate()) && r.weekdays.has(d.getUTCDay());
    if (!r.months.has(d.getUTCMonth() + 1) || !dayOk) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!r.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!r.minutes.has(d.getUTCMinutes())) {
      t += 60_000;
      continue;
    }
    return new Date(t - offset);
  }
  return undefined;
}
