/** The encrypted session cookie: round trip, tampering, another key, expiry, CSRF. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfMatches, readCookie, SESSION_TTL_MS, SessionCookies } from './session-cookie.js';

const now = new Date('2026-11-25T02:00:00Z');
const cookies = new SessionCookies(Buffer.alloc(32, 7), { secure: false });

describe('session cookie', () => {
  it('opens what it sealed, and hides the member id from whoever reads the cookie', () => {
    const s = { ...cookies.fresh('en', now), memberId: 'm-thu' };
    const value = cookies.seal(s);
    expect(cookies.open(value, now)).toEqual(s);
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain('m-thu');
    // A new IV each time: two cookies of one session differ.
    expect(cookies.seal(s)).not.toBe(value);
  });

  it('rejects a cookie changed anywhere, one sealed with another key, and garbage', () => {
    const value = cookies.seal({ ...cookies.fresh('vi', now), memberId: 'm-thu' });
    const raw = Buffer.from(value, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const t = Buffer.from(raw);
      t[i] = t[i]! ^ 0x01;
      expect(cookies.open(t.toString('base64url'), now), `byte ${i}`).toBeUndefined();
    }
    expect(cookies.open(value.slice(0, -2), now)).toBeUndefined();
    expect(new SessionCookies(randomBytes(32), { secure: false }).open(value, now)).toBeUndefined();
    for (const junk of [undefined, '', 'abc', '{"m":"m-thu"}', 'x'.repeat(5000)]) expect(cookies.open(junk, now)).toBeUndefined();
  });

  it('expires', () => {
    const s = cookies.fresh('vi', now);
    expect(s.expiresAt).toBe(now.getTime() + SESSION_TTL_MS);
    expect(cookies.open(cookies.seal(s), new Date(s.expiresAt - 1))).toBeDefined();
    expect(cookies.open(cookies.seal(s), new Date(s.expiresAt))).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Lax, scoped to /web, and Secure only over https', () => {
    const s = cookies.fresh('vi', now);
    expect(cookies.header(s, now)).toMatch(/^dh_web=[A-Za-z0-9_-]+; Path=\/web; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    expect(new SessionCookies(Buffer.alloc(32, 7), { secure: true }).header(s, now)).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('matches the CSRF token of its own session only', () => {
    const a = cookies.fresh('vi', now);
    const b = cookies.fresh('vi', now);
    expect(csrfMatches(a, a.csrf)).toBe(true);
    expect(csrfMatches(a, b.csrf)).toBe(false);
    for (const bad of [undefined, '', ['x'], { $gt: '' }, a.csrf + 'x']) expect(csrfMatches(a, bad)).toBe(false);
  });

  it('reads one cookie from a Cookie header', () => {
    expect(readCookie('a=1; dh_web=xyz; b=2', 'dh_web')).toBe('xyz');
    expect(readCookie('dh_webx=1', 'dh_web')).toBeUndefined();
    expect(readCookie(undefined, 'dh_web')).toBeUndefined();
  });
});
