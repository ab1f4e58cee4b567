/**
 * Local time in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving), where schedules, quiet
 * hours and the times people type are read.
 */

/** Offset of Vietnam time from UTC, in minutes. */
export const VN_OFFSET_MINUTES = 7 * 60;

const DAY = 24 * 60 * 60_000;

/** Minutes since local midnight. */
export function localMinutes(at: Date): number {
  return Math.floor(((at.getTime() / 60_000 + VN_OFFSET_MINUTES) % 1440 + 1440) % 1440);
}

/** The instant of local `hh:mm` on the local day of `at` (possibly earlier than `at`). */
export function atLocalTime(at: Date, minutes: number): Date {
  const localMs = at.getTime() + VN_OFFSET_MINUTES * 60_000;
  const midnight = Math.floor(localMs / DAY) * DAY;
  return new Date(midnight + minutes * 60_000 - VN_OFFSET_MINUTES * 60_000);
}

/** Parses "HH:MM" (00:00–23:59) into minutes, or undefined. */
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

/**
 * Parses a local date-time typed by a person or given to the CLI: "25/12 08:00",
 * "25/12/2026 08:00", "2026-12-25 08:00" or an ISO instant with offset. Day-month without a
 * year means this year; if that has passed, `nextYear` holds the same day next year, for the
 * person to choose (it is never taken silently).
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
  let rest: string;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(.+)$/.exec(text);
  const dmy = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+(.+)$/.exec(text);
  if (iso) [y, mo, d, rest] = [Number(iso[1]), Number(iso[2]), Number(iso[3]), iso[4]!];
  else if (dmy) [d, mo, y, rest] = [Number(dmy[1]), Number(dmy[2]), dmy[3] ? Number(dmy[3]) : undefined, dmy[4]!];
  else return undefined;
  const minutes = parseClock(rest);
  if (minutes === undefined) return undefined;
  const build = (year: number) => {
    const utc = Date.UTC(year, mo - 1, d, 0, minutes) - VN_OFFSET_MINUTES * 60_000;
    const check = new Date(utc + VN_OFFSET_MINUTES * 60_000);
    return check.getUTCMonth() === mo - 1 && check.getUTCDate() === d ? new Date(utc) : undefined;
  };
  if (y !== undefined) {
    const at = build(y);
    return at && { at };
  }
  const thisYear = new Date(now.getTime() + VN_OFFSET_MINUTES * 60_000).getUTCFullYear();
  const at = build(thisYear);
  const next = build(thisYear + 1);
  if (!at) return next && { at: next }; // 29/02 in a year without it
  return at.getTime() > now.getTime() || !next ? { at } : { at, nextYear: next };
}

/** The instant of a typed local date-time (day-month without a year: this year, even if passed). */
export function parseLocalDateTime(s: string, now: Date): Date | undefined {
  return parseTypedTime(s, now)?.at;
}

/** "25/12/2026 08:00" in local time, for people. */
export function formatLocal(at: Date): string {
  const l = new Date(at.getTime() + VN_OFFSET_MINUTES * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()} ${p(l.getUTCHours())}:${p(l.getUTCMinutes())}`;
}

/** "01/07/2025" in local time, for people. */
export function formatLocalDate(at: Date): string {
  return formatLocal(at).slice(0, 10);
}
