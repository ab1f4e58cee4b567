/** The concerns page's query parsing (plain strings, checked values, hostile shapes) and how ages read in both languages. */
import { describe, expect, it } from 'vitest';
import { Translations } from '../../core/i18n.js';
import { concernSearch, parseConcernQuery } from './concern-filter.js';
import { ageLabel } from './concern-views.js';

const CATEGORIES = ['wages', 'overtime'];

describe('concern filter', () => {
  it('reads checked values into a filter (levels from 1 as shown, stored from 0)', () => {
    const q = parseConcernQuery({ status: 'open', category: 'wages', unit: ' vsip1 ', level: '2', flagged: '1', overdue: '1', page: '3' }, CATEGORIES);
    expect(q.filter).toEqual({ status: 'open', category: 'wages', level: 1, flagged: true, overdue: true });
    expect(q.form.unit).toBe('vsip1');
    expect(q.page).toBe(3);
    expect(q.problems).toEqual([]);
    expect(concernSearch(q.form, 2)).toBe('?status=open&category=wages&unit=vsip1&level=2&flagged=1&overdue=1&page=2');
  });

  it('drops values that are not what they may be, and takes no operator from a nested or repeated parameter', () => {
    const q = parseConcernQuery({ status: '{"$gt": ""}', category: { $ne: 'x' }, level: ['9', '1'], flagged: 'yes', overdue: ['1'], page: '-4' }, CATEGORIES);
    expect(q.filter).toEqual({ overdue: true });
    expect(q.problems).toEqual([
      { field: 'status', value: '{"$gt": ""}' },
      { field: 'level', value: '9' },
      { field: 'flagged', value: 'yes' },
    ]);
    expect(q.form).toMatchObject({ status: '', category: '', level: '', flagged: '' });
    expect(q.page).toBe(1);
    expect(parseConcernQuery(undefined, CATEGORIES).filter).toEqual({});
    expect(parseConcernQuery({ level: '0' }, CATEGORIES).problems).toEqual([{ field: 'level', value: '0' }]);
  });
});

describe('ages', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  it('read in minutes, hours, then days, in Vietnamese and English', () => {
    const i18n = new Translations('vi');
    const vi = i18n.for('vi');
    const en = i18n.for('en');
    expect(ageLabel(vi, ago(0), now)).toBe('vừa xong');
    expect(ageLabel(vi, ago(5), now)).toBe('5 phút trước');
    expect(ageLabel(vi, ago(60), now)).toBe('1 giờ trước');
    expect(ageLabel(vi, ago(47 * 60 + 59), now)).toBe('47 giờ trước');
    expect(ageLabel(vi, ago(72 * 60), now)).toBe('3 ngày trước');
    expect(ageLabel(en, ago(1), now)).toBe('1 minute ago');
    expect(ageLabel(en, ago(120), now)).toBe('2 hours ago');
    expect(ageLabel(en, ago(48 * 60), now)).toBe('2 days ago');
  });
});
