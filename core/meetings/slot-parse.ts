/**
 * Reads a meeting time as cadres type it, in Vietnam time: "sau ca sáng 14:30" (the next 14:30),
 * "Chủ nhật 9:00", "thứ 7 19h30", "mai 8h", "7 giờ tối", "25/12 08:00", "08:00 25/12/2026".
 * Day words are Vietnamese (with or without diacritics) or English. The words left once the
 * time and date are taken out ("sau ca sáng", "Chủ nhật") are kept as the slot's label, so
 * people read what the cadre meant next to the exact time.
 */
import { fold } from '../text-normalize.js';
import { parseTypedTime, vnAtClock, vnInstant, vnParts } from '../vn-time.js';

/** A candidate time of a meeting. */
export interface MeetingSlot {
  at: Date;
  /** What the cadre wrote besides the time ("sau ca sáng"), possibly empty. */
  label: string;
}

/** Why a typed time was not taken. */
export type SlotProblem = 'no_time' | 'bad_date' | 'past' | 'too_far';

export type SlotParse = { ok: true; slot: MeetingSlot } | { ok: false; problem: SlotProblem };

/** Times more than this far ahead are refused (a typo in the year, most likely). */
export const MAX_DAYS_AHEAD = 366;

/** Longest label kept. */
export const MAX_LABEL_CHARS = 40;

const DAY_MS = 24 * 3600_000;

/** Folded day words → weekday (0 = Sunday). Longest first, so "thu hai" wins over "thu". */
const WEEKDAYS: [string, number][] = [
  ['chu nhat', 0], ['cn', 0], ['sunday', 0], ['sun', 0],
  ['thu hai', 1], ['thu 2', 1], ['t2', 1], ['monday', 1], ['mon', 1],
  ['thu ba', 2], ['thu 3', 2], ['t3', 2], ['tuesday', 2], ['tue', 2],
  ['thu tu', 3], ['thu 4', 3], ['t4', 3], ['wednesday', 3], ['wed', 3],
  ['thu nam', 4], ['thu 5', 4], ['t5', 4], ['thursday', 4],
  ['thu sau', 5], ['thu 6', 5], ['t6', 5], ['friday', 5], ['fri', 5],
  ['thu bay', 6], ['thu 7', 6], ['t7', 6], ['saturday', 6], ['sat', 6],
];

/** Folded words for days counted from today. */
const RELATIVE_DAYS: [string, number][] = [
  ['hom nay', 0], ['today', 0], ['ngay mai', 1], ['mai', 1], ['tomorrow', 1], ['ngay kia', 2], ['ngay mot', 2],
];

/** "14:30", "9h", "9h30", "9 giờ", "9 giờ 30", "7g", optionally followed by sáng/chiều/tối/am/pm. */
const CLOCK = /(?<![\p{L}\p{N}/])(\d{1,2})\s*(?:[:.]\s*(\d{2})|[hg]\s*(\d{2})?|giờ\s*(\d{2})?(?:\s*phút)?|gio\s*(\d{2})?)(?:\s+(sáng|sang|trưa|trua|chiều|chieu|tối|toi|đêm|dem|am|pm))?(?![\p{L}\p{N}])/iu;
/** "25/12", "25/12/2026", "25-12-2026". */
const DATE = /(?<![\p{L}\p{N}])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}))?(?![\p{L}\p{N}])/u;

const AFTERNOON = new Set(['chieu', 'toi', 'pm']);

/** Finds a folded phrase as whole words in folded text. */
function findWord(folded: string, phrase: string): boolean {
  return new RegExp(`(^| )${phrase}( |$)`).test(folded);
}

/** Removes a folded phrase (as whole words) from the original text: diacritics count as letters. */
function removePhrase(original: string, phrase: string): string {
  const words = original.split(/\s+/).filter(Boolean);
  const n = phrase.split(' ').length;
  for (let i = 0; i + n <= words.length; i++) {
    if (fold(words.slice(i, i + n).join(' ')) === phrase) return [...words.slice(0, i), ...words.slice(i + n)].join(' ');
  }
  return original;
}

/**
 * Parses one slot typed at `now`. A time alone means its next occurrence (today if still ahead,
 * else tomorrow); a weekday means the next such day whose time is still ahead; a date without a
 * year means this year. A time not after `now` is `past`.
 */
export function parseSlot(input: string, now: Date): SlotParse {
  const text = input.trim().replace(/\s+/g, ' ');
  // A whole date-time as the CLI and the display write it ("25/12/2026 08:00", "2026-12-25 08:00").
  const typed = parseTypedTime(text, now);
  if (typed) return finish(typed.at, '', now);

  const clock = CLOCK.exec(text);
  if (!clock) return { ok: false, problem: 'no_time' };
  let hour = Number(clock[1]);
  const minute = Number(clock[2] ?? clock[3] ?? clock[4] ?? clock[5] ?? 0);
  const part = clock[6] ? fold(clock[6]) : undefined;
  if (part && AFTERNOON.has(part) && hour < 12) hour += 12;
  if (part === 'dem' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return { ok: false, problem: 'no_time' };
  const minutes = hour * 60 + minute;
  let rest = (text.slice(0, clock.index) + ' ' + text.slice(clock.index + clock[0].length)).trim();

  const date = DATE.exec(rest);
  let at: Date | undefined;
  if (date) {
    rest = (rest.slice(0, date.index) + ' ' + rest.slice(date.index + date[0].length)).trim();
    const year = date[3] ? Number(date[3]) : vnParts(now).year;
    at = vnInstant(year, Number(date[2]), Number(date[1]), minutes);
    if (!at) return { ok: false, problem: 'bad_date' };
  } else {
    const folded = fold(rest);
    const relative = RELATIVE_DAYS.find(([w]) => findWord(folded, w));
    const weekday = WEEKDAYS.find(([w]) => findWord(folded, w));
    if (relative) {
      at = vnAtClock(now, minutes, relative[1]);
      rest = removePhrase(rest, relative[0]);
    } else if (weekday) {
      // The label keeps the weekday ("Chủ nhật"): the display format has none.
      const today = vnParts(now).weekday;
      let days = (weekday[1] - today + 7) % 7;
      if (days === 0 && vnAtClock(now, minutes).getTime() <= now.getTime()) days = 7;
      at = vnAtClock(now, minutes, days);
    } else {
      at = vnAtClock(now, minutes);
      if (at.getTime() <= now.getTime()) at = vnAtClock(now, minutes, 1);
    }
  }
  return finish(at, rest, now);
}

function finish(at: Date, rest: string, now: Date): SlotParse {
  if (at.getTime() <= now.getTime()) return { ok: false, problem: 'past' };
  if (at.getTime() - now.getTime() > MAX_DAYS_AHEAD * DAY_MS) return { ok: false, problem: 'too_far' };
  const label = rest.replace(/^[\s,;:–-]+|[\s,;:–-]+$/g, '').slice(0, MAX_LABEL_CHARS);
  return { ok: true, slot: { at, label } };
}
