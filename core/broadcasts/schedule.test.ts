/** Vietnam-time parsing, quiet hours and recurrence rules. */
import { describe, expect, it } from 'vitest';
import { InvalidRecurrenceError, nextRun, parseCron } from './cron-rule.js';
import { formatLocal, parseLocalDateTime } from './local-time.js';
import { DEFAULT_QUIET_HOURS, quietUntil } from './quiet-hours.js';

const now = new Date('2026-11-25T02:00:00Z'); // 09:00 in Vietnam

describe('local time', () => {
  it('reads typed times as Vietnam time; day-month without a year is the next such day', () => {
    expect(parseLocalDateTime('25/12 08:00', now)?.toISOString()).toBe('2026-12-25T01:00:00.000Z');
    expect(parseLocalDateTime('01/01 08:00', now)?.toISOString()).toBe('2027-01-01T01:00:00.000Z');
    expect(parseLocalDateTime('2026-11-30 19:30', now)?.toISOString()).toBe('2026-11-30T12:30:00.000Z');
    expect(parseLocalDateTime('31/02/2027 08:00', now)).toBeUndefined();
    expect(parseLocalDateTime('25/12 25:00', now)).toBeUndefined();
    expect(parseLocalDateTime('tomorrow', now)).toBeUndefined();
    expect(formatLocal(now)).toBe('25/11/2026 09:00');
  });
});

describe('quiet hours', () => {
  it('holds from 21:30 to 07:00 local across midnight', () => {
    expect(quietUntil(DEFAULT_QUIET_HOURS, now)).toBeUndefined();
    expect(quietUntil(DEFAULT_QUIET_HOURS, new Date('2026-11-25T14:29:00Z'))).toBeUndefined(); // 21:29
    expect(quietUntil(DEFAULT_QUIET_HOURS, new Date('2026-11-25T14:30:00Z'))?.toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(quietUntil(DEFAULT_QUIET_HOURS, new Date('2026-11-25T20:00:00Z'))?.toISOString()).toBe('2026-11-26T00:00:00.000Z'); // 03:00
    expect(quietUntil(DEFAULT_QUIET_HOURS, new Date('2026-11-26T00:00:00Z'))).toBeUndefined(); // 07:00 sharp
    expect(quietUntil(null, new Date('2026-11-25T20:00:00Z'))).toBeUndefined();
  });
});

describe('recurrence rules', () => {
  it('finds the next run in Vietnam time', () => {
    expect(nextRun(parseCron('0 8 * * 1'), now)?.toISOString()).toBe('2026-11-30T01:00:00.000Z'); // Monday 08:00
    expect(nextRun(parseCron('30 7 1 * *'), now)?.toISOString()).toBe('2026-12-01T00:30:00.000Z');
    expect(nextRun(parseCron('0 9 * * *'), now)?.toISOString()).toBe('2026-11-26T02:00:00.000Z'); // not "now" itself
  });

  it.each([
    ['61 8 * * *', /minute "61" is out of range/],
    ['0 8 * *', /expected 5 fields/],
    ['*/15 8 * * *', /at most once an hour/],
    ['0 8 31 2 *', /never fires/],
    ['0 8 * * funday', /day of week "funday"/],
    ['0 20-8 * * *', /runs backwards/],
  ])('refuses %s', (rule, why) => {
    expect(() => parseCron(rule)).toThrow(InvalidRecurrenceError);
    expect(() => parseCron(rule)).toThrow(why);
  });
});
