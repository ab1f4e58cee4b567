import { describe, expect, it } from 'vitest';
import { formatVnTime } from '../vn-time.js';
import { draftProblems } from './meeting-service.js';
import { checkInWindow, codeMayBeIssued, looksLikeCode, newCheckInCode, reminderAt, sendableAt, tallyVotes, winningSlot } from './meeting-rules.js';

const vn = (s: string) => new Date(`${s}+07:00`);
const now = vn('2026-11-25T09:00:00');

describe('vote tally and the slot fixed', () => {
  const slots = [{ at: vn('2026-11-29T09:00:00') }, { at: vn('2026-11-26T14:30:00') }, { at: vn('2026-11-28T19:00:00') }];

  it('counts each member once per slot and ignores slots that do not exist', () => {
    expect(tallyVotes(3, [{ slots: [0, 1] }, { slots: [1, 1] }, { slots: [] }, { slots: [2, 7, -1] }])).toEqual([1, 2, 1]);
  });

  it('fixes the most voted slot; a tie goes to the earliest slot, whatever its place in the list', () => {
    expect(winningSlot(slots, [1, 3, 2])).toBe(1);
    expect(winningSlot(slots, [2, 1, 2])).toBe(2);
    expect(winningSlot(slots, [0, 0, 0])).toBe(1);
    expect(winningSlot(slots.slice(0, 1), [0])).toBe(0);
  });
});

describe('check-in windows and codes', () => {
  const start = vn('2026-11-26T14:30:00');
  it('opens at the start and stays open 2 hours', () => {
    expect(checkInWindow(start, vn('2026-11-26T14:29:59'))).toBe('before');
    expect(checkInWindow(start, start)).toBe('open');
    expect(checkInWindow(start, vn('2026-11-26T16:29:59'))).toBe('open');
    expect(checkInWindow(start, vn('2026-11-26T16:30:00'))).toBe('closed');
  });

  it('gives the organiser the code from an hour before the start until check-in closes', () => {
    expect(codeMayBeIssued(start, vn('2026-11-26T13:29:00'))).toBe(false);
    expect(codeMayBeIssued(start, vn('2026-11-26T13:30:00'))).toBe(true);
    expect(codeMayBeIssued(start, vn('2026-11-26T16:30:00'))).toBe(false);
  });

  it('draws 4-digit codes without a leading zero, never one already taken', () => {
    const picks = [0, 0, 0, 8999, 5];
    const pick = () => picks.shift()!;
    expect(newCheckInCode(new Set(), pick)).toBe('1000');
    expect(newCheckInCode(new Set(['1000']), pick)).toBe('9999');
    for (let i = 0; i < 200; i++) expect(newCheckInCode(new Set())).toMatch(/^[1-9]\d{3}$/);
    expect(looksLikeCode(' 1234 ')).toBe(true);
    expect(looksLikeCode('12345')).toBe(false);
    expect(looksLikeCode('12a4')).toBe(false);
  });
});

describe('reminders around quiet hours (21:30–07:00)', () => {
  const when = (kind: 'day' | 'hours', start: string, at = now) => {
    const r = reminderAt(kind, vn(start), at);
    return r && formatVnTime(r);
  };
  it('goes the day before and two hours before', () => {
    expect(when('day', '2026-11-28T19:00:00')).toBe('19:00 27/11/2026');
    expect(when('hours', '2026-11-28T19:00:00')).toBe('17:00 28/11/2026');
  });

  it('moves a reminder due in quiet hours to the evening before, at 21:00', () => {
    // A 07:30 meeting: two hours before is 05:30, in quiet hours.
    expect(when('hours', '2026-11-28T07:30:00')).toBe('21:00 27/11/2026');
    // A 22:00 meeting: the day before at 22:00 is quiet → 21:00 that evening.
    expect(when('day', '2026-11-28T22:00:00')).toBe('21:00 27/11/2026');
  });

  it('sends at the end of quiet hours when the evening before has passed, if still in time', () => {
    // Fixed at 23:00 for an 08:30 meeting: 06:30 is quiet, 21:00 has passed, so 07:00.
    expect(when('hours', '2026-11-26T08:30:00', vn('2026-11-25T23:00:00'))).toBe('07:00 26/11/2026');
    // …but for a 07:20 meeting 07:00 is too late to be useful.
    expect(when('hours', '2026-11-26T07:20:00', vn('2026-11-25T23:00:00'))).toBeUndefined();
  });

  it('skips a reminder whose time passed before the meeting was fixed', () => {
    expect(when('day', '2026-11-25T20:00:00')).toBeUndefined();
    expect(when('hours', '2026-11-25T10:30:00')).toBeUndefined();
  });

  it('sends other messages now, or when quiet hours end', () => {
    expect(formatVnTime(sendableAt(now))).toBe('09:00 25/11/2026');
    expect(formatVnTime(sendableAt(vn('2026-11-25T23:15:00')))).toBe('07:00 26/11/2026');
  });
});

describe('a meeting draft', () => {
  const good = { topic: 'Tìm hiểu BHXH', place: 'Nhà văn hóa KCN', slots: [{ at: vn('2026-11-26T14:30:00'), label: 'sau ca sáng' }], deadline: vn('2026-11-26T12:00:00') };
  it('is accepted when complete', () => expect(draftProblems(good, now)).toEqual([]));
  it('names every problem: empty topic, 5 slots, a slot in the past, a deadline after a slot', () => {
    expect(draftProblems({ ...good, topic: '   ' }, now)).toEqual(['empty_topic']);
    expect(draftProblems({ ...good, topic: '{"$gt": ""}' }, now)).toEqual([]);
    const five = [1, 2, 3, 4, 5].map((d) => ({ at: vn(`2026-12-0${d}T09:00:00`), label: '' }));
    expect(draftProblems({ ...good, slots: five }, now)).toContain('too_many_slots');
    expect(draftProblems({ ...good, slots: [] }, now)).toContain('no_slots');
    expect(draftProblems({ ...good, slots: [{ at: vn('2026-11-24T09:00:00'), label: '' }], deadline: vn('2026-11-24T08:00:00') }, now)).toEqual(['slot_past', 'deadline_past']);
    expect(draftProblems({ ...good, deadline: vn('2026-11-27T08:00:00') }, now)).toEqual(['deadline_after_slot']);
  });
});
