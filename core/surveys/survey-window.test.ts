import { describe, expect, it } from 'vitest';
import { nextWindow, SurveyWindowError, type SurveyWindow, type WindowChange } from './survey-window.js';

const at = (s: string) => new Date(s);
const now = at('2026-11-25T02:00:00Z');
const open: SurveyWindow = { opensAt: at('2026-11-01T00:00:00Z'), closesAt: at('2026-12-01T00:00:00Z') };
const later: SurveyWindow = { opensAt: at('2026-12-01T00:00:00Z'), closesAt: at('2026-12-31T00:00:00Z') };
const closed: SurveyWindow = { opensAt: at('2026-10-01T00:00:00Z'), closesAt: at('2026-11-01T00:00:00Z') };
const refusal = (w: SurveyWindow, c: WindowChange) => {
  try {
    nextWindow(w, c, now);
  } catch (err) {
    return (err as SurveyWindowError).code;
  }
  return 'accepted';
};

describe('a survey’s window', () => {
  it('closes an open survey now, and nothing else', () => {
    expect(nextWindow(open, { action: 'close' }, now)).toEqual({ opensAt: open.opensAt, closesAt: now });
    expect(refusal(later, { action: 'close' })).toBe('not_open');
    expect(refusal(closed, { action: 'close' })).toBe('not_open');
  });

  it('opens now until its own closing time, or one given when that has passed', () => {
    expect(nextWindow(later, { action: 'open' }, now)).toEqual({ opensAt: now, closesAt: later.closesAt });
    expect(refusal(open, { action: 'open' })).toBe('already_open');
    expect(refusal(closed, { action: 'open' })).toBe('close_time_needed');
    expect(refusal(closed, { action: 'open', closesAt: at('2026-11-20T00:00:00Z') })).toBe('close_time_past');
    expect(nextWindow(closed, { action: 'open', closesAt: at('2026-12-20T00:00:00Z') }, now)).toEqual({ opensAt: now, closesAt: at('2026-12-20T00:00:00Z') });
  });

  it('schedules an opening ahead, closing after it', () => {
    const opensAt = at('2026-12-10T01:00:00Z');
    expect(nextWindow(later, { action: 'schedule', opensAt }, now)).toEqual({ opensAt, closesAt: later.closesAt });
    expect(refusal(open, { action: 'schedule', opensAt })).toBe('already_open');
    expect(refusal(later, { action: 'schedule', opensAt: at('2026-11-20T00:00:00Z') })).toBe('open_time_past');
    expect(refusal(closed, { action: 'schedule', opensAt })).toBe('close_time_needed');
    expect(refusal(later, { action: 'schedule', opensAt, closesAt: at('2026-12-05T00:00:00Z') })).toBe('close_before_open');
  });
});
