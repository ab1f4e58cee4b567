/**
 * The audit log page (`GET /web/audit`) and its CSV export (`GET /web/audit.csv`): filter by
 * actor, action, target and period, newest first, 50 a page; views of a reporter's identity are
 * marked. Open to city-level staff only (the scope check `AccessScope.allows` on the whole tree,
 * audited when it refuses; others get 404): audit entries carry no org unit, so a ward or zone
 * cannot be given only its own part of the log. Times in Vietnam time, in the one display format.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isIdentityView } from '../../core/audit/audit-reader.js';
import { toCsv } from '../../core/csv-writer.js';
import type { AuditDoc } from '../../core/db.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { formatVnTime, vnDay } from '../../core/vn-time.js';
import { auditSearch, MAX_PAGE, parseAuditQuery, type AuditForm, type ParsedAuditQuery } from './audit-filter.js';
import { html, type SafeHtml } from './html.js';
import { messagePage, page } from './layout.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';
import { signInPage } from './home-page.js';

export const AUDIT_PAGE_SIZE = 50;
/** The most entries one CSV export holds. */
export const AUDIT_EXPORT_MAX = 10_000;
const DETAILS_CHARS = 300;

function details(e: AuditDoc): string {
  if (!e.details) return '';
  const s = JSON.stringify(e.details);
  return s.length > DETAILS_CHARS ? `${s.slice(0, DETAILS_CHARS)}…` : s;
}

/** A value that filters the log by itself when followed. */
function filterLink(form: AuditForm, field: keyof AuditForm, value: string | undefined): SafeHtml | string {
  if (!value) return '';
  return html`<a href="/web/audit${auditSearch({ ...form, [field]: value })}">${value}</a>`;
}

function row(ctx: WebContext, form: AuditForm, e: AuditDoc): SafeHtml {
  const t = ctx.t;
  const identity = isIdentityView(e.action);
  return html`<tr${identity ? html` class="identity-view"` : ''}>
<td data-label="${t('web:audit.col_at')}"><time datetime="${e.at.toISOString()}">${formatVnTime(e.at)}</time></td>
<td data-label="${t('web:audit.col_actor')}">${filterLink(form, 'actor', e.actor)}</td>
<td data-label="${t('web:audit.col_action')}">${filterLink(form, 'action', e.action)}${identity ? html` <strong class="badge">${t('web:audit.identity_view')}</strong>` : ''}</td>
<td data-label="${t('web:audit.col_target')}">${filterLink(form, 'target', e.target)}</td>
<td data-label="${t('web:audit.col_details')}">${e.details ? html`<code>${details(e)}</code>` : ''}</td>
</tr>`;
}

function filterForm(ctx: WebContext, form: AuditForm): SafeHtml {
  const t = ctx.t;
  const field = (name: keyof AuditForm, type: string, label: string, hint?: string) =>
    html`<div class="field"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${form[name]}" maxlength="200"${hint ? html` aria-describedby="f-${name}-hint"` : ''}>${hint ? html`<small id="f-${name}-hint">${hint}</small>` : ''}</div>`;
  return html`<form class="filters" method="get" action="/web/audit">
<fieldset><legend>${t('web:audit.filter_legend')}</legend>
${field('actor', 'text', t('web:audit.actor'))}
${field('action', 'text', t('web:audit.action'), t('web:audit.action_hint'))}
${field('target', 'text', t('web:audit.target'))}
${field('from', 'date', t('web:audit.from'))}
${field('to', 'date', t('web:audit.to'))}
<div class="actions"><button type="submit" class="primary">${t('web:audit.apply')}</button> <a href="/web/audit">${t('web:audit.clear')}</a></div>
</fieldset>
</form>`;
}

/** The body of the audit page for one page of entries. */
export function auditBody(ctx: WebContext, q: ParsedAuditQuery, entries: AuditDoc[], hasNext: boolean): SafeHtml {
  const t = ctx.t;
  const problems = q.problems.map((p) => html`<p class="problem" role="alert">${p.kind === 'bad_date' ? t('web:audit.bad_date', { value: p.value }) : t('web:audit.bad_range')}</p>`);
  const table = entries.length
    ? html`<div class="table-wrap"><table class="audit">
<caption>${t('web:audit.times_note')}</caption>
<thead><tr><th scope="col">${t('web:audit.col_at')}</th><th scope="col">${t('web:audit.col_actor')}</th><th scope="col">${t('web:audit.col_action')}</th><th scope="col">${t('web:audit.col_target')}</th><th scope="col">${t('web:audit.col_details')}</th></tr></thead>
<tbody>${entries.map((e) => row(ctx, q.form, e))}</tbody>
</table></div>`
    : html`<p class="empty">${t('web:audit.empty')}</p>`;
  const prev = q.page > 1 ? html`<a rel="prev" href="/web/audit${auditSearch(q.form, q.page - 1)}">${t('web:audit.prev')}</a>` : '';
  const next = hasNext && q.page < MAX_PAGE ? html`<a rel="next" href="/web/audit${auditSearch(q.form, q.page + 1)}">${t('web:audit.next')}</a>` : '';
  return html`<p class="intro">${t('web:audit.intro')}</p>
${filterForm(ctx, q.form)}
${problems}
<p class="export"><a class="button" href="/web/audit.csv${auditSearch(q.form)}" download>${t('web:audit.export')}</a> <small>${t('web:audit.export_note', { max: AUDIT_EXPORT_MAX.toLocaleString(ctx.locale === 'vi' ? 'vi-VN' : 'en-GB') })}</small></p>
<p class="legend"><strong class="badge">${t('web:audit.identity_view')}</strong> ${t('web:audit.identity_legend')}</p>
${table}
<nav class="pages" aria-label="${t('web:audit.pages_label')}">${prev} <span>${t('web:audit.page', { page: q.page })}</span> ${next}</nav>`;
}

/** The CSV of entries: one header row in the reader's language, then one row per entry. */
export function auditCsv(ctx: WebContext, entries: AuditDoc[], truncated: boolean): string {
  const t = ctx.t;
  const rows: (string | Date | undefined)[][] = [
    ['csv_at_utc', 'csv_at_vn', 'csv_actor', 'csv_action', 'csv_target', 'csv_identity_view', 'csv_details'].map((k) => t(`web:audit.${k}`)),
    ...entries.map((e) => [e.at, formatVnTime(e.at), e.actor, e.action, e.target, isIdentityView(e.action) ? t('web:audit.csv_yes') : '', e.details ? JSON.stringify(e.details) : '']),
  ];
  if (truncated) rows.push([t('web:audit.csv_truncated', { max: AUDIT_EXPORT_MAX })]);
  return toCsv(rows);
}

export function registerAuditRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;

  /** The signed-in city-level member, or the reply already sent (sign-in page, session ended, or 404). */
  async function cityStaff(ctx: WebContext, reply: FastifyReply, attempted: string): Promise<boolean> {
    if (!ctx.staff) {
      reply.code(ctx.ended ? 403 : 401).type('text/html; charset=utf-8').send(signInPage(ctx, languages));
      return false;
    }
    if (!(await app.services.access.allows(ctx.staff.member, STAFF_ROLES, undefined, ctx.now, attempted))) {
      reply.code(404).type('text/html; charset=utf-8').send(messagePage(ctx, { title: ctx.t('web:errors.not_found_title'), message: ctx.t('web:errors.not_found'), languages }));
      return false;
    }
    return true;
  }

  web.get('/audit', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await cityStaff(ctx, reply, 'web.audit'))) return reply;
    const q = parseAuditQuery(request.query);
    const { entries, hasNext } = await app.services.auditReader.page(q.filter, q.page, AUDIT_PAGE_SIZE);
    const body = page(ctx, { title: ctx.t('web:audit.title'), current: 'audit', languages, body: auditBody(ctx, q, entries, hasNext) });
    return reply.type('text/html; charset=utf-8').send(body);
  });

  web.get('/audit.csv', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await cityStaff(ctx, reply, 'web.audit.export'))) return reply;
    const q = parseAuditQuery(request.query);
    const { entries, truncated } = await app.services.auditReader.all(q.filter, AUDIT_EXPORT_MAX);
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'audit.exported', details: { ...q.form, rows: entries.length, truncated }, at: ctx.now });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${vnDay(ctx.now)}.csv"`)
      .send(auditCsv(ctx, entries, truncated));
  });
}
