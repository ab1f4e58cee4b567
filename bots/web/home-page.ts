/**
 * `GET /web`: before sign-in, how to sign in (through the bot); after it, who is signed in, their
 * roles and scope (unit names), and the pages they may open — only pages that exist.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

/** The sign-in page (also what a page needing sign-in shows); says the session ended when the role was revoked. */
export function signInPage(ctx: WebContext, languages: readonly string[]): string {
  const t = ctx.t;
  const ended = ctx.ended ? html`<p class="problem" role="alert"><strong>${t('web:sign_in.ended_title')}.</strong> ${t('web:sign_in.ended')}</p>` : '';
  return page(ctx, { title: t('web:sign_in.title'), languages, body: html`${ended}<p>${t('web:sign_in.only_staff')}</p><p class="how">${t('web:sign_in.how')}</p>` });
}

/** The units of the member's scope, by name. */
async function scopeLines(app: App, ctx: WebContext): Promise<SafeHtml[]> {
  const { scope } = ctx.staff!;
  const t = ctx.t;
  const lines: SafeHtml[] = [];
  for (const unitId of scope.units) {
    const unit = await app.services.org.get(unitId, ctx.now);
    const text = !unit ? t('web:home.scope_unknown', { unit: unitId }) : !unit.parentId ? t('web:home.scope_whole', { unit: unit.name }) : t('web:home.scope_subtree', { unit: unit.name });
    lines.push(html`<li>${text}</li>`);
  }
  if (!lines.length && scope.whole) lines.push(html`<li>${t('web:home.scope_whole', { unit: '—' })}</li>`);
  return lines;
}

export function registerHomeRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  web.get('/', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    reply.type('text/html; charset=utf-8');
    if (!ctx.staff) return reply.code(ctx.ended ? 403 : 200).send(signInPage(ctx, languages));
    const t = ctx.t;
    const { member, scope } = ctx.staff;
    const name = member.displayName || member._id;
    const roles = member.roles.filter((r) => r !== 'worker').map((r) => t(`web:roles.${r}`)).join(', ');
    const dashboard = html`<li><a href="/web/dashboard">${t('web:nav.dashboard')}</a> — ${t('web:home.dashboard_desc')}</li>`;
    const concerns = html`<li><a href="/web/concerns">${t('web:nav.concerns')}</a> — ${t('web:home.concerns_desc')}</li>`;
    const pages = scope.whole
      ? html`<ul class="pages-list">${dashboard}${concerns}<li><a href="/web/audit">${t('web:nav.audit')}</a> — ${t('web:home.audit_desc')}</li></ul>`
      : html`<ul class="pages-list">${dashboard}${concerns}</ul><p><small>${t('web:home.audit_city_only')}</small></p>`;
    const body = html`<p class="greeting">${t('web:home.greeting', { name })}</p>
<dl class="who">
<dt>${t('web:home.member_id')}</dt><dd><code>${member._id}</code></dd>
<dt>${t('web:home.roles')}</dt><dd>${roles}</dd>
<dt>${t('web:home.scope')}</dt><dd><ul>${await scopeLines(app, ctx)}</ul></dd>
</dl>
<h2>${t('web:home.pages')}</h2>
${pages}`;
    return reply.send(page(ctx, { title: t('web:home.title'), current: 'home', languages, body }));
  });
}
