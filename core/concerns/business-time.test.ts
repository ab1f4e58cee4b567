import { describe, expect, it } from 'vitest';
import { addBusinessTime } from './business-time.js';
import { DEFAULT_POLICY } from './policy.js';
import { parseReferenceCode, referenceCode } from './reference-code.js';

const hours = DEFAULT_POLICY.businessHours;
const H = 3600_000;
/** A Vietnam local time as a Date. */
const vn = (s: string) => new Date(`${s}+07:00`);

describe('business time', () => {
  it('runs within opening hours on a weekday', () => {
    expect(addBusinessTime(vn('2026-11-25T08:00:00'), 2 * H, hours)).toEqual(vn('2026-11-25T10:00:00'));
  });

  it('carries over the night, and from Saturday noon to Monday', () => {
    expect(addBusinessTime(vn('2026-11-25T16:00:00'), 2 * H, hours)).toEqual(vn('2026-11-26T08:30:00'));
    expect(addBusinessTime(vn('2026-11-28T11:00:00'), 1 * H, hours)).toEqual(vn('2026-11-30T08:00:00'));
  });

  it('starts at opening time when raised at night', () => {
    expect(addBusinessTime(vn('2026-11-25T23:00:00'), 1 * H, hours)).toEqual(vn('2026-11-26T08:30:00'));
  });

  it('skips the Tết holidays', () => {
    // Thursday 4 Feb 2027, 16:00: one hour left that day, then Tết 5–9 Feb and the 10th for its Sunday, back on Thursday 11 Feb.
    expect(addBusinessTime(vn('2027-02-04T16:00:00'), 2 * H, hours)).toEqual(vn('2027-02-11T08:30:00'));
  });

  it('is plain elapsed time when always open', () => {
    expect(addBusinessTime(vn('2027-02-06T03:00:00'), 90_000, { ...hours, alwaysOpen: true })).toEqual(vn('2027-02-06T03:01:30'));
  });

  it('refuses a calendar with no working time', () => {
    expect(() => addBusinessTime(new Date(), H, { ...hours, days: {} })).toThrow('business hours');
  });
});

describe('reference codes', () => {
  it('are short, stable per intake, readable, and parse from what people type', () => {
    const a = referenceCode('console:lan:e1');
    expect(a).toMatch(/^PA-[2-9A-HJKMNP-Z]{4}$/);
    expect(referenceCode('console:lan:e1')).toBe(a);
    expect(referenceCode('console:lan:e1', 1)).not.toBe(a);
    expect(parseReferenceCode(`#${a.toLowerCase().replace('-', ' ')}`)).toBe(a);
    expect(parseReferenceCode('xin chào')).toBeUndefined();
  });
});
