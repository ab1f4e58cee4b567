/**
 * The page every web console screen sits in: language, viewport for phones, our stylesheet,
 * a skip link, the header with navigation (only pages that exist and the person may open), the
 * language switch and sign-out (forms with the session's CSRF token), then the content.
 */
import { html, type SafeHtml } from './html.js';
import type { WebContext } from './web-context.js';

/** Navigation entries; each shown only when `show` says the person may open it. */
const NAV = [
  { id: 'home', href: '/web', labelKey: 'web:nav.home', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'dashboard', href: '/web/dashboard', labelKey: 'web:nav.dashboard', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'concerns', href: '/web/concerns', labelKey: 'web:nav.concerns', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'cases', href: '/web/cases', labelKey: 'web-cases:nav', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'broadcasts', href: '/web/broadcasts', labelKey: 'web:nav.broadcasts', show: (ctx: WebContext) => !!ctx.staff?.member.roles.some((r) => r === 'secretariat' || r === 'admin') },
  { id: 'materials', href: '/web/materials', labelKey: 'web-materials:nav', show: (ctx: WebContext) => !!ctx.staff?.member.roles.some((r) => r === 'secretariat' || r === 'admin') },
  { id: 'meetings', href: '/web/meetings', labelKey: 'web-meetings:nav', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'surveys', href: '/web/surveys', labelKey: 'web-surveys:nav', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'steering', href: '/web/reports/steering', labelKey: 'steering:page.nav', show: (ctx: WebContext) => !!ctx.staff?.member.roles.some((r) => r === 'secretariat' || r === 'admin') },
  { id: 'feedback', href: '/web/feedback', labelKey: 'feedback:web.nav', show: (ctx: WebContext) => !!ctx.staff?.member.roles.some((r) => r === 'secretariat' || r === 'admin') },
  { id: 'people', href: '/web/people', labelKey: 'web-people:nav', show: (ctx: WebContext) => !!ctx.staff },
  { id: 'audit', href: '/web/audit', labelKey: 'web:nav.audit', show: (ctx: WebContext) => !!ctx.staff?.scope.whole },
  // The queues board (bull-board) checks the admin role's scope itself; this only hides the link.
  { id: 'queues', href: '/web/queues', labelKey: 'web-materials:nav_queues', show: (ctx: WebContext) => !!ctx.staff?.scope.whole && ctx.staff.member.roles.includes('admin') },
] as const;

export type NavId = (typeof NAV)[number]['id'];

/** The hidden CSRF field every POST form carries. */
export const csrfField = (ctx: WebContext) => html`<input type="hidden" name="_csrf" value="${ctx.session.csrf}">`;

function languageSwitch(ctx: WebContext, languages: readonly string[]): SafeHtml {
  const buttons = languages.map(
    (lng) => html`<button type="submit" name="lang" value="${lng}" lang="${lng}"${ctx.locale === lng ? html` aria-pressed="true" class="current"` : ''}>${ctx.t(`web:lang.${lng}`)}</button>`,
  );
  return html`<form class="lang" method="post" action="/web/lang" aria-label="${ctx.t('web:lang.label')}">${csrfField(ctx)}<input type="hidden" name="next" value="${ctx.path}">${buttons}</form>`;
}

/** A whole page. */
export function page(ctx: WebContext, o: { title: string; body: SafeHtml; current?: NavId; languages: readonly string[]; head?: SafeHtml }): string {
  const t = ctx.t;
  const nav = NAV.filter((n) => n.show(ctx)).map((n) => html`<li><a href="${n.href}"${o.current === n.id ? html` aria-current="page"` : ''}>${t(n.labelKey)}</a></li>`);
  const signOut = ctx.staff ? html`<form class="signout" method="post" action="/web/logout">${csrfField(ctx)}<button type="submit">${t('web:nav.sign_out')}</button></form>` : '';
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · ${t('web:app_name')}</title>
<link rel="stylesheet" href="/web/assets/console.css">
${o.head ?? ''}
</head>
<body>
<a class="skip" href="#main">${t('web:skip_to_content')}</a>
<header class="top">
<div class="brand"><span class="name">${t('web:app_name')}</span> <span class="sub">${t('web:app_subtitle')}</span></div>
${nav.length ? html`<nav aria-label="${t('web:nav.label')}"><ul>${nav}</ul></nav>` : ''}
<div class="tools">${languageSwitch(ctx, o.languages)}${signOut}</div>
</header>
<main id="main">
<h1>${o.title}</h1>
${o.body}
</main>
</body>
</html>
`.value;
}

/** A short page with a message (errors, sign-in states), with a way back home. */
export function messagePage(ctx: WebContext, o: { title: string; message: string; languages: readonly string[]; extra?: SafeHtml }): string {
  return page(ctx, { title: o.title, languages: o.languages, body: html`<p class="message">${o.message}</p>${o.extra ?? ''}<p><a href="/web">${ctx.t('web:errors.back_home')}</a></p>` });
}
