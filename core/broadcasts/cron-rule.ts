/**
 * Recurrence rules: five-field cron ("minute hour day-of-month month day-of-week") read in
 * Asia/Ho_Chi_Minh, as BullMQ Job Schedulers run them. Checked here so a bad rule is refused
 * with its reason before anything is scheduled, and so people can see the next run.
 */
import { VN_OFFSET_MINUTES } from './local-time.js';

/** Why a rule cannot be used; locales have `broadcasts:rule_error.<code>`. */
export type RecurrenceErrorCode = 'field_count' | 'bad_part' | 'bad_step' | 'out_of_range' | 'backwards' | 'too_often' | 'never_fires';

/** A field of a rule; locales have `broadcasts:rule_field.<name>`. */
export type CronFieldName = 'minute' | 'hour' | 'day' | 'month' | 'weekday';

/**
 * A recurrence rule that cannot be used: a code and its parameters (field, value, range…) for
 * people to read in their language; the message is for logs.
 */
export class InvalidRecurrenceError extends Error {
  override name = 'InvalidRecurrenceError';
  constructor(readonly code: RecurrenceErrorCode, readonly params: { field?: CronFieldName; value?: string; min?: number; max?: number; count?: number } = {}) {
    super(`recurrence rule refused: ${code} ${JSON.stringify(params)}`);
  }
}

const FIELDS: readonly { name: CronFieldName; min: number; max: number }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'weekday', min: 0, max: 7 },
];

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
  if (v === undefined || v < f.min || v > f.max) throw new InvalidRecurrenceError('out_of_range', { field: f.name, value: s, min: f.min, max: f.max });
  return v;
}

function field(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new InvalidRecurrenceError('bad_part', { field: f.name, value: part });
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) throw new InvalidRecurrenceError('bad_step', { field: f.name });
    let lo: number;
    let hi: number;
    if (m[1] === '*') [lo, hi] = [f.min, f.max];
    else if (m[1]!.includes('-')) {
      const [a, b] = m[1]!.split('-') as [string, string];
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw new InvalidRecurrenceError('backwards', { field: f.name, value: m[1]! });
    } else {
      lo = value(m[1]!, f);
      hi = m[2] ? f.max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'weekday' && v === 7 ? 0 : v);
  }
  return out;
}

/**
 * Parses a rule; refuses malformed ones and rules firing more than once an hour (a recurring
 * broadcast that often would flood people).
 */
export function parseCron(rule: string): CronRule {
  const parts = rule.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidRecurrenceError('field_count', { count: parts.length });
  const sets = parts.map((p, i) => field(p, FIELDS[i]!));
  // A recurring broadcast more often than hourly would flood people: one minute of the hour only.
  if (sets[0]!.size !== 1) throw new InvalidRecurrenceError('too_often');
  const r: CronRule = {
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays: sets[4]!,
    daysRestricted: parts[2] !== '*',
    weekdaysRestricted: parts[4] !== '*',
  };
  if (nextRun(r, new Date(0), 366 * 8) === undefined) throw new InvalidRecurrenceError('never_fires');
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
