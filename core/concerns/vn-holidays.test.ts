/** Vietnam's public holidays derived from the Labour Code's rules and the lunar calendar. */
import { describe, expect, it } from 'vitest';
import { publicHolidays } from './vn-holidays.js';

describe('public holidays', () => {
  it('gives 2026 as announced: Tết 14–22 February, Hùng Kings on a Sunday moved to Monday', () => {
    expect(publicHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
      '2026-04-26', '2026-04-27', '2026-04-30', '2026-05-01', '2026-09-01', '2026-09-02',
    ]);
  });

  it('derives 2027 by the rules: Tết from the last day of the lunar year, its Sunday given back on the next working day', () => {
    expect(publicHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10',
      '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-01', '2027-09-02',
    ]);
  });

  it("works for years nobody typed in: in Vietnam's time zone Tết 2030 falls on Saturday 2 February, its Sunday given back on the 6th", () => {
    expect(publicHolidays(2030).filter((d) => d.startsWith('2030-02'))).toEqual(['2030-02-01', '2030-02-02', '2030-02-03', '2030-02-04', '2030-02-05', '2030-02-06']);
    // National Day on a Monday: 1 and 2 September, nothing to give back.
    expect(publicHolidays(2031).filter((d) => d.startsWith('2031-09'))).toEqual(['2031-09-01', '2031-09-02']);
  });
});
