/**
 * The web console's session: a cookie encrypted and authenticated with AES-256-GCM (node:crypto),
 * holding only the member id (once signed in), the chosen language, the CSRF secret of its forms
 * and its expiry. A cookie that was changed, made with another key, or has expired opens to
 * nothing. HttpOnly, SameSite=Lax, Path=/web; Secure when the console is served over https.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'dh_web';
/** How long a session lasts from sign-in (or from the first visit, before it). */
export const SESSION_TTL_MS = 12 * 3600_000;

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into every cookie: a value sealed for another purpose with the same key does not open. */
const AAD = Buffer.from('dh-web-session-v1');

export interface Session {
  /** The signed-in member; absent before sign-in. */
  memberId?: string;
  locale: string;
  /** The synchronizer token of this session's forms. */
  csrf: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export class SessionCookies {
  constructor(private readonly key: Buffer, private readonly opts: { secure: boolean }) {
    if (key.length !== 32) throw new Error('the session key must be 32 bytes');
  }

  /** A new session (not signed in), with a fresh CSRF secret. */
  fresh(locale: string, now: Date): Session {
    return { locale, csrf: randomBytes(18).toString('base64url'), expiresAt: now.getTime() + SESSION_TTL_MS };
  }

  /** The cookie value of a session. */
  seal(s: Session): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(AAD);
    const body = Buffer.concat([c.update(JSON.stringify({ m: s.memberId, l: s.locale, c: s.csrf, e: s.expiresAt }), 'utf8'), c.final()]);
    return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url');
  }

  /** The session in a cookie value; undefined when it is malformed, tampered with, or expired at `now`. */
  open(value: string | undefined, now: Date): Session | undefined {
    if (!value || value.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 2) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      d.setAAD(AAD);
      d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]).toString('utf8');
      const j = JSON.parse(plain) as { m?: unknown; l?: unknown; c?: unknown; e?: unknown };
      if (typeof j.l !== 'string' || typeof j.c !== 'string' || typeof j.e !== 'number') return undefined;
      if (j.e <= now.getTime()) return undefined;
      return { ...(typeof j.m === 'string' ? { memberId: j.m } : {}), locale: j.l, csrf: j.c, expiresAt: j.e };
    } catch {
      return undefined;
    }
  }

  /** The Set-Cookie header that stores a session. */
  header(s: Session, now: Date): string {
    const maxAge = Math.max(0, Math.floor((s.expiresAt - now.getTime()) / 1000));
    return `${SESSION_COOKIE}=${this.seal(s)}; Path=/web; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${this.opts.secure ? '; Secure' : ''}`;
  }
}

/** Whether a submitted CSRF token is the session's (compared in constant time). */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
