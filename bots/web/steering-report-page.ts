/**
 * The steering committee's monthly report in the web console (the link the monthly message
 * carries):
 * - `GET /web/reports/steering?unit=<id>&month=YYYY-MM[&lang=en]`: the printable page
 *   (steering-report-html.ts) with, on screen only, a way back, another month and "Print / PDF";
 * - `GET /web/reports/steering.pdf?…`: the same page printed by chromium (core/reports/pdf.ts).
 * Signed-in staff only (the sign-in page otherwise). The unit must lie in the person's
 * secretariat/admin scope (`AccessScope.allows`, refusals audited as `access.denied`): outside it,
 * or no such unit, the 404 page — nothing tells the two apart. Without `unit`, a person whose
 * scope is one unit sees it; others choose. Without `month`, the previous month. A malformed month
 * or one not begun is a 400 saying so; the current month is shown "so far" (core/reports/steering-report.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { ChromiumMissingError, htmlToPdf } from '../../core/reports/pdf.js';
import { parseReportMonth, previousMonth, SteeringReportReader, steeringReportPath, type ReportMonth } from '../../core/reports/steering-report.js';
import { notFound, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { messagePage } from './layout.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { renderSteeringReport, STEERING_STYLE_SOURCE } from './steering-report-html.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const HTML = 'text/html; charset=utf-8';
const MAX_CHARS = 100;

/** The console's policy, with the report's one inline stylesheet allowed by its hash (still no script). */
export const STEERING_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'self' ${STEERING_STYLE_SOURCE}`);

/** The report readers (stateless: the figures' caches live in the services they read through). */
export const steeringReader = (app: App) => new SteeringReportReader({ ...app.services, models: app.models });

function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, MAX_CHARS) : '';
}

export function registerSteeringReportRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const k = (ctx: WebContext, key: string, vars?: Record<string, unknown>) => ctx.t(`steering:${key}`, vars);

  /** The unit, month and language asked for, checked; or the answer already sent. */
  async function resolve(ctx: WebContext, query: unknown, reply: FastifyReply): Promise<{ unitId: string; month: ReportMonth; lang: string } | undefined> {
    const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
    const lang = languages.includes(one(q.lang)) ? one(q.lang) : ctx.locale;
    const monthText = one(q.month);
    let month = previousMonth(ctx.now);
    if (monthText) {
      const parsed = parseReportMonth(monthText, ctx.now);
      if ('problem' in parsed) {
        const message = parsed.problem === 'future' ? k(ctx, 'page.future_month', { value: monthText }) : k(ctx, 'page.bad_month', { value: monthText });
        reply.code(400).type(HTML).send(messagePage(ctx, { title: k(ctx, 'title'), message, languages }));
        return undefined;
      }
      month = parsed.month;
    }
    let unitId = one(q.unit);
    if (!unitId) {
      const scope = await app.services.access.resolve(ctx.staff!.member, STAFF_ROLES, ctx.now);
      const roots = scope.whole ? (await app.services.org.roots(ctx.now)).map((u) => u._id) : [];
      const choices = scope.whole ? roots : scope.units;
      if (choices.length === 1) unitId = choices[0]!;
      else {
        const links: SafeHtml[] = [];
        for (const id of choices) links.push(html`<li><a href="${steeringReportPath(id, month.month)}">${(await app.services.org.get(id, ctx.now))?.name ?? id}</a></li>`);
        reply.code(choices.length ? 200 : 404).type(HTML).send(messagePage(ctx, { title: k(ctx, 'title'), message: k(ctx, 'page.choose_unit'), languages, extra: html`<ul>${links}</ul>` }));
        return undefined;
      }
    }
    const unit = await app.services.org.get(unitId, ctx.now);
    // No such unit, or outside the scope: the same 404 (nothing leaks), audited as access.denied.
    if (!unit || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, unit._id, ctx.now, 'web.steering_report'))) {
      notFound(app, ctx, reply);
      return undefined;
    }
    return { unitId: unit._id, month, lang };
  }

  web.get('/reports/steering', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const asked = await resolve(ctx, request.query, reply);
    if (!asked) return reply;
    const report = await steeringReader(app).read({ unitId: asked.unitId, month: asked.month, now: ctx.now });
    const t = app.services.i18n.for(asked.lang);
    const toolbar = html`<nav class="toolbar" aria-label="${t('steering:title')}">
<a href="/web">${t('steering:page.back')}</a>
<a class="print" href="${steeringReportPath(asked.unitId, asked.month.month, { pdf: true, lang: asked.lang })}">${t('steering:page.print')}</a>
${languages.filter((l) => l !== asked.lang).map((l) => html`<a href="${steeringReportPath(asked.unitId, asked.month.month, { lang: l })}" lang="${l}">${t(`web:lang.${l}`)}</a>`)}
<form method="get" action="/web/reports/steering" aria-label="${t('steering:page.other_month')}">
<input type="hidden" name="unit" value="${asked.unitId}">
<input type="hidden" name="lang" value="${asked.lang}">
<label for="s-month">${t('steering:page.month_field')}</label>
<input id="s-month" name="month" type="month" value="${asked.month.month}" maxlength="7">
<button type="submit">${t('steering:page.show')}</button>
</form>
</nav>`;
    reply.header('content-security-policy', STEERING_CONTENT_SECURITY_POLICY);
    return reply.type(HTML).send(renderSteeringReport(report, { t, locale: asked.lang, toolbar }));
  });

  web.get('/reports/steering.pdf', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const asked = await resolve(ctx, request.query, reply);
    if (!asked) return reply;
    const report = await steeringReader(app).read({ unitId: asked.unitId, month: asked.month, now: ctx.now });
    const page = renderSteeringReport(report, { t: app.services.i18n.for(asked.lang), locale: asked.lang });
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(page, { chromium: app.config.CHROMIUM_PATH });
    } catch (err) {
      if (!(err instanceof ChromiumMissingError)) throw err;
      return reply.code(503).type(HTML).send(messagePage(ctx, { title: k(ctx, 'page.pdf_unavailable_title'), message: k(ctx, 'page.pdf_unavailable'), languages }));
    }
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'report.steering_exported', target: asked.unitId, details: { month: asked.month.month, format: 'pdf', via: 'web' }, at: ctx.now });
    const name = `bao-cao-ban-chi-dao-${asked.unitId.replace(/[^A-Za-z0-9_-]/g, '_')}-${asked.month.month}.pdf`;
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}"`).send(pdf);
  });
}
