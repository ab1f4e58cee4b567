/**
 * What one web request works with: its session (from the cookie, or a new one), the language
 * and translations, and — when signed in — the member as of now. The member and their grants
 * are read again on every request, so a revoked role takes effect on the next one: the session
 * then loses its member and the person is told their session ended.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.js';
import type { Translate } from '../../core/i18n.js';
import type { StaffMember } from '../../core/web-access/web-sign-in.js';
import { SESSION_COOKIE, readCookie, type Session, type SessionCookies } from './session-cookie.js';

/** What the web console's routes share. */
export interface WebDeps {
  app: App;
  cookies: SessionCookies;
}

export interface WebContext {
  now: Date;
  session: Session;
  locale: string;
  t: Translate;
  /** The signed-in staff member, as of this request. */
  staff?: StaffMember;
  /** The session named a member who is no longer staff (role revoked): it was signed out. */
  ended: boolean;
  /** The request's path and query (the language switch comes back here). */
  path: string;
}

/** Opens (or starts) the request's session and reads the signed-in member; writes the cookie when it is new or changed. */
export async function webContext(deps: WebDeps, request: FastifyRequest, reply: FastifyReply): Promise<WebContext> {
  const { app, cookies } = deps;
  const now = app.clock.now();
  const opened = cookies.open(readCookie(request.headers.cookie, SESSION_COOKIE), now);
  let session = opened ?? cookies.fresh(app.config.DEFAULT_LOCALE, now);
  let changed = !opened;
  let staff: StaffMember | undefined;
  let ended = false;
  if (session.memberId) {
    staff = await app.services.webSignIn.staffMember(session.memberId, now);
    if (!staff) {
      await app.services.webSignIn.signedOut(session.memberId, now, 'role_revoked');
      session = { ...cookies.fresh(session.locale, now) };
      changed = true;
      ended = true;
    }
  }
  const locale = app.services.i18n.languages.includes(session.locale) ? session.locale : app.config.DEFAULT_LOCALE;
  if (changed) reply.header('set-cookie', cookies.header(session, now));
  return { now, session, locale, t: app.services.i18n.for(locale), staff, ended, path: request.url };
}

/** Stores a new or changed session in the response's cookie. */
export function saveSession(deps: WebDeps, reply: FastifyReply, session: Session, now: Date): void {
  // One cookie per response: this replaces one webContext may have set for the same request.
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', deps.cookies.header(session, now));
}
