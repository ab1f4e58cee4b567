/**
 * Vietnam's public holidays for any year, from the Labour Code 2019 (art. 112): New Year's Day;
 * five days of Tết (the last day of the lunar year and the first four of the new one); the Hùng
 * Kings' day (10th of the 3rd lunar month); 30 April; 1 May; National Day, 2 September and the
 * day before. A holiday on the weekly rest day (Sunday) gives the next working day off (art.
 * 111). The lunar dates come from `date-holidays` (country VN); the government's announced
 * extra days and swaps are data (holiday-swaps.ts).
 */
import Holidays from 'date-holidays';
import { ANNOUNCED_DAYS_OFF } from './holiday-swaps.js';

const vn = new Holidays('VN');
const DAY = 86_400_000;

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const at = (d: string) => Date.parse(`${d}T00:00:00Z`);
const isSunday = (d: string) => new Date(at(d)).getUTCDay() === 0;

/** The first day of the lunar year and the Hùng Kings' day of a Gregorian year, as "YYYY-MM-DD". */
function lunarAnchors(year: number): { tet: string; hungKings: string } {
  const found = vn.getHolidays(year).filter((h) => h.type === 'public');
  const byName = (pattern: RegExp) => found.find((h) => pattern.test(h.name))?.date.slice(0, 10);
  const tet = byName(/^Tết Nguyên Đán$/);
  const hungKings = byName(/Hùng Vương/);
  if (!tet || !hungKings) throw new Error(`date-holidays gave no Tết or Hùng Kings' day for ${year}`);
  return { tet, hungKings };
}

/** Every day off of `year` by law and by announcement, sorted. */
export function publicHolidays(year: number): string[] {
  const { tet, hungKings } = lunarAnchors(year);
  const days = new Set<string>([`${year}-01-01`, hungKings, `${year}-04-30`, `${year}-05-01`, `${year}-09-01`, `${year}-09-02`]);
  for (let i = -1; i <= 3; i++) days.add(iso(at(tet) + i * DAY));
  // A holiday on a Sunday: the next day that is neither a Sunday nor a holiday is off instead.
  for (const d of [...days].sort()) {
    if (!isSunday(d)) continue;
    let next = at(d) + DAY;
    while (isSunday(iso(next)) || days.has(iso(next))) next += DAY;
    days.add(iso(next));
  }
  const announced = ANNOUNCED_DAYS_OFF[year];
  for (const d of announced?.add ?? []) days.add(d);
  for (const d of announced?.remove ?? []) days.delete(d);
  return [...days].sort();
}

/** Days off of every year from `from` to `to`, inclusive. */
export function publicHolidaysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let y = from; y <= to; y++) out.push(...publicHolidays(y));
  return out;
}
