/**
 * Vietnam time (Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving since 1975), the one
 * place where instants become local days and clock times and back: reading times people type,
 * showing times to people in one format ("HH:mm dd/MM/yyyy", 24-hour, as Vietnamese write it),
 * and local day boundaries. Schedules, quiet hours, deadlines and survey days all go through it.
 */

/** The IANA name of Vietnam time, for BullMQ Job Schedulers and cron rules. */
export const VN_TZ = 'Asia/Ho_Chi_Minh';

/** Offset of Vietnam time from UTC, in minutes. */
export const VN_OFFSET_MINUTES = 7 * 60;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const OFFSET_MS = VN_OFFSET_MINUTES * MINUTE;

/** The wall clock in Vietnam at an instant. */
export interface VnParts {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** The local date and time of `at` in Vietnam. */
export function vnParts(at: Date): VnParts {
  const l = new Date(at.getTime() + OFFSET_MS);
  return { year: l.getUTCFullYear(), month: l.getUTCMonth() + 1, day: l.getUTCDate(), hour: l.getUTCHours(), minute: l.getUTCMinutes(), weekday: l.getUTCDay() };
}

/** The instant of a Vietnam wall-clock time; undefined when the date does not exist (31/02). */
export function vnInstant(year: number, month: number, day: number, minutes = 0): Date | undefined {
  const localMs = Date.UTC(year, month - 1, day, 0, minutes);
  const check = new Date(localMs);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return new Date(localMs - OFFSET_MS);
}

/** Minutes since midnight in Vietnam (0–1439). */
export function vnMinutesOfDay(at: Date): number {
  return Math.floor((((at.getTime() + OFFSET_MS) % DAY) + DAY) % DAY / MINUTE);
}

/** The instant Vietnam's day of `at` begins (local midnight), `days` days later when given. */
export function vnDayStart(at: Date, days = 0): Date {
  const localMs = at.getTime() + OFFSET_MS;
  return new Date(Math.floor(localMs / DAY) * DAY + days * DAY - OFFSET_MS);
}

/** The instant of local `minutes` (since midnight) on Vietnam's day of `at`, `days` days later when given (possibly before `at`). */
export function vnAtClock(at: Date, minutes: number, days = 0): Date {
  return new Date(vnDayStart(at, days).getTime() + minutes * MINUTE);
}

/** Vietnam's calendar day of `at`, "YYYY-MM-DD" (day keys, e.g. the day a survey was answered). */
export function vnDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a calendar day "YYYY-MM-DD" begins in Vietnam; undefined when it is no real day. */
export function vnDayStartOf(day: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? vnInstant(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05 25/11/2026": an instant shown to people, in Vietnam time. */
export function formatVnTime(at: Date): string {
  const p = vnParts(at);
  return `${pad(p.hour)}:${pad(p.minute)} ${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** "25/11/2026": the Vietnam day of an instant, shown to people. */
export function formatVnDate(at: Date): string {
  const p = vnParts(at);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** "08:30": local minutes since midnight as a clock time. */
export function formatClock(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Parses a clock time "8:30", "08:30", "8h30", "8.30" (00:00–23:59) into minutes since midnight. */
export function parseClock(s: string): number | undefined {
  const m = /^(\d{1,2})[:hH.](\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : undefined;
}

/** A typed date-time; when no year was typed and the day has passed this year, the same day next year. */
export interface TypedTime {
  at: Date;
  /** Offered instead of `at` when `at` (this year, no year typed) has already passed. */
  nextYear?: Date;
}

const CLOCK = String.raw`(\d{1,2}[:hH.]\d{2})`;
const DAY_MONTH = String.raw`(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?`;
const ISO_DATE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+${CLOCK}$`);
const DATE_FIRST = new RegExp(String.raw`^${DAY_MONTH}\s+${CLOCK}$`);
const TIME_FIRST = new RegExp(String.raw`^${CLOCK}\s+${DAY_MONTH}$`);

/**
 * Parses a Vietnam date-time typed by a person or given to the CLI: "25/12 08:00",
 * "25/12/2026 08:00", "08:00 25/12/2026" (as times are shown), "2026-12-25 08:00", or an ISO
 * instant with its offset. Day-month without a year means this year; if that has passed,
 * `nextYear` holds the same day next year, for the person to choose (never taken silently).
 */
export function parseTypedTime(s: string, now: Date): TypedTime | undefined {
  const text = s.trim();
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? undefined : { at: d };
  }
  let y: number | undefined;
  let mo: number;
  let d: number;
  let clock: string;
  let m: RegExpExecArray | null;
  if ((m = ISO_DATE.exec(text))) [y, mo, d, clock] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]!];
  else if ((m = DATE_FIRST.exec(text))) [d, mo, y, clock] = [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined, m[4]!];
  else if ((m = TIME_FIRST.exec(text))) [clock, d, mo, y] = [m[1]!, Number(m[2]), Number(m[3]), m[4] ? Number(m[4]) : undefined];
  else return undefined;
  const minutes = parseClock(clock);
  if (minutes === undefined) return undefined;
  if (y !== undefined) {
    const at = vnInstant(y, mo, d, minutes);
    return at && { at };
  }
  const thisYear = vnParts(now).year;
  const at = vnInstant(thisYear, mo, d, minutes);
  const next = vnInstant(thisYear + 1, mo, d, minutes);
  if (!at) return next && { at: next }; // 29/02 in a year without it
  return at.getTime() > now.getTime() || !next ? { at } : { at, nextYear: next };
}

/** The instant of a typed Vietnam date-time (day-month without a year: this year, even if passed). */
export function parseVnDateTime(s: string, now: Date): Date | undefined {
  return parseTypedTime(s, now)?.at;
}
