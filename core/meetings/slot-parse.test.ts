import { describe, expect, it } from 'vitest';
import { formatVnTime } from '../vn-time.js';
import { parseSlot } from './slot-parse.js';

/** Wednesday 25/11/2026, 09:00 in Vietnam. */
const now = new Date('2026-11-25T02:00:00Z');
const at = (text: string) => {
  const r = parseSlot(text, now);
  if (!r.ok) throw new Error(`${text}: ${r.problem}`);
  return { at: formatVnTime(r.slot.at), label: r.slot.label };
};

describe('parseSlot', () => {
  it('reads a time alone as its next occurrence and keeps the shift words as the label', () => {
    expect(at('sau ca sáng 14:30')).toEqual({ at: '14:30 25/11/2026', label: 'sau ca sáng' });
    expect(at('sau ca đêm 8h')).toEqual({ at: '08:00 26/11/2026', label: 'sau ca đêm' });
    expect(at('9h30')).toEqual({ at: '09:30 25/11/2026', label: '' });
  });

  it('reads Vietnamese and English day words, with or without diacritics', () => {
    expect(at('Chủ nhật 9:00')).toEqual({ at: '09:00 29/11/2026', label: 'Chủ nhật' });
    expect(at('chu nhat 9:00').at).toBe('09:00 29/11/2026');
    expect(at('CN 9h').at).toBe('09:00 29/11/2026');
    expect(at('thứ 7 19h30').at).toBe('19:30 28/11/2026');
    expect(at('Thứ Bảy 7 giờ tối').at).toBe('19:00 28/11/2026');
    expect(at('thứ sáu 12h').at).toBe('12:00 27/11/2026');
    expect(at('T2 17:00').at).toBe('17:00 30/11/2026');
    expect(at('Sunday 9:00').at).toBe('09:00 29/11/2026');
    // Today's weekday: later today, else a week on.
    expect(at('thứ tư 18:00').at).toBe('18:00 25/11/2026');
    expect(at('thứ tư 8:00').at).toBe('08:00 02/12/2026');
  });

  it('reads days counted from today and dates, with the rest as label', () => {
    expect(at('mai 8h')).toEqual({ at: '08:00 26/11/2026', label: '' });
    expect(at('ngày mai sau ca 15:00')).toEqual({ at: '15:00 26/11/2026', label: 'sau ca' });
    expect(at('ngày kia 20:00').at).toBe('20:00 27/11/2026');
    expect(at('25/12 08:00')).toEqual({ at: '08:00 25/12/2026', label: '' });
    expect(at('08:00 25/12/2026').at).toBe('08:00 25/12/2026');
    expect(at('Nhà văn hóa 25/12 8h').label).toBe('Nhà văn hóa');
    expect(at('2026-12-25 08:00').at).toBe('08:00 25/12/2026');
  });

  it('refuses a text without a time, a date not on the calendar, a time passed, a time too far', () => {
    expect(parseSlot('Chủ nhật', now)).toEqual({ ok: false, problem: 'no_time' });
    expect(parseSlot('{"$gt": ""}', now)).toEqual({ ok: false, problem: 'no_time' });
    expect(parseSlot('25:00', now)).toEqual({ ok: false, problem: 'no_time' });
    expect(parseSlot('31/02 9:00', now)).toEqual({ ok: false, problem: 'bad_date' });
    expect(parseSlot('hôm nay 8:00', now)).toEqual({ ok: false, problem: 'past' });
    expect(parseSlot('20/11/2026 9:00', now)).toEqual({ ok: false, problem: 'past' });
    expect(parseSlot('20/11 9:00', now)).toEqual({ ok: false, problem: 'past' });
    expect(parseSlot('25/12/2028 9:00', now)).toEqual({ ok: false, problem: 'too_far' });
  });
});
