/**
 * Signing in and out. `GET /web/login/<token>` only shows a confirmation (link previews of chat
 * apps fetch links, and must not use them up); pressing "sign in" posts the token with the CSRF
 * token of the session, takes the token once (GETDEL) and starts a signed-in session with a new
 * CSRF secret. Both count as sign-in attempts of the address (429 past the limit).
 * `POST /web/logout` signs out; `POST /web/lang` switches the language.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SIGN_IN_WINDOW_SECONDS } from '../../core/web-access/web-sign-in.js';
import { html } from './html.js';
import { csrfField, messagePage } from './layout.js';
import { csrfMatches } from './session-cookie.js';
import { saveSession, webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;

/** The page refusing a form whose CSRF token is not the session's. */
export function csrfRefused(deps: WebDeps, ctx: WebContext, reply: FastifyReply) {
  return reply.code(403).type('text/html; charset=utf-8').send(messagePage(ctx, { title: ctx.t('web:errors.csrf_title'), message: ctx.t('web:errors.csrf'), languages: deps.app.services.i18n.languages }));
}

/** Where the language switch may send the person back: a path of the console, nothing else. */
export function safeNext(next: string | undefined): string {
  return next && /^\/web(?:[/?#]|$)/.test(next) && !next.includes('\\') && !/[\r\n]/.test(next) ? next : '/web';
}

export function registerAuthRoutes(web: FastifyInstance, deps: WebDeps): void {
  const languages = deps.app.services.i18n.languages;
  const send = (reply: FastifyReply, code: number, body: string) => reply.code(code).type('text/html; charset=utf-8').send(body);

  async function limited(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (await deps.app.services.webSignIn.attemptAllowed(request.ip)) return false;
    send(reply, 429, messagePage(ctx, { title: ctx.t('web:sign_in.too_many_title'), message: ctx.t('web:sign_in.too_many', { minutes: SIGN_IN_WINDOW_SECONDS / 60 }), languages }));
    return true;
  }

  const invalid = (ctx: WebContext, reply: FastifyReply) =>
    send(reply, 410, messagePage(ctx, { title: ctx.t('web:sign_in.invalid_title'), message: ctx.t('web:sign_in.invalid'), languages }));

  web.get<{ Params: { token: string } }>('/login/:token', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (await limited(ctx, request, reply)) return reply;
    const token = request.params.token;
    if (!(await deps.app.services.webSignIn.isPending(token))) return invalid(ctx, reply);
    const form = html`<form method="post" action="/web/login/${token}">${csrfField(ctx)}<button type="submit" class="primary">${ctx.t('web:sign_in.button')}</button></form>`;
    return send(reply, 200, messagePage(ctx, { title: ctx.t('web:sign_in.confirm_title'), message: ctx.t('web:sign_in.confirm'), languages, extra: form }));
  });

  web.post<{ Params: { token: string }; Body: Form }>('/login/:token', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (await limited(ctx, request, reply)) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const staff = await deps.app.services.webSignIn.redeem(request.params.token, ctx.now);
    if (!staff) return invalid(ctx, reply);
    // A new session (and CSRF secret) for the signed-in member, in their own language.
    const locale = languages.includes(staff.member.locale) ? staff.member.locale : ctx.locale;
    saveSession(deps, reply, { ...deps.cookies.fresh(locale, ctx.now), memberId: staff.member._id }, ctx.now);
    return reply.code(303).header('location', '/web').send();
  });

  web.post<{ Body: Form }>('/logout', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    if (ctx.staff) await deps.app.services.webSignIn.signedOut(ctx.staff.member._id, ctx.now);
    saveSession(deps, reply, deps.cookies.fresh(ctx.locale, ctx.now), ctx.now);
    return reply.code(303).header('location', '/web/signed-out').send();
  });

  web.get('/signed-out', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    return send(reply, 200, messagePage(ctx, { title: ctx.t('web:sign_in.signed_out_title'), message: ctx.t('web:sign_in.signed_out'), languages }));
  });

  web.post<{ Body: Form }>('/lang', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const lang = request.body?.lang;
    if (lang && languages.includes(lang)) saveSession(deps, reply, { ...ctx.session, locale: lang }, ctx.now);
    return reply.code(303).header('location', safeNext(request.body?.next)).send();
  });
}
