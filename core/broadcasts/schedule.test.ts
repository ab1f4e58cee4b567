/** Quiet hours and recurrence rules (Vietnam time itself: core/vn-time.test.ts). */
import { getNextMillis } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { Translations } from '../i18n.js';
import { DEFAULT_TZ } from '../jobs.js';
import { recurrenceErrorText } from './broadcast-errors.js';
import { InvalidRecurrenceError, nextRun, nextRuns, parseCron } from './cron-rule.js';
import { DEFAULT_QUIET_HOURS, quietUntil } from './quiet-hours.js';
import { looksLikeCron, parseRecurrenceWords, recurrenceShape } from './recurrence-words.js';

const now = new Date('2026-11-25T02:00:00Z'); // 09:00 in Vietnam

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

  it.each(['0 8 * * 1', '30 17 * * 1,4', '0 9 15 * *', '0 8 31 * *', '0 8 29 2 *', '0 7,19 * * 1-5', '0 * * * *', '0 8 1 * 1', '0 8 * jan,jul sun'])(
    'shows the runs of %s that cron-parser computes and BullMQ\'s Job Scheduler will run',
    (rule) => {
      const shown = nextRuns(parseCron(rule, now), now, 6).map((d) => d.getTime());
      const it = CronExpressionParser.parse(rule, { tz: DEFAULT_TZ, currentDate: now });
      expect(shown).toEqual(it.take(6).map((d) => d.getTime()));
      // The scheduler's own step, one run after another, as upsertJobScheduler computes `next`.
      const scheduled: number[] = [];
      for (let t = now.getTime(); scheduled.length < 6; ) scheduled.push((t = getNextMillis(t, { pattern: rule, tz: DEFAULT_TZ })!));
      expect(shown).toEqual(scheduled);
      expect(nextRun(rule, now)?.getTime()).toBe(shown[0]); // a stored rule, by its text
    },
  );

  it('skips months without the day rather than moving the run (day 31)', () => {
    expect(nextRuns(parseCron('0 8 31 * *', now), now, 4).map((d) => d.toISOString())).toEqual([
      '2026-12-31T01:00:00.000Z',
      '2027-01-31T01:00:00.000Z',
      '2027-03-31T01:00:00.000Z', // no 31 February
      '2027-05-31T01:00:00.000Z', // no 31 April
    ]);
    expect(recurrenceShape('0 8 31 * *')).toEqual({ kind: 'monthly', days: [31], times: ['08:00'], skips: 31 });
    expect(recurrenceShape('0 8 15,30 * *')).toEqual({ kind: 'monthly', days: [15, 30], times: ['08:00'], skips: 30 });
    expect(recurrenceShape('0 8 28 * *')).toEqual({ kind: 'monthly', days: [28], times: ['08:00'] });
  });

  it.each([
    ['61 8 * * *', 'out_of_range', { field: 'minute', value: '61', min: 0, max: 59 }],
    ['0 8 * *', 'field_count', { count: 4 }],
    ['*/15 8 * * *', 'too_often', {}],
    ['0 8 31 2 *', 'never_fires', {}],
    ['0 8 * * funday', 'out_of_range', { field: 'weekday', value: 'funday' }],
    ['0 8 * * 1+2', 'bad_part', { field: 'weekday', value: '1+2' }],
    ['0 20-8 * * *', 'backwards', { field: 'hour', value: '20-8' }],
    ['0 8 */0 * *', 'bad_step', { field: 'day' }],
    ['0 8 * * 1-9', 'out_of_range', { field: 'weekday', value: '9', min: 0, max: 7 }],
    ['0 8 1,32 * *', 'out_of_range', { field: 'day', value: '32', min: 1, max: 31 }],
    ['0 8 31 4,6 *', 'never_fires', {}],
    // cron-parser reads these, but they are not the plain five fields a person can be told in words.
    ['0 0 8 * * *', 'field_count', { count: 6 }],
    ['@daily', 'field_count', { count: 1 }],
    ['0 8 L * *', 'bad_part', { field: 'day', value: 'L' }],
    ['H 8 * * *', 'bad_part', { field: 'minute', value: 'H' }],
    ['0 8 ? * *', 'bad_part', { field: 'day', value: '?' }],
    ['0 8 * * 1#2', 'bad_part', { field: 'weekday', value: '1#2' }],
  ])('refuses %s with a code and its parameters', (rule, code, params) => {
    const err = (() => {
      try {
        parseCron(rule);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidRecurrenceError);
    expect(err).toMatchObject({ code, params });
  });

  it('explains a refused rule in the reader\'s language, from locales', () => {
    const i18n = new Translations('vi');
    const reason = (rule: string, lng: string) => {
      try {
        parseCron(rule);
      } catch (e) {
        return recurrenceErrorText(i18n.for(lng), e as InvalidRecurrenceError);
      }
      throw new Error(`${rule} was accepted`);
    };
    expect(reason('61 8 * * *', 'vi')).toBe('phút "61" không hợp lệ (chỉ từ 0 đến 59)');
    expect(reason('0 8 * *', 'vi')).toContain('có 4 phần');
    expect(reason('*/15 8 * * *', 'vi')).toContain('mỗi giờ một lần');
    for (const rule of ['61 8 * * *', '0 8 * *', '*/15 8 * * *', '0 8 31 2 *', '0 8 * * funday', '0 8 * * 1+2', '0 20-8 * * *', '0 8 */0 * *']) {
      expect(reason(rule, 'vi')).not.toMatch(/out of range|expected|at most|never fires|backwards|minute|hour|day of/);
    }
    expect(reason('61 8 * * *', 'en')).toBe('minute "61" is out of range 0–59');
  });
});

describe('recurrences in words', () => {
  it.each([
    ['mỗi thứ Hai 8:00', '0 8 * * 1'],
    ['moi thu hai 8h', '0 8 * * 1'],
    ['thứ Hai, thứ Năm 17:30', '30 17 * * 1,4'],
    ['5 giờ chiều thứ Sáu hằng tuần', '0 17 * * 5'],
    ['Chủ nhật 9:00', '0 9 * * 0'],
    ['hằng ngày 7h30', '30 7 * * *'],
    ['ngày 15 hằng tháng 9 giờ', '0 9 15 * *'],
    ['mùng 1 hàng tháng 8:00', '0 8 1 * *'],
    ['every Monday 8:00', '0 8 * * 1'],
    ['day 1 of every month 8:00', '0 8 1 * *'],
  ])('reads "%s" as %s', (text, rule) => {
    expect(parseRecurrenceWords(text)).toBe(rule);
  });

  it('needs a time and a day, and tells a typed rule apart', () => {
    expect(parseRecurrenceWords('mỗi thứ Hai')).toBeUndefined();
    expect(parseRecurrenceWords('ngày 15 hằng tháng')).toBeUndefined();
    expect(parseRecurrenceWords('mỗi tuần 8:00')).toBeUndefined();
    expect(looksLikeCron('0 8 * * 9')).toBe(true);
    expect(looksLikeCron('0 8 * *')).toBe(true);
    expect(looksLikeCron('mỗi thứ Hai 8:00')).toBe(false);
  });

  it('takes a rule apart so it can be said in words', () => {
    expect(recurrenceShape('0 8 * * 1')).toEqual({ kind: 'weekly', weekdays: [1], times: ['08:00'] });
    expect(recurrenceShape('30 17 * * 0,1')).toEqual({ kind: 'weekly', weekdays: [1, 0], times: ['17:30'] });
    expect(recurrenceShape('0 8 1,15 * *')).toEqual({ kind: 'monthly', days: [1, 15], times: ['08:00'] });
    expect(recurrenceShape('0 8,17 * * *')).toEqual({ kind: 'daily', times: ['08:00', '17:00'] });
    expect(recurrenceShape('0 8 * 2 *')).toEqual({ kind: 'other' });
  });
});
