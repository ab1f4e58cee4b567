/** The grouping rules without the app: the window, forming, taking new concerns, the lead, ids. */
import { describe, expect, it } from 'vitest';
import { caseIdFor, groupToForm, parseCaseId, pickLead, takesNewConcerns, windowStart, type GroupCandidate } from './grouping.js';

const rule = { minConcerns: 3, windowDays: 14 };
const at = new Date('2026-11-25T02:00:00Z');
const daysBefore = (d: number) => new Date(at.getTime() - d * 86_400_000);
const c = (code: string, days: number, assigneeId?: string): GroupCandidate => ({ code, createdAt: daysBefore(days), ...(assigneeId ? { assigneeId } : {}) });

describe('collective case grouping', () => {
  it('the window is the configured number of days before now', () => {
    expect(windowStart(at, rule)).toEqual(daysBefore(14));
    expect(windowStart(at, { ...rule, windowDays: 7 })).toEqual(daysBefore(7));
  });

  it('forms a case from 3 concerns within 14 days, oldest first', () => {
    expect(groupToForm([c('PA-CCCC', 0), c('PA-AAAA', 13), c('PA-BBBB', 2)], at, rule)?.map((x) => x.code)).toEqual(['PA-AAAA', 'PA-BBBB', 'PA-CCCC']);
  });

  it('does not form a case from 2, nor count a concern older than the window or raised later', () => {
    expect(groupToForm([c('PA-AAAA', 1), c('PA-BBBB', 0)], at, rule)).toBeUndefined();
    expect(groupToForm([c('PA-AAAA', 15), c('PA-BBBB', 3), c('PA-CCCC', 0)], at, rule)).toBeUndefined();
    expect(groupToForm([c('PA-AAAA', -1), c('PA-BBBB', 3), c('PA-CCCC', 0)], at, rule)).toBeUndefined();
    // Exactly 14 days counts.
    expect(groupToForm([c('PA-AAAA', 14), c('PA-BBBB', 3), c('PA-CCCC', 0)], at, rule)).toHaveLength(3);
  });

  it('follows the configured threshold and window', () => {
    expect(groupToForm([c('PA-AAAA', 1), c('PA-BBBB', 0)], at, { minConcerns: 2, windowDays: 14 })).toHaveLength(2);
    expect(groupToForm([c('PA-AAAA', 8), c('PA-BBBB', 3), c('PA-CCCC', 0)], at, { minConcerns: 3, windowDays: 7 })).toBeUndefined();
  });

  it('an open case takes new concerns while its newest one is within the window', () => {
    expect(takesNewConcerns({ status: 'open', lastConcernAt: daysBefore(13) }, at, rule)).toBe(true);
    expect(takesNewConcerns({ status: 'open', lastConcernAt: daysBefore(15) }, at, rule)).toBe(false);
    expect(takesNewConcerns({ status: 'resolved', lastConcernAt: daysBefore(1) }, at, rule)).toBe(false);
  });

  it('the lead is the cadre of the oldest concern that has one, else the routing’s choice', () => {
    expect(pickLead([c('PA-AAAA', 5), c('PA-BBBB', 3, 'm-b'), c('PA-CCCC', 0, 'm-c')], 'm-r')).toBe('m-b');
    expect(pickLead([c('PA-AAAA', 5), c('PA-BBBB', 3)], 'm-r')).toBe('m-r');
    expect(pickLead([c('PA-AAAA', 5)], undefined)).toBeUndefined();
  });

  it('derives the same id for the same group, another for another, and parses what people type', () => {
    const id = caseIdFor('ent-hoa-sen', 'wages', 'PA-AAAA');
    expect(id).toMatch(/^VV-[2-9A-HJKMNP-Z]{6}$/);
    expect(caseIdFor('ent-hoa-sen', 'wages', 'PA-AAAA')).toBe(id);
    expect(caseIdFor('ent-hoa-sen', 'overtime', 'PA-AAAA')).not.toBe(id);
    expect(parseCaseId(id.toLowerCase().replace('-', ' '))).toBe(id);
    expect(parseCaseId(`#${id}`)).toBe(id);
    expect(parseCaseId('{"$gt": ""}')).toBeUndefined();
    expect(parseCaseId('PA-7K3Q')).toBeUndefined();
  });
});
