/** Vietnam time: one display format, typed times, day boundaries — checked against the time zone database. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatVnDate,
  formatVnTime,
  parseClock,
  parseTypedTime,
  parseVnDateTime,
  VN_TZ,
  vnAtClock,
  vnDay,
  vnDayStart,
  vnDayStartOf,
  vnInstant,
  vnMinutesOfDay,
  vnParts,
} from './vn-time.js';

const now = new Date('2026-11-25T02:00:00Z'); // 09:00 in Vietnam

/** The wall clock in Vietnam as the platform's time zone database says it. */
function intlParts(at: Date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: VN_TZ, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), weekday };
}

describe('Vietnam time', () => {
  it('agrees with the time zone database for any instant since 1980', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
        expect(vnParts(at)).toEqual(intlParts(at));
      }),
      { numRuns: 500 },
    );
  });

  it('shows an instant one way: "HH:mm dd/MM/yyyy", 24-hour, and the day alone as "dd/MM/yyyy"', () => {
    expect(formatVnTime(now)).toBe('09:00 25/11/2026');
    expect(formatVnTime(new Date('2026-11-25T07:05:00Z'))).toBe('14:05 25/11/2026');
    expect(formatVnTime(new Date('2026-12-31T17:30:00Z'))).toBe('00:30 01/01/2027'); // the next day in Vietnam
    expect(formatVnDate(new Date('2025-06-30T17:00:00Z'))).toBe('01/07/2025');
    expect(formatVnDate(new Date('2025-06-30T16:59:59Z'))).toBe('30/06/2025');
    expect(formatClock(8 * 60 + 5)).toBe('08:05');
  });

  it('draws day boundaries at midnight in Vietnam (17:00 UTC)', () => {
    expect(vnDay(new Date('2026-11-25T16:59:59.999Z'))).toBe('2026-11-25');
    expect(vnDay(new Date('2026-11-25T17:00:00Z'))).toBe('2026-11-26');
    expect(vnDayStart(now).toISOString()).toBe('2026-11-24T17:00:00.000Z');
    expect(vnDayStart(now, 1).toISOString()).toBe('2026-11-25T17:00:00.000Z');
    expect(vnDayStartOf('2025-07-01')?.toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(vnDayStartOf('2025-02-30')).toBeUndefined();
    expect(vnDayStartOf('1/7/2025')).toBeUndefined();
    expect(vnMinutesOfDay(now)).toBe(9 * 60);
    expect(vnMinutesOfDay(new Date('2026-11-25T16:59:00Z'))).toBe(23 * 60 + 59);
    expect(vnAtClock(now, 19 * 60).toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect(vnAtClock(now, 8 * 60, 1).toISOString()).toBe('2026-11-26T01:00:00.000Z');
    expect(vnAtClock(now, 7 * 60).toISOString()).toBe('2026-11-25T00:00:00.000Z'); // earlier than `now` on the same day
    expect(vnInstant(2027, 2, 29)).toBeUndefined();
    expect(vnInstant(2028, 2, 29, 8 * 60)?.toISOString()).toBe('2028-02-29T01:00:00.000Z');
  });

  it('reads clock times', () => {
    expect(parseClock('8:30')).toBe(510);
    expect(parseClock('08h30')).toBe(510);
    expect(parseClock('8.30')).toBe(510);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('8')).toBeUndefined();
  });

  it('reads typed times as Vietnam time; day-month without a year is this year', () => {
    expect(parseVnDateTime('25/12 08:00', now)?.toISOString()).toBe('2026-12-25T01:00:00.000Z');
    expect(parseTypedTime('25/12 08:00', now)).toEqual({ at: new Date('2026-12-25T01:00:00.000Z') });
    expect(parseVnDateTime('2026-11-30 19:30', now)?.toISOString()).toBe('2026-11-30T12:30:00.000Z');
    expect(parseVnDateTime('2026-11-30T19:30:00+07:00', now)?.toISOString()).toBe('2026-11-30T12:30:00.000Z');
    expect(parseVnDateTime('31/02/2027 08:00', now)).toBeUndefined();
    expect(parseVnDateTime('25/12 25:00', now)).toBeUndefined();
    expect(parseVnDateTime('tomorrow', now)).toBeUndefined();
  });

  it('reads a time typed the way it is shown ("08:00 25/12/2026")', () => {
    expect(parseVnDateTime('08:00 25/12/2026', now)?.toISOString()).toBe('2026-12-25T01:00:00.000Z');
    expect(parseVnDateTime('8h30 25/12', now)?.toISOString()).toBe('2026-12-25T01:30:00.000Z');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1) / 60_000, max: Date.UTC(2099, 0, 1) / 60_000 }), (minute) => {
        const at = new Date(minute * 60_000);
        expect(parseVnDateTime(formatVnTime(at), now)).toEqual(at);
      }),
    );
  });

  it('never moves a passed day-month to next year silently: it is offered beside the passed time', () => {
    expect(parseTypedTime('24/11 08:00', now)).toEqual({ at: new Date('2026-11-24T01:00:00.000Z'), nextYear: new Date('2027-11-24T01:00:00.000Z') });
    expect(parseTypedTime('01/01 08:00', now)).toEqual({ at: new Date('2026-01-01T01:00:00.000Z'), nextYear: new Date('2027-01-01T01:00:00.000Z') });
    expect(parseVnDateTime('01/01 08:00', now)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    // A typed year is taken as typed; 29/02 without a year is next year's when this year lacks it.
    expect(parseTypedTime('24/11/2026 08:00', now)).toEqual({ at: new Date('2026-11-24T01:00:00.000Z') });
    expect(parseTypedTime('29/02 08:00', new Date('2027-03-01T00:00:00Z'))).toEqual({ at: new Date('2028-02-29T01:00:00.000Z') });
    expect(parseTypedTime('29/02 08:00', now)).toBeUndefined();
  });
});
