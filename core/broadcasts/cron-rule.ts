/**
 * Recurrence rules: five-field cron ("minute hour day-of-month month day-of-week") in Vietnam
 * time, read by `cron-parser` — the library BullMQ's Job Schedulers run them with — so the
 * rule accepted, the fields said back in words and the next runs shown are what will run.
 * On top of the library, the project's own rules: five plain fields (numbers, names, ranges,
 * lists, steps; no seconds and none of the library's extensions), at most one run an hour,
 * and a rule that never comes round is refused. A refusal carries a code and its parameters
 * so people read the reason in their language.
 */
import { CronDayOfMonth, CronDayOfWeek, CronExpressionParser, CronHour, CronMinute, CronMonth, type CronExpression } from 'cron-parser';
import { DEFAULT_TZ } from '../jobs.js';

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

/** The five fields in order, with their allowed range as the library has it. */
const FIELDS: readonly { name: CronFieldName; min: number; max: number }[] = [
  { name: 'minute', min: CronMinute.min, max: CronMinute.max },
  { name: 'hour', min: CronHour.min, max: CronHour.max },
  { name: 'day', min: CronDayOfMonth.min, max: CronDayOfMonth.max },
  { name: 'month', min: CronMonth.min, max: CronMonth.max },
  { name: 'weekday', min: CronDayOfWeek.min, max: CronDayOfWeek.max },
];

/**
 * What a plain part looks like: `*` or a value or range (numbers or names), with an optional
 * step. The library's one-letter extensions (`L` last, `H` random) and `?`, `#` are not plain.
 */
const PLAIN_ITEM = /^(\*|(?:\d+|[A-Za-z]{2,})(?:-(?:\d+|[A-Za-z]{2,}))?)(?:\/\d+)?$/;

/** How far ahead a rule must come round at least once (a 29 February rule does within 8 years). */
const HORIZON_MS = 8 * 366 * 24 * 3600_000;

/** A rule as the library reads it. */
export interface CronRule {
  /** The rule with single spaces, as handed to the Job Scheduler. */
  pattern: string;
  /** Allowed values of each field, ascending (weekday 0 = Sunday; 7 is read as 0). */
  minutes: number[];
  hours: number[];
  days: number[];
  months: number[];
  weekdays: number[];
  /** Whether day-of-month / day-of-week are restricted (cron ORs them when both are). */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

function expression(pattern: string, after: Date, until?: Date): CronExpression {
  return CronExpressionParser.parse(pattern, { tz: DEFAULT_TZ, currentDate: after, ...(until ? { endDate: until } : {}) });
}

/** The rule with `part` in field `i` and every other field unrestricted, to see what the library says of one part. */
function probe(i: number, part: string): Error | undefined {
  const parts = ['0', '0', '*', '*', '*'];
  parts[i] = part;
  try {
    CronExpressionParser.parse(parts.join(' '));
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** Why the library refused part `i` of a rule, as a code and its parameters. */
function refusal(i: number, part: string): InvalidRecurrenceError | undefined {
  const f = FIELDS[i]!;
  const items = part.split(',');
  // The first item the library refuses on its own, then (in a range) the end it refuses.
  const item = items.find((it) => probe(i, it)) ?? (probe(i, part) ? part : undefined);
  if (item === undefined) return undefined;
  const err = probe(i, item)!;
  const bare = item.replace(/\/.*$/, '');
  if (/repeat|step/i.test(err.message)) return new InvalidRecurrenceError('bad_step', { field: f.name });
  if (/min(?:\(\d+\))? > max/.test(err.message)) return new InvalidRecurrenceError('backwards', { field: f.name, value: bare });
  if (/range|alias/i.test(err.message)) {
    const end = bare.split('-').find((e) => e !== '*' && probe(i, e)) ?? bare;
    return new InvalidRecurrenceError('out_of_range', { field: f.name, value: end, min: f.min, max: f.max });
  }
  return new InvalidRecurrenceError('bad_part', { field: f.name, value: item });
}

/**
 * Reads a rule with the library; refuses malformed ones, the library's extensions, rules
 * firing more than once an hour (a recurring broadcast that often would flood people) and
 * rules that never come round (looking from `now`).
 */
export function parseCron(rule: string, now = new Date()): CronRule {
  const parts = rule.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidRecurrenceError('field_count', { count: parts.length });
  parts.forEach((part, i) => {
    const bad = part.split(',').find((item) => !PLAIN_ITEM.test(item));
    if (bad !== undefined) throw new InvalidRecurrenceError('bad_part', { field: FIELDS[i]!.name, value: bad });
  });
  const pattern = parts.join(' ');
  let parsed: CronExpression;
  try {
    parsed = expression(pattern, now, new Date(now.getTime() + HORIZON_MS));
  } catch (err) {
    for (let i = 0; i < 5; i++) {
      const why = refusal(i, parts[i]!);
      if (why) throw why;
    }
    // Every part is fine alone: the days asked for do not exist in the months asked for (31/2).
    throw Object.assign(new InvalidRecurrenceError('never_fires'), { cause: err });
  }
  const f = parsed.fields;
  const numbers = (values: readonly (number | string)[]) => [...new Set(values.filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  const r: CronRule = {
    pattern,
    minutes: numbers(f.minute.values),
    hours: numbers(f.hour.values),
    days: numbers(f.dayOfMonth.values),
    months: numbers(f.month.values),
    weekdays: numbers(f.dayOfWeek.values.map((v) => (v === 7 ? 0 : v))),
    daysRestricted: !f.dayOfMonth.isWildcard,
    weekdaysRestricted: !f.dayOfWeek.isWildcard,
  };
  // A recurring broadcast more often than hourly would flood people: one minute of the hour only.
  if (r.minutes.length !== 1) throw new InvalidRecurrenceError('too_often');
  try {
    parsed.next();
  } catch (err) {
    throw Object.assign(new InvalidRecurrenceError('never_fires'), { cause: err });
  }
  return r;
}

/**
 * The first `count` runs strictly after `after`, computed as the Job Scheduler computes them
 * (the library, in Vietnam time); a stored rule may be given as its text. None when the library
 * cannot read the rule or finds no run within its search limit.
 */
export function nextRuns(rule: CronRule | string, after: Date, count: number): Date[] {
  const runs: Date[] = [];
  try {
    const it = expression(typeof rule === 'string' ? rule.trim().split(/\s+/).join(' ') : rule.pattern, after);
    while (runs.length < count) runs.push(new Date(it.next().getTime()));
  } catch {
    // Unreadable, or no further run: what was found is all there is.
  }
  return runs;
}

/** The first run strictly after `after`, as the Job Scheduler computes it (Vietnam time). */
export function nextRun(rule: CronRule | string, after: Date): Date | undefined {
  return nextRuns(rule, after, 1)[0];
}

/** Whether some months have no run on a day of this rule (day 29–31): those runs are skipped, not moved. */
export function skipsShortMonths(r: CronRule): number | undefined {
  if (!r.daysRestricted || r.weekdaysRestricted) return undefined;
  const last = r.days[r.days.length - 1]!;
  return last >= 29 ? last : undefined;
}
