/**
 * Days off the government announced beyond what the Labour Code's rules give (vn-holidays.ts):
 * the longer Tết breaks and bridge days decided each year, with the working Saturdays or
 * Sundays they are swapped for. Add a year when its decision is published.
 */
export const ANNOUNCED_DAYS_OFF: Record<number, { add?: string[]; remove?: string[]; source: string }> = {
  2026: { add: ['2026-02-14', '2026-02-15', '2026-02-21', '2026-02-22'], source: 'Tết Bính Ngọ: nine days off, 14–22 February 2026' },
};
