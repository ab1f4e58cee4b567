/**
 * For tests: the app's HTTP server on a free port of this machine, and a small cookie-keeping
 * client that signs in through a one-time link as a person would (open the link, press the button).
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.js';
import { buildHttpServer } from '../http-server.js';
import { SESSION_COOKIE } from './session-cookie.js';

/** Starts the HTTP server (web console, health; no webhooks) on 127.0.0.1 and a free port. */
export async function startWebServer(app: App): Promise<{ server: FastifyInstance; base: string }> {
  const server = buildHttpServer(app, [], 'polling');
  const base = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, base };
}

/** The CSRF token of the first form on a page. */
export const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];

/** A browser without a browser: keeps the session cookie, never follows redirects by itself. */
export class WebClient {
  cookie?: string;
  constructor(readonly base: string) {}

  private remember(res: Response): void {
    const set = res.headers.get('set-cookie');
    const m = set && new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(set);
    if (m) this.cookie = m[1];
  }

  async get(path: string): Promise<{ status: number; text: string; res: Response }> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {} });
    this.remember(res);
    return { status: res.status, text: await res.text(), res };
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; text: string; res: Response }> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}) },
      body: new URLSearchParams(form).toString(),
    });
    this.remember(res);
    return { status: res.status, text: await res.text(), res };
  }

  /** Opens a sign-in link and presses "sign in"; returns the answer to the press. */
  async signInWith(url: string): Promise<{ status: number; text: string; res: Response }> {
    const path = new URL(url).pathname;
    const confirm = await this.get(path);
    return this.post(path, { _csrf: csrfOf(confirm.text) ?? '' });
  }
}

/** A client signed in as `memberId` through a fresh one-time link, as a person would; throws when the sign-in does not land. */
export async function signedInClient(app: App, base: string, memberId: string): Promise<WebClient> {
  const member = await app.services.members.get(memberId);
  if (!member) throw new Error(`no member ${memberId}`);
  const c = new WebClient(base);
  const { url } = await app.services.webSignIn.issueLink(member, { at: app.clock.now(), via: 'chat' });
  const done = await c.signInWith(url);
  if (done.status !== 303) throw new Error(`signing in as ${memberId} answered ${done.status}`);
  return c;
}
