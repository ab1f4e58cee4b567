/**
 * Reads a number typed the way people write it: "1.500" (dots between thousands), "1,5" (the
 * Vietnamese decimal comma), "khoảng 10", and the unit the question counts — hours ("10 tiếng",
 * "10h", "10 giờ/tuần") or money in thousands of đồng ("1500", "1500k", "1,5 triệu", "1tr5",
 * "1.500.000 đ"). The caller checks the result against the question's range.
 */
import type { Question } from './definition.js';

export type NumberUnit = NonNullable<Question['unit']>;

/** Lower case without diacritics ("đ" → "d"), punctuation kept (it carries the number's meaning). */
const plain = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();

const HOURS = new Set(['h', 'g', 'gio', 'tieng', 'hour', 'hours', 'hr', 'hrs']);
/** Money words and what one of them is worth in đồng. */
const MONEY: Record<string, number> = { d: 1, dong: 1, vnd: 1, k: 1e3, nghin: 1e3, ngan: 1e3, ng: 1e3, tr: 1e6, trieu: 1e6, cu: 1e6, m: 1e6, mil: 1e6, million: 1e6 };

/** A number written with thousands dots or commas and an optional decimal comma, or undefined. */
function numeral(s: string): number | undefined {
  // A dot or comma followed by exactly three digits separates thousands; another is a decimal mark.
  const t = s.replace(/(?<=\d)[.,](?=\d{3}(?!\d))/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/** The value in the question's unit, or undefined when the text is not such a number. */
export function readNumber(text: string, unit?: NumberUnit): number | undefined {
  let t = plain(text)
    .replace(/^(khoang|tam|chung|about|around|~)\s*/, '')
    // "10 tiếng/tuần", "10 giờ mỗi tuần", "1,5 triệu một tháng": the period is the question's.
    .replace(/\s*\/.*$/, '')
    .replace(/\s+(moi|mot|1|per|a|each)\s+\S+$/, '')
    .trim();
  // "1 500 000": spaces between groups of three digits.
  t = t.replace(/(?<=^-?\d{1,3}(?: \d{3})*) (?=\d{3}(?!\d))/g, '');
  if (unit === 'thousand_dong') {
    // "1tr5", "1 triệu 2", "1 triệu rưỡi", "2tr250": millions and a part of one.
    const m = /^(\d+) ?(tr|trieu|cu) ?(\d{1,3}|ruoi)?( ?(d|dong|vnd))?$/.exec(t);
    if (m?.[3]) return Math.round((Number(m[1]) + (m[3] === 'ruoi' ? 0.5 : Number(m[3]) / 10 ** m[3].length)) * 1000);
  }
  const m = /^(-?\d[\d.,]*) ?([a-z]*)(?: (d|dong|vnd))?$/.exec(t);
  if (!m) return undefined;
  const value = numeral(m[1]!);
  if (value === undefined) return undefined;
  const word = m[2]!;
  // "nghìn đồng", "triệu đồng": the second word only repeats the currency.
  if (m[3] && !(word in MONEY)) return undefined;
  if (!word) return value;
  if (HOURS.has(word)) return unit === 'thousand_dong' ? undefined : value;
  const worth = MONEY[word];
  if (worth === undefined || unit !== 'thousand_dong') return undefined;
  return Math.round((value * worth) / 1000);
}
