/** Reading the audit page's query string: plain strings only, Vietnam days, sane pages. */
import { describe, expect, it } from 'vitest';
import { auditSearch, MAX_PAGE, parseAuditQuery } from './audit-filter.js';

describe('audit page query', () => {
  it('reads each field as one trimmed string, and nothing else', () => {
    const q = parseAuditQuery({ actor: ' m-thu ', action: ['concern.*', 'x'], target: { $gt: '' }, page: '3' });
    expect(q.form).toEqual({ actor: 'm-thu', action: 'concern.*', target: '', from: '', to: '' });
    expect(q.filter).toEqual({ actor: 'm-thu', action: 'concern.*' });
    expect(q.page).toBe(3);
    expect(parseAuditQuery({ actor: '{"$gt": ""}' }).filter).toEqual({ actor: '{"$gt": ""}' });
    expect(parseAuditQuery({ actor: 'x'.repeat(500) }).form.actor).toHaveLength(200);
    expect(parseAuditQuery(undefined).filter).toEqual({});
  });

  it('takes a period of Vietnam days, the last one included', () => {
    const q = parseAuditQuery({ from: '2026-11-20', to: '2026-11-21' });
    expect(q.filter.from).toEqual(new Date('2026-11-19T17:00:00Z'));
    expect(q.filter.until).toEqual(new Date('2026-11-21T17:00:00Z'));
    expect(q.problems).toEqual([]);
  });

  it('says which dates it could not read, and when the period ends before it starts', () => {
    expect(parseAuditQuery({ from: '2026-02-30', to: 'hôm qua' }).problems).toEqual([
      { kind: 'bad_date', value: '2026-02-30' },
      { kind: 'bad_date', value: 'hôm qua' },
    ]);
    expect(parseAuditQuery({ from: '2026-11-22', to: '2026-11-20' }).problems).toEqual([{ kind: 'bad_range' }]);
  });

  it('keeps the page between 1 and the last offered', () => {
    expect(parseAuditQuery({ page: '-4' }).page).toBe(1);
    expect(parseAuditQuery({ page: 'abc' }).page).toBe(1);
    expect(parseAuditQuery({ page: '999999' }).page).toBe(MAX_PAGE);
  });

  it('writes a filter back as an encoded query string', () => {
    expect(auditSearch({ actor: 'a&b', action: '', target: '<x>', from: '', to: '' }, 2)).toBe('?actor=a%26b&target=%3Cx%3E&page=2');
    expect(auditSearch({ actor: '', action: '', target: '', from: '', to: '' })).toBe('');
  });
});
