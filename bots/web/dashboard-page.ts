/**
 * The dashboard (`GET /web/dashboard`) for the steering committee and the secretariat: the
 * signed-in member's scope (`AccessScope.resolve` over the staff roles: a zone's secretariat sees
 * its subtree, the city level everything), optionally narrowed to one unit in it (`unit`, checked
 * with `AccessScope.allows`: outside the scope answers 404, audited), and a period of Vietnam
 * days (`from`, `to` inclusive; default the last 8 weeks). Figures come from
 * `services.dashboard` (core/reports); each chart is SVG drawn on the server (`svg-charts.ts`)
 * followed by its data table.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Translate } from '../../core/i18n.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import type { Dashboard } from '../../core/reports/dashboard-reader.js';
import { UNKNOWN_UNIT } from '../../core/reports/dashboard-reader.js';
import { defaultPeriod, type DashboardPeriod } from '../../core/reports/dashboard.js';
import { formatVnDate, formatVnTime, vnDay, vnDayStartOf } from '../../core/vn-time.js';
import { signInPage } from './home-page.js';
import { html, type SafeHtml } from './html.js';
import { messagePage, page } from './layout.js';
import { barChart, CHART_COLOURS, trendChart } from './svg-charts.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const DAY_MS = 86_400_000;
/** The longest period one page shows. */
export const MAX_PERIOD_DAYS = 366;
/** Units drawn in a "by unit" chart (the table has all). */
const CHART_UNITS = 12;
/** Broadcasts drawn in the per-broadcast chart (the latest; the table has all). */
const CHART_BROADCASTS = 12;
const MAX_CHARS = 100;

export interface DashboardForm {
  from: string;
  to: string;
  unit: string;
}

export interface ParsedDashboardQuery {
  form: DashboardForm;
  period?: DashboardPeriod;
  problems: { kind: 'bad_date' | 'bad_range' | 'too_long'; value?: string }[];
}

/** One plain string from a query value (an array gives its first string; anything else nothing). */
function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, MAX_CHARS) : '';
}

/** The dashboard's query string: dates as Vietnam days "YYYY-MM-DD" (`to` inclusive), an optional unit id, all plain strings. */
export function parseDashboardQuery(query: unknown, now: Date): ParsedDashboardQuery {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const form: DashboardForm = { from: one(q.from), to: one(q.to), unit: one(q.unit) };
  const fallback = defaultPeriod(now);
  const problems: ParsedDashboardQuery['problems'] = [];
  let from = fallback.from;
  let until = fallback.until;
  if (form.from) {
    const d = vnDayStartOf(form.from);
    if (d) from = d;
    else problems.push({ kind: 'bad_date', value: form.from });
  }
  if (form.to) {
    const d = vnDayStartOf(form.to);
    if (d) until = new Date(d.getTime() + DAY_MS);
    else problems.push({ kind: 'bad_date', value: form.to });
  }
  if (!problems.length && from >= until) problems.push({ kind: 'bad_range' });
  else if (!problems.length && until.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) problems.push({ kind: 'too_long' });
  if (!form.from) form.from = vnDay(from);
  if (!form.to) form.to = vnDay(new Date(until.getTime() - 1));
  return problems.length ? { form, problems } : { form, period: { from, until }, problems };
}

/** The dashboard's query string for a form (the unit only when given). */
export function dashboardSearch(form: DashboardForm): string {
  const p = new URLSearchParams();
  if (form.from) p.set('from', form.from);
  if (form.to) p.set('to', form.to);
  if (form.unit) p.set('unit', form.unit);
  return `?${p.toString()}`;
}

/** Number and duration formats of the reader's language. */
function formats(ctx: WebContext) {
  const t = ctx.t;
  const nf = new Intl.NumberFormat(ctx.locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  const num = (n: number) => nf.format(n);
  const duration = (minutes: number | null) => {
    if (minutes === null) return t('web:dashboard.none');
    if (minutes < 120) return t('web:dashboard.minutes', { n: num(Math.round(minutes)) });
    if (minutes < 48 * 60) return t('web:dashboard.hours', { n: num(Math.round((minutes / 60) * 10) / 10) });
    return t('web:dashboard.days', { n: num(Math.round((minutes / 1440) * 10) / 10) });
  };
  const pct = (rate: number | null) => (rate === null ? t('web:dashboard.none') : t('web:dashboard.percent', { n: num(Math.round(rate * 1000) / 10) }));
  const rate = (met: number, total: number, r: number | null) => (r === null ? t('web:dashboard.none') : t('web:dashboard.rate', { pct: pct(r), met: num(met), total: num(total) }));
  const week = (w: string) => formatVnDate(vnDayStartOf(w)!).slice(0, 5);
  const weekLong = (w: string) => t('web:dashboard.week_of', { day: formatVnDate(vnDayStartOf(w)!) });
  const hours = (minutes: number | null) => (minutes === null ? null : Math.round((minutes / 60) * 10) / 10);
  return { num, duration, pct, rate, week, weekLong, hours };
}

const capitalise = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const categoryLabel = (t: Translate, c: string) => t(`concern:category.${c}`, { defaultValue: c });
const statusLabel = (t: Translate, s: string) => capitalise(t(`concern:status.${s}`, { defaultValue: s }));

/** A chart and its data table, captioned once (the SVG is labelled by the caption). */
function figure(id: string, caption: string, chart: SafeHtml | '', table: SafeHtml, note?: string): SafeHtml {
  return html`<figure class="chart-card" aria-labelledby="${id}">
<figcaption id="${id}">${caption}</figcaption>
${chart}
${note ? html`<p class="chart-note">${note}</p>` : ''}
${table}
</figure>`;
}

/** A data table: a header row, then rows whose first cell is a row header. */
function table(ctx: WebContext, id: string, head: string[], rows: (string | SafeHtml)[][], foot?: (string | SafeHtml)[]): SafeHtml {
  return html`<div class="table-wrap"><table class="data" id="${id}">
<caption class="visually-hidden">${ctx.t('web:dashboard.table_note')}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r[0]!}</th>${r.slice(1).map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
${foot ? html`<tfoot><tr><th scope="row">${foot[0]!}</th>${foot.slice(1).map((c) => html`<td>${c}</td>`)}</tr></tfoot>` : ''}
</table></div>`;
}

function kpis(items: [string, string][]): SafeHtml {
  return html`<dl class="kpis">${items.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

/** The dashboard's sections for figures already read. */
export function dashboardBody(ctx: WebContext, d: Dashboard, form: DashboardForm): SafeHtml {
  const t = ctx.t;
  const f = formats(ctx);
  const k = (key: string, vars?: Record<string, unknown>) => t(`web:dashboard.${key}`, vars);
  const unitName = (id: string) => (id === UNKNOWN_UNIT ? k('unknown_unit') : (d.unitNames[id] ?? id));
  // A top unit's own bucket holds what was raised about it directly (not under it).
  const bucketName = (id: string) => (d.tops.includes(id) ? k('directly', { unit: unitName(id) }) : unitName(id));
  const drillable = (id: string) => id !== UNKNOWN_UNIT && !d.tops.includes(id);
  const unitCell = (id: string) => (drillable(id) ? html`<a href="/web/dashboard${dashboardSearch({ ...form, unit: id })}" title="${k('drill', { unit: unitName(id) })}">${bucketName(id)}</a>` : bucketName(id));
  const weeks = d.weeks.map(f.week);
  const c = d.concerns;

  // Concerns.
  const open = c.byCategory.reduce((s, x) => s + x.open, 0);
  const resolved = c.byCategory.reduce((s, x) => s + x.resolved, 0);
  const flagged = c.byCategory.reduce((s, x) => s + x.flagged, 0);
  const concernCols = [k('concerns.col_count'), k('concerns.open'), k('concerns.resolved'), k('concerns.flagged')];
  const countCells = (x: { total: number; open: number; resolved: number; flagged: number }) => [f.num(x.total), f.num(x.open), f.num(x.resolved), f.num(x.flagged)];
  const topUnits = c.byUnit.slice(0, CHART_UNITS);
  const concernsSection = html`<section class="dash" aria-labelledby="h-concerns">
<h2 id="h-concerns">${k('concerns.title')}</h2>
<p class="section-note">${k('concerns.note')}</p>
${kpis([
  [k('concerns.total'), f.num(c.total)],
  [k('concerns.open'), f.num(open)],
  [k('concerns.flagged'), f.num(flagged)],
  [k('concerns.sla'), f.rate(c.sla.slaMet, c.sla.slaTotal, c.sla.slaHitRate)],
  [k('concerns.median_first'), f.duration(c.sla.medianFirstResponseMinutes)],
  [k('concerns.median_resolution'), f.duration(c.sla.medianResolutionMinutes)],
])}
${c.total === 0 ? html`<p class="empty">${k('concerns.empty')}</p>` : ''}
<div class="chart-grid">
${figure(
  'c-by-category',
  k('concerns.by_category'),
  barChart({ labelledBy: 'c-by-category', categories: c.byCategory.map((x) => categoryLabel(t, x.category)), series: [{ name: k('concerns.series_count'), values: c.byCategory.map((x) => x.total) }] }),
  table(ctx, 't-by-category', [k('concerns.col_category'), ...concernCols], c.byCategory.map((x) => [categoryLabel(t, x.category), ...countCells(x)]), [k('concerns.total'), ...countCells({ total: c.total, open, resolved, flagged })]),
)}
${figure(
  'c-by-unit',
  k('concerns.by_unit'),
  topUnits.length ? barChart({ labelledBy: 'c-by-unit', categories: topUnits.map((x) => bucketName(x.unitId)), series: [{ name: k('concerns.open'), values: topUnits.map((x) => x.open) }, { name: k('concerns.resolved'), values: topUnits.map((x) => x.resolved), colour: CHART_COLOURS[1] }, { name: statusLabel(t, 'withdrawn'), values: topUnits.map((x) => x.total - x.open - x.resolved), colour: CHART_COLOURS[6] }].filter((s, i) => i < 2 || s.values.some((v) => v)), stacked: true }) : '',
  table(ctx, 't-by-unit', [k('concerns.col_unit'), ...concernCols], c.byUnit.map((x) => [unitCell(x.unitId), ...countCells(x)])),
  c.byUnit.length > CHART_UNITS ? k('top_units', { n: CHART_UNITS }) : undefined,
)}
${figure(
  'c-by-status',
  k('concerns.by_status'),
  barChart({ labelledBy: 'c-by-status', categories: c.byStatus.map((x) => statusLabel(t, x.status)), series: [{ name: k('concerns.series_count'), values: c.byStatus.map((x) => x.count) }] }),
  table(ctx, 't-by-status', [k('concerns.col_status'), k('concerns.col_count')], c.byStatus.map((x) => [statusLabel(t, x.status), f.num(x.count)])),
)}
${figure(
  'c-sla-trend',
  k('concerns.sla_trend'),
  trendChart({ labelledBy: 'c-sla-trend', weeks, max: 100, suffix: '%', series: [{ name: k('concerns.series_sla'), values: c.weeks.map((w) => (w.slaHitRate === null ? null : Math.round(w.slaHitRate * 1000) / 10)) }] }),
  table(
    ctx,
    't-sla-trend',
    [k('week'), k('concerns.col_count'), k('concerns.col_sla_met'), k('concerns.col_sla_total'), k('concerns.sla'), k('concerns.median_first'), k('concerns.median_resolution')],
    c.weeks.map((w) => [f.weekLong(w.week), f.num(w.concerns), f.num(w.slaMet), f.num(w.slaTotal), f.pct(w.slaHitRate), f.duration(w.medianFirstResponseMinutes), f.duration(w.medianResolutionMinutes)]),
    [k('concerns.total'), f.num(c.sla.concerns), f.num(c.sla.slaMet), f.num(c.sla.slaTotal), f.pct(c.sla.slaHitRate), f.duration(c.sla.medianFirstResponseMinutes), f.duration(c.sla.medianResolutionMinutes)],
  ),
)}
${figure(
  'c-time-trend',
  k('concerns.time_trend'),
  trendChart({
    labelledBy: 'c-time-trend',
    weeks,
    series: [
      { name: k('concerns.series_first'), values: c.weeks.map((w) => f.hours(w.medianFirstResponseMinutes)) },
      { name: k('concerns.series_resolution'), values: c.weeks.map((w) => f.hours(w.medianResolutionMinutes)), colour: CHART_COLOURS[1] },
    ],
  }),
  table(ctx, 't-time-trend', [k('week'), k('concerns.median_first'), k('concerns.median_resolution')], c.weeks.map((w) => [f.weekLong(w.week), f.duration(w.medianFirstResponseMinutes), f.duration(w.medianResolutionMinutes)])),
)}
</div>
</section>`;

  // Coverage gaps.
  const g = d.gaps;
  const gapsSection = html`<section class="dash" aria-labelledby="h-gaps">
<h2 id="h-gaps">${k('gaps.title')}</h2>
<p class="section-note">${k('gaps.note')} ${k('gaps.checked', { n: f.num(g.workplaces) })}</p>
${
  g.byUnit.length === 0
    ? html`<p class="empty">${k('gaps.none')}</p>`
    : html`<div class="chart-grid">
${figure(
  'c-gaps',
  k('gaps.by_category'),
  barChart({ labelledBy: 'c-gaps', categories: g.byCategory.map((x) => categoryLabel(t, x.category)), series: [{ name: k('gaps.series'), values: g.byCategory.map((x) => x.workplaces), colour: CHART_COLOURS[2] }] }),
  table(ctx, 't-gaps-category', [k('concerns.col_category'), k('gaps.col_workplaces')], g.byCategory.map((x) => [categoryLabel(t, x.category), f.num(x.workplaces)])),
)}
<figure class="chart-card" aria-labelledby="c-gaps-units"><figcaption id="c-gaps-units">${k('gaps.col_unit')} — ${k('gaps.col_categories')}</figcaption>
${table(ctx, 't-gaps-units', [k('gaps.col_unit'), k('gaps.col_categories')], g.byUnit.map((x) => [unitName(x.unitId), x.categories.map((cat) => categoryLabel(t, cat)).join('; ')]))}
</figure>
</div>`
}
</section>`;

  // Broadcasts.
  const b = d.broadcasts;
  const bLabel = (x: Dashboard['broadcasts']['broadcasts'][number]) => {
    const m = x.content?.materialId ? d.materialTitles[x.content.materialId] : undefined;
    const what = m ? k('broadcasts.material', { title: m[ctx.locale] ?? m.vi ?? Object.values(m)[0] ?? x.content.materialId }) : (x.content?.text ?? x.id);
    const short = what.length > 120 ? `${what.slice(0, 119)}…` : what;
    return `${formatVnTime(x.startedAt)} · ${short}`;
  };
  const chartBroadcasts = b.broadcasts.slice(-CHART_BROADCASTS);
  const reachSeries = (rows: { sent: number; failed: number; optedOut: number }[]) => [
    { name: k('broadcasts.sent'), values: rows.map((x) => x.sent), colour: CHART_COLOURS[1] },
    { name: k('broadcasts.failed'), values: rows.map((x) => x.failed), colour: CHART_COLOURS[2] },
    { name: k('broadcasts.opted_out'), values: rows.map((x) => x.optedOut), colour: CHART_COLOURS[6] },
  ];
  const reachCols = [k('broadcasts.targeted'), k('broadcasts.sent'), k('broadcasts.failed'), k('broadcasts.opted_out')];
  const reachCells = (x: { targeted: number; sent: number; failed: number; optedOut: number }) => [f.num(x.targeted), f.num(x.sent), f.num(x.failed), f.num(x.optedOut)];
  const broadcastsSection = html`<section class="dash" aria-labelledby="h-broadcasts">
<h2 id="h-broadcasts">${k('broadcasts.title')}</h2>
<p class="section-note">${k('broadcasts.note')}</p>
${kpis([
  [k('broadcasts.count'), f.num(b.total.broadcasts)],
  [k('broadcasts.targeted'), f.num(b.total.targeted)],
  [k('broadcasts.sent'), f.num(b.total.sent)],
  [k('broadcasts.failed'), f.num(b.total.failed)],
  [k('broadcasts.opted_out'), f.num(b.total.optedOut)],
])}
${b.broadcasts.length === 0 ? html`<p class="empty">${k('broadcasts.empty')}</p>` : ''}
<div class="chart-grid">
${
  b.broadcasts.length
    ? figure(
        'c-bc-each',
        k('broadcasts.per_broadcast'),
        barChart({ labelledBy: 'c-bc-each', categories: chartBroadcasts.map(bLabel), series: reachSeries(chartBroadcasts), stacked: true }),
        table(ctx, 't-bc-each', [k('broadcasts.col_broadcast'), k('broadcasts.col_status'), ...reachCols], b.broadcasts.map((x) => [bLabel(x), capitalise(t(`broadcasts:status.${x.status}`, { defaultValue: x.status })), ...reachCells(x)]), [k('total'), '', ...reachCells(b.total)]),
      )
    : ''
}
${figure(
  'c-bc-weeks',
  k('broadcasts.over_time'),
  trendChart({ labelledBy: 'c-bc-weeks', weeks, stacked: true, series: [...reachSeries(b.weeks).map((s) => ({ ...s, kind: 'bar' as const })), { name: k('broadcasts.targeted'), values: b.weeks.map((w) => w.targeted), colour: CHART_COLOURS[0] }] }),
  table(ctx, 't-bc-weeks', [k('week'), k('broadcasts.col_count'), ...reachCols], b.weeks.map((w) => [f.weekLong(w.week), f.num(w.broadcasts), ...reachCells(w)]), [k('total'), f.num(b.total.broadcasts), ...reachCells(b.total)]),
)}
</div>
</section>`;

  // Members.
  const m = d.members;
  const channelName = (ch: string) => t(`web:dashboard.channels.${ch}`, { defaultValue: ch });
  const topMemberUnits = m.byUnit.slice(0, CHART_UNITS);
  const membersSection = html`<section class="dash" aria-labelledby="h-members">
<h2 id="h-members">${k('members.title')}</h2>
<p class="section-note">${k('members.note')}</p>
${kpis([
  [k('members.active'), f.num(m.active)],
  [k('members.new'), f.num(m.newTotal)],
  [k('members.erased'), m.erasedCounted ? f.num(m.erasedTotal) : k('none')],
])}
${m.erasedCounted ? '' : html`<p class="chart-note">${k('members.erased_not_counted')}</p>`}
${m.active === 0 ? html`<p class="empty">${k('members.empty')}</p>` : ''}
<div class="chart-grid">
${
  m.byUnit.length
    ? figure(
        'c-members-unit',
        k('members.by_unit'),
        barChart({
          labelledBy: 'c-members-unit',
          categories: topMemberUnits.map((x) => bucketName(x.unitId)),
          series: [...m.channels.map((ch, i) => ({ name: channelName(ch), values: topMemberUnits.map((x) => x.channels[ch] ?? 0), colour: CHART_COLOURS[i % CHART_COLOURS.length] })), ...(m.byUnit.some((x) => x.none) ? [{ name: k('members.no_chat'), values: topMemberUnits.map((x) => x.none), colour: CHART_COLOURS[6] }] : [])],
          stacked: false,
        }),
        table(ctx, 't-members-unit', [k('members.col_unit'), k('members.col_active'), ...m.channels.map(channelName), k('members.no_chat')], m.byUnit.map((x) => [unitCell(x.unitId), f.num(x.active), ...m.channels.map((ch) => f.num(x.channels[ch] ?? 0)), f.num(x.none)])),
        m.byUnit.length > CHART_UNITS ? k('top_units', { n: CHART_UNITS }) : undefined,
      )
    : ''
}
${figure(
  'c-members-weeks',
  k('members.per_week'),
  trendChart({ labelledBy: 'c-members-weeks', weeks, series: [{ name: k('members.new'), values: m.weeks.map((w) => w.new), kind: 'bar' }, ...(m.erasedCounted ? [{ name: k('members.erased'), values: m.weeks.map((w) => w.erased), kind: 'bar' as const, colour: CHART_COLOURS[2] }] : [])] }),
  table(ctx, 't-members-weeks', [k('week'), k('members.new'), ...(m.erasedCounted ? [k('members.erased')] : [])], m.weeks.map((w) => [f.weekLong(w.week), f.num(w.new), ...(m.erasedCounted ? [f.num(w.erased)] : [])]), [k('total'), f.num(m.newTotal), ...(m.erasedCounted ? [f.num(m.erasedTotal)] : [])]),
)}
</div>
</section>`;

  return html`${concernsSection}${gapsSection}${broadcastsSection}${membersSection}`;
}

function periodForm(ctx: WebContext, form: DashboardForm): SafeHtml {
  const k = (key: string) => ctx.t(`web:dashboard.${key}`);
  return html`<form class="filters period" method="get" action="/web/dashboard">
<fieldset><legend>${k('period_legend')}</legend>
<div class="field"><label for="d-from">${k('from')}</label><input id="d-from" name="from" type="date" value="${form.from}" maxlength="${MAX_CHARS}"></div>
<div class="field"><label for="d-to">${k('to')}</label><input id="d-to" name="to" type="date" value="${form.to}" maxlength="${MAX_CHARS}"></div>
${form.unit ? html`<input type="hidden" name="unit" value="${form.unit}">` : ''}
<div class="actions"><button type="submit" class="primary">${k('apply')}</button> <a href="/web/dashboard${form.unit ? dashboardSearch({ from: '', to: '', unit: form.unit }) : ''}">${k('default_period')}</a></div>
</fieldset>
</form>`;
}

export function registerDashboardRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const notFound = (ctx: WebContext, reply: FastifyReply) =>
    reply.code(404).type('text/html; charset=utf-8').send(messagePage(ctx, { title: ctx.t('web:errors.not_found_title'), message: ctx.t('web:errors.not_found'), languages }));

  web.get('/dashboard', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!ctx.staff) return reply.code(ctx.ended ? 403 : 401).type('text/html; charset=utf-8').send(signInPage(ctx, languages));
    const t = ctx.t;
    const k = (key: string, vars?: Record<string, unknown>) => t(`web:dashboard.${key}`, vars);
    const q = parseDashboardQuery(request.query, ctx.now);
    const scope = await app.services.access.resolve(ctx.staff.member, STAFF_ROLES, ctx.now);
    let unit;
    if (q.form.unit) {
      unit = await app.services.org.get(q.form.unit, ctx.now);
      // Outside the scope, or no such unit: the same 404 (nothing leaks), audited as access.denied.
      if (!unit || !(await app.services.access.allows(ctx.staff.member, STAFF_ROLES, unit._id, ctx.now, 'web.dashboard'))) return notFound(ctx, reply);
    }
    const names = await Promise.all((unit ? [unit._id] : scope.units).map(async (id) => (await app.services.org.get(id, ctx.now))?.name ?? id));
    const scopeText = unit ? k('scope_units', { units: unit.name }) : scope.whole ? k('scope_whole') : k('scope_units', { units: names.join(', ') });
    const problems = q.problems.map((p) => html`<p class="problem" role="alert">${p.kind === 'bad_date' ? k('bad_date', { value: p.value }) : p.kind === 'too_long' ? k('too_long', { days: MAX_PERIOD_DAYS }) : k('bad_range')}</p>`);
    const head = html`<p class="intro">${k('intro')}</p>
<p class="scope-line"><strong>${k('scope', { scope: scopeText })}</strong>${unit ? html` · <a href="/web/dashboard${dashboardSearch({ ...q.form, unit: '' })}">${k('unit_back')}</a>` : ''}${q.period ? html`<br>${k('period_line', { from: formatVnDate(q.period.from), to: formatVnDate(new Date(q.period.until.getTime() - 1)) })}` : ''}</p>
${periodForm(ctx, q.form)}
${problems}`;
    if (!q.period) {
      const body = page(ctx, { title: k('title'), current: 'dashboard', languages, body: html`${head}<p class="empty">${k('no_figures')}</p>` });
      return reply.code(400).type('text/html; charset=utf-8').send(body);
    }
    const d = await app.services.dashboard.read({ scope, unitId: unit?._id, period: q.period, now: ctx.now });
    request.log.debug({ timings: d.timings }, 'dashboard read');
    const body = page(ctx, { title: k('title'), current: 'dashboard', languages, body: html`${head}${dashboardBody(ctx, d, q.form)}` });
    return reply.type('text/html; charset=utf-8').send(body);
  });
}
