/**
 * The steering committee's monthly report (core/reports/steering-report.ts) as one printable,
 * self-contained HTML page: its stylesheet inline (print CSS for A4, each part on its own sheet),
 * its charts SVG drawn on the server (`svg-charts.ts`, each followed by its data table), no script,
 * no image, nothing fetched — so the same page is served by the web console, written by the CLI and
 * printed to PDF by chromium (core/reports/pdf.ts). Every word comes from locales/<lng>/steering.json
 * (category and organisation names from the concern and review namespaces, where they are defined).
 *
 * It lives beside the console's other pages, not in core/reports: core/ may not import bots/
 * (eslint.config.js), and the charts and the escaping template are the console's.
 */
import { createHash } from 'node:crypto';
import type { Translate } from '../../core/i18n.js';
import { monthLabel, type SteeringReport } from '../../core/reports/steering-report.js';
import { textIn } from '../../core/surveys/definition.js';
import { formatVnDate, formatVnTime } from '../../core/vn-time.js';
import { html, trusted, type SafeHtml } from './html.js';
import { barChart, CHART_COLOURS } from './svg-charts.js';

/** The page's whole stylesheet: screen (a sheet of paper on grey) and print (A4, a page per sheet). */
export const STEERING_CSS = `
@page { size: A4; margin: 14mm 13mm 16mm; }
* { box-sizing: border-box; }
html { background: #e9ecf1; color: #1d2430; font: 10.5pt/1.45 "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, system-ui, sans-serif; }
body { margin: 0; padding: 16px 8px 40px; }
.toolbar { max-width: 210mm; margin: 0 auto 12px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; font-size: 11pt; }
.toolbar a { color: #0b5cab; }
.toolbar a.print { background: #0b5cab; color: #fff; padding: 6px 14px; border-radius: 4px; text-decoration: none; font-weight: 600; }
.toolbar form { display: flex; gap: 6px; align-items: center; margin-left: auto; }
.toolbar input, .toolbar button { font: inherit; padding: 3px 6px; }
.sheet { background: #fff; max-width: 210mm; margin: 0 auto 14px; padding: 14mm 13mm; box-shadow: 0 1px 4px rgba(0,0,0,.18); }
header.cover { border-bottom: 3px solid #0b5cab; padding-bottom: 8px; margin-bottom: 12px; }
.programme { text-transform: uppercase; letter-spacing: .04em; font-size: 9pt; color: #0b5cab; margin: 0; font-weight: 600; }
h1 { font-size: 19pt; margin: 4px 0 6px; }
h2 { font-size: 13.5pt; margin: 0 0 6px; color: #0b3d73; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 12px 0 4px; break-after: avoid; page-break-after: avoid; }
p { margin: 3px 0; }
.meta { color: #3d4654; }
.so-far { display: inline-block; margin-top: 6px; padding: 3px 10px; border: 2px solid #b26a00; color: #7a4800; font-weight: 700; border-radius: 3px; }
.note { color: #4a5363; font-size: 9pt; margin-bottom: 6px; }
section { margin: 0 0 14px; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; margin: 8px 0; padding: 0; }
.kpis div { border: 1px solid #cdd3dc; border-radius: 4px; padding: 6px 8px; break-inside: avoid; }
.kpis dt { font-size: 8.5pt; color: #4a5363; }
.kpis dd { margin: 2px 0 0; font-size: 14pt; font-weight: 700; }
figure { margin: 6px 0 10px; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 2px; }
svg.chart { display: block; width: 100%; max-width: 150mm; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 9pt; break-inside: auto; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
th, td { border: 1px solid #cdd3dc; padding: 3px 5px; text-align: right; vertical-align: top; }
th:first-child, td.text { text-align: left; }
thead th { background: #eef2f7; text-align: center; }
tfoot th, tfoot td { font-weight: 700; background: #f6f8fb; }
.empty { font-style: italic; color: #4a5363; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin-top: 12px; font-size: 8.5pt; color: #4a5363; border-top: 1px solid #cdd3dc; padding-top: 4px; }
/* Phones: the sheet loses its paper margins; a table wider than the screen scrolls on its own. */
@media screen and (max-width: 600px) {
  .sheet { padding: 12px 10px; }
  table { display: block; overflow-x: auto; }
}
@media print {
  html { background: #fff; }
  body { padding: 0; }
  .toolbar { display: none; }
  .sheet { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  .sheet + .sheet { break-before: page; page-break-before: always; }
}
`;

/** The Content-Security-Policy source of the inline stylesheet (the console allows no other inline style). */
export const STEERING_STYLE_SOURCE = `'sha256-${createHash('sha256').update(STEERING_CSS).digest('base64')}'`;

/** Number, percent and duration formats of the reader's language. */
function formats(t: Translate, locale: string) {
  const nf = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  const num = (n: number) => nf.format(n);
  const pct = (rate: number | null) => (rate === null ? t('steering:none') : t('steering:percent', { n: num(Math.round(rate * 1000) / 10) }));
  const rate = (met: number, total: number, r: number | null) => (r === null ? t('steering:none') : t('steering:rate', { pct: pct(r), met: num(met), total: num(total) }));
  const duration = (minutes: number | null) => {
    if (minutes === null) return t('steering:none');
    if (minutes < 120) return t('steering:minutes', { n: num(Math.round(minutes)) });
    if (minutes < 48 * 60) return t('steering:hours', { n: num(Math.round((minutes / 60) * 10) / 10) });
    return t('steering:days', { n: num(Math.round((minutes / 1440) * 10) / 10) });
  };
  const score = (s: number | null) => (s === null ? t('steering:none') : num(s));
  return { num, pct, rate, duration, score };
}

/** A cell: a number (right-aligned) or `{ text }` (left-aligned words). */
type Cell = string | SafeHtml | { text: string };
const cell = (c: Cell) => (typeof c === 'object' && 'text' in c ? html`<td class="text">${c.text}</td>` : html`<td>${c}</td>`);
const rowHead = (c: Cell) => (typeof c === 'object' && 'text' in c ? c.text : c);

/** A data table: a header row, then rows whose first cell is a row header (text, left-aligned). */
function table(t: Translate, head: string[], rows: Cell[][], foot?: Cell[]): SafeHtml {
  return html`<table>
<caption class="visually-hidden">${t('steering:table_note')}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${rowHead(r[0]!)}</th>${r.slice(1).map(cell)}</tr>`)}</tbody>
${foot ? html`<tfoot><tr><th scope="row">${rowHead(foot[0]!)}</th>${foot.slice(1).map(cell)}</tr></tfoot>` : ''}
</table>`;
}

function figure(id: string, caption: string, chart: SafeHtml | '', body: SafeHtml): SafeHtml {
  return html`<figure aria-labelledby="${id}"><figcaption id="${id}">${caption}</figcaption>${chart}${body}</figure>`;
}

const kpis = (items: [string, string][]) => html`<dl class="kpis">${items.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;

/** The whole page. `toolbar` (the console's links) shows on screen only. */
export function renderSteeringReport(r: SteeringReport, o: { t: Translate; locale: string; toolbar?: SafeHtml }): string {
  const { t, locale } = o;
  const f = formats(t, locale);
  const k = (key: string, vars?: Record<string, unknown>) => t(`steering:${key}`, vars);
  const category = (c: string) => t(`concern:category.${c}`, { defaultValue: c });
  const unitName = (id: string) => (id === '?' ? k('unknown_unit') : (r.unitNames[id] ?? id));
  const bucketName = (id: string) => (id === r.unitId ? k('directly', { unit: unitName(id) }) : unitName(id));
  const month = monthLabel(t, r.month);
  const c = r.concerns;
  const open = c.byCategory.reduce((s, x) => s + x.open, 0);
  const resolved = c.byCategory.reduce((s, x) => s + x.resolved, 0);
  const flagged = c.byCategory.reduce((s, x) => s + x.flagged, 0);
  const m = r.reach.members;
  const b = r.reach.broadcasts;

  const cover = html`<header class="cover">
<p class="programme">${k('programme')}</p>
<h1>${k('title')} — ${month}</h1>
<p class="meta">${k('unit_line', { unit: r.unitName })}</p>
<p class="meta">${k('period_line', { month, from: formatVnDate(r.month.from), to: formatVnDate(new Date(r.month.until.getTime() - 1)) })}</p>
${r.soFar ? html`<p class="so-far" role="note">${k('so_far_mark')}: ${k('so_far', { at: formatVnTime(r.asOf) })}</p>` : ''}
</header>
<section aria-labelledby="h-key">
<h2 id="h-key">${k('key_figures.title')}</h2>
${kpis([
  [k('key_figures.active_members'), f.num(m.active)],
  [k('key_figures.deliveries'), f.num(b.sent)],
  [k('key_figures.meetings'), f.num(r.meetings.held)],
  [k('key_figures.attendance'), f.pct(r.meetings.attendanceRate)],
  [k('key_figures.surveys'), f.num(r.surveys.length)],
  [k('key_figures.concerns'), f.num(c.total)],
  [k('key_figures.sla'), f.rate(c.sla.slaMet, c.sla.slaTotal, c.sla.slaHitRate)],
  [k('key_figures.cases'), f.num(r.cases.formed.total.cases)],
  [k('key_figures.inspections'), f.num(r.inspections.reduce((s, x) => s + x.inspections, 0))],
  [k('key_figures.gaps'), f.num(r.cadres.gaps.length)],
])}
</section>`;

  // 1. Members reached.
  const channels = m.channels;
  const channelName = (ch: string) => k(`reach.channels.${ch}`, { defaultValue: ch });
  const reach = html`<section aria-labelledby="h-reach">
<h2 id="h-reach">${k('reach.title')}</h2>
<p class="note">${k('reach.note')}</p>
${kpis([
  [k('reach.active'), f.num(m.active)],
  [k('reach.new'), f.num(m.newTotal)],
  [k('reach.broadcasts'), f.num(b.broadcasts)],
  [k('reach.targeted'), f.num(b.targeted)],
  [k('reach.sent'), f.num(b.sent)],
  [k('reach.failed'), f.num(b.failed)],
  [k('reach.opted_out'), f.num(b.optedOut)],
])}
${
  m.byUnit.length === 0
    ? html`<p class="empty">${k('reach.empty')}</p>`
    : figure(
        'c-reach',
        k('reach.by_unit'),
        m.byUnit.length > 1 ? barChart({ labelledBy: 'c-reach', categories: m.byUnit.slice(0, 15).map((x) => bucketName(x.unitId)), series: [{ name: k('reach.series'), values: m.byUnit.slice(0, 15).map((x) => x.active) }] }) : '',
        table(
          t,
          [k('reach.col_unit'), k('reach.col_active'), ...channels.map(channelName), k('reach.no_chat')],
          m.byUnit.map((x) => [bucketName(x.unitId), f.num(x.active), ...channels.map((ch) => f.num(x.channels[ch] ?? 0)), f.num(x.none)]),
          m.byUnit.length > 1 ? [k('total'), f.num(m.active), ...channels.map((ch) => f.num(m.byUnit.reduce((s, x) => s + (x.channels[ch] ?? 0), 0))), f.num(m.byUnit.reduce((s, x) => s + x.none, 0))] : undefined,
        ),
      )
}
</section>`;

  // 2. Meetings.
  const mt = r.meetings;
  const meetings = html`<section aria-labelledby="h-meetings">
<h2 id="h-meetings">${k('meetings.title')}</h2>
<p class="note">${k('meetings.note')}</p>
${kpis([
  [k('meetings.held'), f.num(mt.held)],
  [k('meetings.present'), f.num(mt.present)],
  [k('meetings.attendance'), f.pct(mt.attendanceRate)],
])}
${
  mt.byUnit.length === 0
    ? html`<p class="empty">${k('meetings.empty')}</p>`
    : figure(
        'c-meetings',
        k('meetings.by_unit'),
        barChart({ labelledBy: 'c-meetings', categories: mt.byUnit.slice(0, 15).map((x) => unitName(x.unitId)), series: [{ name: k('meetings.series'), values: mt.byUnit.slice(0, 15).map((x) => (x.attendanceRate === null ? null : Math.round(x.attendanceRate * 1000) / 10)), colour: CHART_COLOURS[1] }] }),
        table(
          t,
          [k('meetings.col_unit'), k('meetings.held'), k('meetings.present'), k('meetings.members'), k('meetings.attendance')],
          mt.byUnit.map((x) => [unitName(x.unitId), f.num(x.held), f.num(x.present), f.num(x.members), f.pct(x.attendanceRate)]),
          [k('total'), f.num(mt.held), f.num(mt.present), f.num(mt.members), f.pct(mt.attendanceRate)],
        ),
      )
}
</section>`;

  // 3. Surveys.
  const surveyTitle = (s: { title: Parameters<typeof textIn>[0] }) => textIn(s.title, locale);
  const period = (s: { opensAt: Date; closesAt: Date; closed: boolean }) => `${formatVnDate(s.opensAt)} – ${formatVnDate(new Date(s.closesAt.getTime() - 1))} (${s.closed ? k('surveys.closed') : k('surveys.open')})`;
  const surveys = html`<section aria-labelledby="h-surveys">
<h2 id="h-surveys">${k('surveys.title')}</h2>
<p class="note">${k('surveys.note')}</p>
${
  r.surveys.length === 0
    ? html`<p class="empty">${k('surveys.empty')}</p>`
    : figure(
        'c-surveys',
        k('surveys.chart'),
        barChart({ labelledBy: 'c-surveys', categories: r.surveys.map(surveyTitle), series: [{ name: k('surveys.series'), values: r.surveys.map((s) => (s.responseRate === null ? null : Math.round(s.responseRate * 1000) / 10)), colour: CHART_COLOURS[0] }] }),
        table(
          t,
          [k('surveys.col_survey'), k('surveys.col_period'), k('surveys.col_kind'), k('surveys.col_audience'), k('surveys.col_respondents'), k('surveys.col_rate')],
          r.surveys.map((s) => [surveyTitle(s), { text: period(s) }, { text: s.anonymous ? k('surveys.anonymous') : k('surveys.named') }, f.num(s.audience), s.respondents === null ? k('surveys.suppressed') : f.num(s.respondents), f.pct(s.responseRate)]),
        ),
      )
}
</section>`;

  // 4. Concerns.
  const slaOf = new Map(c.slaByCategory.map((x) => [x.category, x]));
  const shownCategories = c.byCategory.filter((x) => x.total > 0);
  const concerns = html`<section aria-labelledby="h-concerns">
<h2 id="h-concerns">${k('concerns.title')}</h2>
<p class="note">${k('concerns.note')}</p>
${kpis([
  [k('concerns.total'), f.num(c.total)],
  [k('concerns.open'), f.num(open)],
  [k('concerns.resolved'), f.num(resolved)],
  [k('concerns.flagged'), f.num(flagged)],
  [k('concerns.sla'), f.rate(c.sla.slaMet, c.sla.slaTotal, c.sla.slaHitRate)],
  [k('concerns.median_first'), f.duration(c.sla.medianFirstResponseMinutes)],
])}
${
  c.total === 0
    ? html`<p class="empty">${k('concerns.empty')}</p>`
    : figure(
        'c-concerns',
        k('concerns.by_category'),
        barChart({
          labelledBy: 'c-concerns',
          categories: shownCategories.map((x) => category(x.category)),
          series: [
            { name: k('concerns.open'), values: shownCategories.map((x) => x.open) },
            { name: k('concerns.resolved'), values: shownCategories.map((x) => x.resolved), colour: CHART_COLOURS[1] },
            { name: k('concerns.withdrawn'), values: shownCategories.map((x) => x.total - x.open - x.resolved), colour: CHART_COLOURS[6] },
          ].filter((s, i) => i < 2 || s.values.some((v) => v)),
          stacked: true,
        }),
        table(
          t,
          [k('concerns.col_category'), k('concerns.col_count'), k('concerns.open'), k('concerns.resolved'), k('concerns.flagged'), k('concerns.sla'), k('concerns.median_first'), k('concerns.median_resolution')],
          shownCategories.map((x) => {
            const s = slaOf.get(x.category)!;
            return [category(x.category), f.num(x.total), f.num(x.open), f.num(x.resolved), f.num(x.flagged), f.rate(s.slaMet, s.slaTotal, s.slaHitRate), f.duration(s.medianFirstResponseMinutes), f.duration(s.medianResolutionMinutes)];
          }),
          [k('total'), f.num(c.total), f.num(open), f.num(resolved), f.num(flagged), f.rate(c.sla.slaMet, c.sla.slaTotal, c.sla.slaHitRate), f.duration(c.sla.medianFirstResponseMinutes), f.duration(c.sla.medianResolutionMinutes)],
        ),
      )
}
</section>`;

  // 5. Collective cases.
  const cs = r.cases;
  const caseCells = (x: { cases: number; open: number; resolved: number; concerns: number }) => [f.num(x.cases), f.num(x.open), f.num(x.resolved), f.num(x.concerns)];
  const cases = html`<section aria-labelledby="h-cases">
<h2 id="h-cases">${k('cases.title')}</h2>
<p class="note">${k('cases.note')}</p>
${kpis([
  [k('cases.formed'), f.num(cs.formed.total.cases)],
  [k('cases.resolved_in_month'), f.num(cs.resolvedInMonth)],
  [k('cases.open_at_end'), f.num(cs.openAtEnd)],
])}
${
  cs.formed.rows.length === 0
    ? html`<p class="empty">${k('cases.empty')}</p>`
    : table(t, [k('cases.col_category'), k('cases.formed'), k('cases.open'), k('cases.resolved'), k('cases.concerns')], cs.formed.rows.map((x) => [category(x.category), ...caseCells(x)]), [k('total'), ...caseCells(cs.formed.total)])
}
</section>`;

  // 6. Inspections.
  const inspections = html`<section aria-labelledby="h-inspections">
<h2 id="h-inspections">${k('inspections.title')}</h2>
<p class="note">${k('inspections.note')}</p>
${
  r.inspections.length === 0
    ? html`<p class="empty">${k('inspections.empty')}</p>`
    : r.inspections.map(
        (i) => html`<h3>${surveyTitle(i)}</h3>
<p class="meta">${period(i)}</p>
${kpis([
  [k('inspections.forms'), f.num(i.inspections)],
  [k('inspections.branches'), f.num(i.branches)],
  [k('inspections.score'), f.score(i.score)],
])}
${i.rows.length ? table(t, [k('inspections.col_branch'), k('inspections.forms'), k('inspections.score')], i.rows.map((x) => [unitName(x.unitId), f.num(x.inspections), f.score(x.score)])) : ''}`,
      )
}
</section>`;

  // 7. Cadre force.
  const cd = r.cadres;
  const gapCounts = r.categories.map((cat) => ({ category: cat, workplaces: cd.gaps.filter((g) => g.categories.includes(cat)).length })).filter((x) => x.workplaces > 0);
  const organisation = (o: string) => t(`review:organisation.${o}`, { defaultValue: o });
  const cadres = html`<section aria-labelledby="h-cadres">
<h2 id="h-cadres">${k('cadres.title')}</h2>
<p class="note">${k('cadres.note', { at: formatVnTime(cd.at) })} ${k('cadres.checked', { n: f.num(cd.workplaces) })}</p>
${kpis([
  [k('cadres.cadres'), f.num(cd.cadres)],
  [k('cadres.eligible'), f.num(cd.eligible)],
  [k('key_figures.gaps'), f.num(cd.gaps.length)],
])}
<h3>${k('cadres.by_organisation')}</h3>
${table(t, [k('cadres.col_organisation'), k('cadres.col_cadres')], Object.entries(cd.byOrganisation).map(([o, n]) => [organisation(o), f.num(n)]))}
<h3>${k('cadres.without_cadre')}</h3>
<p>${cd.categoriesWithoutCadre.length ? cd.categoriesWithoutCadre.map(category).join('; ') : k('cadres.without_none')}</p>
${
  cd.gaps.length === 0
    ? html`<p class="empty">${k('cadres.no_gaps')}</p>`
    : figure(
        'c-gaps',
        k('cadres.gaps_chart'),
        barChart({ labelledBy: 'c-gaps', categories: gapCounts.map((x) => category(x.category)), series: [{ name: k('cadres.series'), values: gapCounts.map((x) => x.workplaces), colour: CHART_COLOURS[2] }] }),
        table(t, [k('cadres.col_workplace'), k('cadres.col_categories')], cd.gaps.map((g) => [unitName(g.unitId), { text: g.categories.map(category).join('; ') }])),
      )
}
<h3>${k('cadres.idle', { days: cd.idleDays })}</h3>
<p>${cd.idle.length ? cd.idle.map((x) => x.name).join('; ') : k('cadres.idle_none')}</p>
</section>`;

  const footer = html`<footer>${k('generated', { at: formatVnTime(r.generatedAt) })}</footer>`;
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${k('title')} — ${r.unitName} — ${month}</title>
<style>${trusted(STEERING_CSS)}</style>
</head>
<body>
${o.toolbar ?? ''}
<main>
<div class="sheet">${cover}${reach}</div>
<div class="sheet">${meetings}${surveys}</div>
<div class="sheet">${concerns}${cases}</div>
<div class="sheet">${inspections}${cadres}${footer}</div>
</main>
</body>
</html>
`.value;
}
