/**
 * The concerns list (`GET /web/concerns`) and its CSV export (`GET /web/concerns.csv`), like a
 * help desk's conversation list for the secretariat: filter by status, category, unit (with the
 * units under it), level, unassigned (flagged) and overdue; newest first, 50 a page; each row
 * with code, category, unit, level, status, age and deadline state. Only concerns about units in
 * the person's scope are listed (a ward or zone sees its subtree, the city level everything); a
 * unit outside it is refused (audited) with a 404. No reporter appears anywhere: the list reads
 * concern documents only, which name none.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.js';
import { slaState, isOverdue, type ConcernFilter, type ConcernListItem } from '../../core/concerns/concern-reader.js';
import { CONCERN_STATUSES } from '../../core/concerns/models.js';
import { categoryIds } from '../../core/concerns/policy.js';
import { toCsv, type CsvCell } from '../../core/csv-writer.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { formatVnTime, vnDay } from '../../core/vn-time.js';
import { MAX_PAGE } from './audit-filter.js';
import { concernSearch, MAX_LEVEL, parseConcernQuery, type ConcernForm, type ParsedConcernQuery } from './concern-filter.js';
import { ageLabel, categoryLabel, notFound, PageNames, requireStaff, slaLabel, statusLabel } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { indentedName, scopeUnitOptions, type UnitOption } from './unit-options.js';
import { page } from './layout.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

export const CONCERNS_PAGE_SIZE = 50;
/** The most concerns one CSV export holds. */
export const CONCERNS_EXPORT_MAX = 10_000;
/** Units offered in the unit filter at most (a city has a few hundred). */

/**
 * The concerned units the list may show: the scope's subtrees, or the chosen unit's subtree cut
 * to the scope. A chosen unit outside the scope is refused (audited): `refused`. A unit the tree
 * does not know, in a whole-tree scope, matches nothing: `unknown`.
 */
export async function listedUnits(app: App, ctx: WebContext, unit: string, attempted: string): Promise<{ unitIds?: string[]; refused?: boolean; unknown?: boolean }> {
  const scope = ctx.staff!.scope;
  if (!unit) return { unitIds: scope.whole ? undefined : (scope.unitIds ?? []) };
  if (!(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, unit, ctx.now, attempted))) return { refused: true };
  const under = await app.services.org.idsUnder([unit], ctx.now);
  if (under.length === 0) return { unitIds: [], unknown: true };
  return { unitIds: scope.whole ? under : under.filter((id) => scope.has(id)) };
}

function filterForm(app: App, ctx: WebContext, form: ConcernForm, units: UnitOption[]): SafeHtml {
  const t = ctx.t;
  const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const select = (name: keyof ConcernForm, label: string, options: SafeHtml[]) =>
    html`<div class="field"><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}">${options}</select></div>`;
  const check = (name: keyof ConcernForm, label: string) =>
    html`<div class="field check"><input id="f-${name}" name="${name}" type="checkbox" value="1"${form[name] === '1' ? html` checked` : ''}><label for="f-${name}">${label}</label></div>`;
  return html`<form class="filters" method="get" action="/web/concerns">
<fieldset><legend>${t('web:concerns.filter_legend')}</legend>
${select('status', t('web:concerns.status'), [option('', t('web:concerns.status_any'), form.status), option('open', t('web:concerns.status_open'), form.status), ...CONCERN_STATUSES.map((s) => option(s, statusLabel(t, s), form.status))])}
${select('category', t('web:concerns.category'), [option('', t('web:concerns.category_any'), form.category), ...categoryIds(app.services.concerns.policy).map((c) => option(c, categoryLabel(t, c), form.category))])}
${select('unit', t('web:concerns.unit'), [option('', t('web:concerns.unit_any'), form.unit), ...units.map((u) => option(u.id, indentedName(u), form.unit))])}
${select('level', t('web:concerns.level'), [option('', t('web:concerns.level_any'), form.level), ...Array.from({ length: MAX_LEVEL }, (_, i) => option(String(i + 1), t('web:concerns.level_n', { level: i + 1 }), form.level))])}
${check('flagged', t('web:concerns.flagged'))}
${check('overdue', t('web:concerns.overdue'))}
<div class="actions"><button type="submit" class="primary">${t('web:concerns.apply')}</button> <a href="/web/concerns">${t('web:concerns.clear')}</a></div>
</fieldset>
</form>`;
}

async function row(ctx: WebContext, names: PageNames, c: ConcernListItem): Promise<SafeHtml> {
  const t = ctx.t;
  const sla = slaState(c, ctx.now);
  const overdue = isOverdue(sla);
  const classes = [c.flagged ? 'flagged' : '', overdue ? 'overdue' : ''].filter(Boolean).join(' ');
  return html`<tr${classes ? html` class="${classes}"` : ''}>
<td data-label="${t('web:concerns.col_code')}"><a href="/web/concerns/${c._id}">${c._id}</a>${c.urgent ? html` <strong class="badge urgent">${t('web:concerns.urgent')}</strong>` : ''}</td>
<td data-label="${t('web:concerns.col_category')}">${categoryLabel(t, c.category)}</td>
<td data-label="${t('web:concerns.col_unit')}">${await names.unit(c.orgUnitId)}</td>
<td data-label="${t('web:concerns.col_level')}">${t('web:concerns.level_n', { level: c.level + 1 })}</td>
<td data-label="${t('web:concerns.col_status')}">${statusLabel(t, c.status)}${c.flagged ? html` <strong class="badge">${t('web:concerns.flagged_badge')}</strong>` : ''}</td>
<td data-label="${t('web:concerns.col_age')}"><time datetime="${new Date(c.createdAt).toISOString()}" title="${formatVnTime(c.createdAt)}">${ageLabel(t, c.createdAt, ctx.now)}</time></td>
<td data-label="${t('web:concerns.col_sla')}"><span class="sla${overdue ? ' late' : ''}">${slaLabel(t, sla)}</span></td>
</tr>`;
}

/** The body of the concerns page for one page of concerns. */
async function concernsBody(app: App, ctx: WebContext, q: ParsedConcernQuery, units: UnitOption[], list: ConcernListItem[], hasNext: boolean, unknownUnit: boolean): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const fieldName: Record<keyof ConcernForm, string> = { status: t('web:concerns.status'), category: t('web:concerns.category'), unit: t('web:concerns.unit'), level: t('web:concerns.level'), flagged: t('web:concerns.flagged'), overdue: t('web:concerns.overdue') };
  const problems = [
    ...q.problems.map((p) => html`<p class="problem" role="alert">${t('web:concerns.bad_value', { value: p.value, field: fieldName[p.field] })}</p>`),
    unknownUnit ? html`<p class="problem" role="alert">${t('web:concerns.unknown_unit', { value: q.form.unit })}</p>` : '',
  ];
  const rows: SafeHtml[] = [];
  for (const c of list) rows.push(await row(ctx, names, c));
  const table = list.length
    ? html`<div class="table-wrap"><table class="concerns">
<caption>${t('web:concerns.times_note')}</caption>
<thead><tr><th scope="col">${t('web:concerns.col_code')}</th><th scope="col">${t('web:concerns.col_category')}</th><th scope="col">${t('web:concerns.col_unit')}</th><th scope="col">${t('web:concerns.col_level')}</th><th scope="col">${t('web:concerns.col_status')}</th><th scope="col">${t('web:concerns.col_age')}</th><th scope="col">${t('web:concerns.col_sla')}</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p class="empty">${t('web:concerns.empty')}</p>`;
  const prev = q.page > 1 ? html`<a rel="prev" href="/web/concerns${concernSearch(q.form, q.page - 1)}">${t('web:concerns.prev')}</a>` : '';
  const next = hasNext && q.page < MAX_PAGE ? html`<a rel="next" href="/web/concerns${concernSearch(q.form, q.page + 1)}">${t('web:concerns.next')}</a>` : '';
  return html`<p class="intro">${t('web:concerns.intro')}</p>
${filterForm(app, ctx, q.form, units)}
${problems}
<p class="export"><a class="button" href="/web/concerns.csv${concernSearch(q.form)}" download>${t('web:concerns.export')}</a> <small>${t('web:concerns.export_note', { max: CONCERNS_EXPORT_MAX.toLocaleString(ctx.locale === 'vi' ? 'vi-VN' : 'en-GB') })}</small></p>
${table}
<nav class="pages" aria-label="${t('web:concerns.pages_label')}">${prev} <span>${t('web:concerns.count_page', { page: q.page })}</span> ${next}</nav>`;
}

/** The CSV of concerns: one header row in the reader's language, then one row per concern — never anything about a reporter. */
export async function concernsCsv(app: App, ctx: WebContext, list: ConcernListItem[], truncated: boolean): Promise<string> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const header = [
    'code', 'category', 'unit_id', 'unit', 'level', 'level_unit', 'status', 'urgent', 'flagged', 'created_utc', 'created_vn',
    'first_response_due', 'responded', 'resolution_due', 'resolved', 'sla', 'assignee_id', 'assignee',
  ].map((k) => t(`web:concerns.csv_${k}`));
  const when = (d: Date | undefined) => (d ? formatVnTime(new Date(d)) : '');
  const rows: CsvCell[][] = [header];
  for (const c of list) {
    rows.push([
      c._id,
      categoryLabel(t, c.category),
      c.orgUnitId,
      await names.unit(c.orgUnitId),
      c.level + 1,
      await names.unit(c.levelUnitId),
      statusLabel(t, c.status),
      c.urgent ? t('web:concerns.csv_yes') : '',
      c.flagged ? t('web:concerns.csv_yes') : '',
      new Date(c.createdAt),
      when(c.createdAt),
      when(c.firstResponseDue),
      when(c.respondedAt),
      when(c.resolutionDue),
      when(c.resolvedAt),
      slaLabel(t, slaState(c, ctx.now)),
      c.assigneeId ?? '',
      c.assigneeId ? await names.member(c.assigneeId) : '',
    ]);
  }
  if (truncated) rows.push([t('web:concerns.csv_truncated', { max: CONCERNS_EXPORT_MAX })]);
  return toCsv(rows);
}

export function registerConcernListRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;

  /** The filter of a request, or undefined when its unit is outside the scope (404 sent, refusal audited). */
  async function filterOf(ctx: WebContext, query: unknown, attempted: string): Promise<{ q: ParsedConcernQuery; filter: ConcernFilter; unknownUnit: boolean } | undefined> {
    const q = parseConcernQuery(query, categoryIds(app.services.concerns.policy));
    const units = await listedUnits(app, ctx, q.form.unit, attempted);
    if (units.refused) return undefined;
    return { q, filter: { ...q.filter, ...(units.unitIds ? { unitIds: units.unitIds } : {}) }, unknownUnit: !!units.unknown };
  }

  web.get('/concerns', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const f = await filterOf(ctx, request.query, 'web.concerns');
    if (!f) return notFound(app, ctx, reply);
    const { concerns, hasNext } = await app.services.concerns.reader.page(f.filter, ctx.now, f.q.page, CONCERNS_PAGE_SIZE);
    const body = await concernsBody(app, ctx, f.q, await scopeUnitOptions(app, ctx), concerns, hasNext, f.unknownUnit);
    return reply.type('text/html; charset=utf-8').send(page(ctx, { title: ctx.t('web:concerns.title'), current: 'concerns', languages, body }));
  });

  web.get('/concerns.csv', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const f = await filterOf(ctx, request.query, 'web.concerns.export');
    if (!f) return notFound(app, ctx, reply);
    const { concerns, truncated } = await app.services.concerns.reader.all(f.filter, ctx.now, CONCERNS_EXPORT_MAX);
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'concerns.exported', details: { ...f.q.form, rows: concerns.length, truncated }, at: ctx.now });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="phan-anh-${vnDay(ctx.now)}.csv"`)
      .send(await concernsCsv(app, ctx, concerns, truncated));
  });
}
