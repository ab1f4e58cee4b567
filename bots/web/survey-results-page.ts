/**
 * A survey's results on the web console (`GET /web/surveys/<id>/results`) and their CSV
 * (`GET /web/surveys/<id>/results.csv`): the service's `results` — the same figures, breakdowns
 * and small-cell suppression as the chat summary and the CLI (core/surveys/results.ts,
 * suppression.ts) — narrowed to the person's scope as in chat, each question as an SVG chart
 * drawn on the server (svg-charts.ts) with its table, and one breakdown at a time (by unit, age
 * band or gender, for one question: a GET form, no script) where a hidden figure reads as hidden (its word is in locales). The
 * CSV is the CLI's (`resultsToCsv`, the shared writer). Views and exports are audited as in chat
 * and the CLI (`survey.results_viewed`, `survey.results_exported`).
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.js';
import { textIn } from '../../core/surveys/definition.js';
import { resultsToCsv } from '../../core/surveys/results-csv.js';
import { MIN_CELL, type BreakdownGroup, type QuestionResult, type QuestionTally, type SurveyResults } from '../../core/surveys/results.js';
import type { SurveyDoc } from '../../core/surveys/models.js';
import { vnDay } from '../../core/vn-time.js';
import { requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { barChart, CHART_COLOURS } from './svg-charts.js';
import { surveyInScope, surveyTabs, withinOf } from './survey-views.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const HTML = 'text/html; charset=utf-8';
export const BREAKDOWNS = ['orgUnit', 'ageBand', 'gender'] as const;
export type BreakdownKind = (typeof BREAKDOWNS)[number];
/** Groups drawn in a breakdown chart (the table has all). */
const CHART_GROUPS = 15;
/** Free-text answers listed on the page (the CSV has all). */
const TEXTS_SHOWN = 50;

/** Numbers as the reader writes them. */
export function numberFormat(ctx: WebContext) {
  const nf = new Intl.NumberFormat(ctx.locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 });
  const num = (n: number | null | undefined) => (n === null || n === undefined ? '–' : nf.format(n));
  const pct = (n: number | null | undefined) => (n === null || n === undefined ? '–' : ctx.t('web-surveys:percent', { n: nf.format(Math.round(n * 10) / 10) }));
  return { num, pct };
}

/** A chart and its table, captioned once (the SVG is labelled by the caption). */
export function figure(id: string, caption: string, chart: SafeHtml | '', table: SafeHtml, note?: string): SafeHtml {
  return html`<figure class="chart-card" aria-labelledby="${id}">
<figcaption id="${id}">${caption}</figcaption>
${chart}
${note ? html`<p class="chart-note">${note}</p>` : ''}
${table}
</figure>`;
}

/** A data table: a header row, then rows whose first cell is a row header. */
export function dataTable(ctx: WebContext, head: string[], rows: (string | number | SafeHtml)[][], caption?: string): SafeHtml {
  return html`<div class="table-wrap"><table class="data">
<caption class="visually-hidden">${caption ?? ctx.t('web-surveys:table_note')}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r[0]!}</th>${r.slice(1).map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

export function kpis(items: [string, string | number, string?][]): SafeHtml {
  return html`<dl class="kpis">${items.map(([k, v, key]) => html`<div><dt>${k}</dt><dd${key ? html` data-figure="${key}"` : ''}>${v}</dd></div>`)}</dl>`;
}

/** A hidden figure, marked so that it reads as such. */
const hidden = (ctx: WebContext) => html`<span class="suppressed" title="${ctx.t('web-surveys:results.suppressed_title', { min: MIN_CELL })}">${ctx.t('web-surveys:results.suppressed')}</span>`;

function questionFigure(ctx: WebContext, q: QuestionResult, i: number): SafeHtml {
  const t = ctx.t;
  const f = numberFormat(ctx);
  const id = `c-q-${i}`;
  const caption = t('web-surveys:results.question', { n: i + 1, text: textIn(q.text, ctx.locale) });
  const answered = t('web-surveys:results.answered', { count: q.answered ?? 0 });
  if (q.type === 'text') {
    const texts = q.texts ?? [];
    const list = texts.length ? html`<ul class="texts">${texts.slice(0, TEXTS_SHOWN).map((x) => html`<li>${x.text}</li>`)}</ul>` : html`<p>${t('web-surveys:results.no_texts')}</p>`;
    const more = texts.length > TEXTS_SHOWN ? html`<p class="chart-note">${t('web-surveys:results.texts_more', { shown: TEXTS_SHOWN, count: texts.length })}</p>` : '';
    return html`<figure class="chart-card" aria-labelledby="${id}"><figcaption id="${id}">${caption}</figcaption><p class="chart-note">${answered}</p>${list}${more}</figure>`;
  }
  if (q.type === 'number') {
    return figure(id, caption, '', dataTable(ctx, [t('web-surveys:results.figure'), t('web-surveys:results.value')], [
      [t('web-surveys:results.answered_label'), f.num(q.answered)],
      [t('web-surveys:results.mean'), f.num(q.mean)],
      [t('web-surveys:results.min'), f.num(q.min)],
      [t('web-surveys:results.median'), f.num(q.median)],
      [t('web-surveys:results.max'), f.num(q.max)],
    ]));
  }
  const options = q.options ?? [];
  const labels = options.map((o) => textIn(o.text, ctx.locale));
  const chart = barChart({ labelledBy: id, categories: labels, series: [{ name: t('web-surveys:results.count'), values: options.map((o) => o.count) }] });
  const rows = options.map((o, j) => [labels[j]!, o.count === null ? hidden(ctx) : f.num(o.count), o.pct === null ? hidden(ctx) : f.pct(o.pct)]);
  const note = [answered, q.type === 'multiple' ? t('web-surveys:results.multiple_note') : '', q.mean !== undefined && q.mean !== null ? t('web-surveys:results.mean_value', { mean: f.num(q.mean) }) : ''].filter(Boolean).join(' ');
  return figure(id, caption, chart, dataTable(ctx, [t('web-surveys:results.option'), t('web-surveys:results.count'), t('web-surveys:results.percent_col')], rows), note);
}

/** A group's name as the reader reads it. */
export function groupLabel(ctx: WebContext, by: BreakdownKind, g: Pick<BreakdownGroup, 'key' | 'name'>): string {
  if (g.key === '_none') return ctx.t(by === 'orgUnit' ? 'web-surveys:results.no_unit' : 'web-surveys:results.not_given');
  if (by === 'orgUnit') return g.name ?? g.key;
  return ctx.t(`survey:profile.${by}.${g.key}`, { defaultValue: g.key });
}

function breakdownSection(ctx: WebContext, s: SurveyDoc, r: SurveyResults, by: BreakdownKind, qid: string | undefined): SafeHtml {
  const t = ctx.t;
  const f = numberFormat(ctx);
  const kinds = BREAKDOWNS.filter((k) => k === 'orgUnit' || s.definition.profile.includes(k));
  const tallied = r.questions.filter((q) => q.type !== 'text');
  const q = tallied.find((x) => x.id === qid) ?? tallied[0];
  const select = html`<form class="filters breakdown" method="get" action="/web/surveys/${s._id}/results#h-breakdown"><fieldset><legend>${t('web-surveys:results.breakdown_choose')}</legend>
<div class="field"><label for="f-by">${t('web-surveys:results.by')}</label><select id="f-by" name="by">${kinds.map((k) => html`<option value="${k}"${k === by ? html` selected` : ''}>${t(`web-surveys:results.by_${k}`)}</option>`)}</select></div>
<div class="field"><label for="f-q">${t('web-surveys:results.question_label')}</label><select id="f-q" name="q">${tallied.map((x, i) => html`<option value="${x.id}"${x.id === q?.id ? html` selected` : ''}>${`${i + 1}. ${textIn(x.text, ctx.locale)}`.slice(0, 90)}</option>`)}</select></div>
<p class="actions"><button type="submit" class="primary">${t('web-surveys:results.show')}</button></p></fieldset></form>`;
  const head = html`<section class="dash" aria-labelledby="h-breakdown"><h2 id="h-breakdown">${t('web-surveys:results.breakdown_title')}</h2><p class="section-note">${t('web-surveys:results.suppression_note', { min: MIN_CELL })}</p>${select}`;
  if (!q) return html`${head}<p>${t('web-surveys:results.nothing_to_break')}</p></section>`;
  const groups = r.breakdowns[by];
  const label = (g: BreakdownGroup) => groupLabel(ctx, by, g);
  const tallyOf = (g: BreakdownGroup): QuestionTally | undefined => (g.respondents === null ? undefined : g.questions[q.id]);
  const optionIds = (q.options ?? []).map((o) => o.id);
  const optionText = (q.options ?? []).map((o) => textIn(o.text, ctx.locale));
  // Only groups whose figures are shown are drawn (a hidden one would be an empty bar); the table has every group.
  const visible = groups.filter((g) => tallyOf(g) && tallyOf(g)!.answered !== null);
  const drawn = visible.slice(0, CHART_GROUPS);
  // Each option's count per group; numbers: the group's mean.
  const chart = drawn.length
    ? optionIds.length
      ? barChart({
          labelledBy: 'c-breakdown',
          categories: drawn.map(label),
          series: optionIds.map((oid, j) => ({ name: optionText[j]!, values: drawn.map((g) => tallyOf(g)?.options?.find((o) => o.id === oid)?.count ?? null), colour: CHART_COLOURS[j % CHART_COLOURS.length] })),
          stacked: q.type !== 'multiple',
        })
      : barChart({ labelledBy: 'c-breakdown', categories: drawn.map(label), series: [{ name: t('web-surveys:results.mean'), values: drawn.map((g) => tallyOf(g)?.mean ?? null) }] })
    : '';
  const cell = (g: BreakdownGroup, render: (x: QuestionTally) => string | SafeHtml | null) => {
    const x = tallyOf(g);
    if (!x || x.answered === null) return hidden(ctx);
    return render(x) ?? hidden(ctx);
  };
  const rows = groups.map((g) => [
    label(g),
    g.respondents === null ? hidden(ctx) : f.num(g.respondents),
    cell(g, (x) => f.num(x.answered)),
    ...optionIds.map((oid) => cell(g, (x) => {
      const o = x.options?.find((y) => y.id === oid);
      return o && o.count !== null ? `${f.num(o.count)} (${f.pct(o.pct)})` : null;
    })),
    ...(q.mean !== undefined ? [cell(g, (x) => f.num(x.mean))] : []),
  ]);
  const headRow = [t(`web-surveys:results.by_${by}`), t('web-surveys:results.respondents'), t('web-surveys:results.answered_label'), ...optionText, ...(q.mean !== undefined ? [t('web-surveys:results.mean')] : [])];
  const caption = t('web-surveys:results.breakdown_caption', { question: textIn(q.text, ctx.locale), by: t(`web-surveys:results.by_${by}`).toLowerCase() });
  const note = !drawn.length ? t('web-surveys:results.all_hidden') : visible.length > CHART_GROUPS ? t('web-surveys:results.chart_first', { n: CHART_GROUPS }) : undefined;
  return html`${head}${groups.length ? figure('c-breakdown', caption, chart, dataTable(ctx, headRow, rows), note) : html`<p>${t('web-surveys:results.no_groups')}</p>`}</section>`;
}

export function resultsBody(ctx: WebContext, s: SurveyDoc, r: SurveyResults, o: { by: BreakdownKind; q?: string; scopeNote: string }): SafeHtml {
  const t = ctx.t;
  const f = numberFormat(ctx);
  const figures = kpis([
    [t('web-surveys:results.respondents'), f.num(r.respondents), 'respondents'],
    [t('web-surveys:results.audience'), f.num(r.audienceSize), 'audience'],
    [t('web-surveys:results.rate'), r.responseRate === null ? '–' : f.pct(r.responseRate * 100), 'rate'],
    ...(r.kind === 'inspection' ? [[t('web-surveys:results.forms'), f.num(r.responses), 'forms'] as [string, string, string]] : []),
  ]);
  const exportLine = html`<p class="export"><a class="button" href="/web/surveys/${s._id}/results.csv" download>${t('web-surveys:results.export')}</a> <small>${t('web-surveys:results.export_note')}</small></p>`;
  if (r.withheld) {
    return html`${surveyTabs(ctx, s, 'results')}<p class="scope-line">${o.scopeNote}</p>${figures}<p class="notice" role="status" data-withheld="${r.withheld.needed}">${t('web-surveys:results.withheld', { respondents: r.respondents, min: MIN_CELL, needed: r.withheld.needed })}</p>${exportLine}`;
  }
  return html`${surveyTabs(ctx, s, 'results')}<p class="scope-line">${o.scopeNote}</p>${figures}${exportLine}
<section class="dash" aria-labelledby="h-questions"><h2 id="h-questions">${t('web-surveys:results.questions_title')}</h2>
<div class="chart-grid">${r.questions.map((q, i) => questionFigure(ctx, q, i))}</div></section>
${breakdownSection(ctx, s, r, o.by, o.q)}`;
}

/** Whose units the figures are about: everyone, or the person's units by name. */
async function scopeNote(app: App, ctx: WebContext): Promise<string> {
  const scope = ctx.staff!.scope;
  if (scope.whole) return ctx.t('web-surveys:results.scope_all');
  const names = (await Promise.all(scope.units.map((u) => app.services.org.get(u, ctx.now)))).map((u) => u?.name).filter(Boolean);
  return ctx.t('web-surveys:results.scope_units', { units: names.join(', ') });
}

export function registerSurveyResultRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/surveys/:id/results', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const found = await surveyInScope(app, ctx, reply, request.params.id, 'read', 'web.survey.results');
    if (!found) return reply;
    const within = withinOf(ctx);
    const results = await app.services.surveys.results(found.survey._id, within ? { within } : {});
    if (!results) return reply.callNotFound();
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'survey.results_viewed', target: results.surveyId, details: { via: 'web' }, at: ctx.now });
    const by = BREAKDOWNS.find((b) => b === request.query?.by) ?? 'orgUnit';
    const q = typeof request.query?.q === 'string' ? request.query.q.slice(0, 64) : undefined;
    const title = ctx.t('web-surveys:results.title', { title: textIn(found.survey.definition.title, ctx.locale) });
    return reply.type(HTML).send(page(ctx, { title, current: 'surveys', languages, body: resultsBody(ctx, found.survey, results, { by, q, scopeNote: await scopeNote(app, ctx) }) }));
  });

  web.get<{ Params: { id: string } }>('/surveys/:id/results.csv', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const found = await surveyInScope(app, ctx, reply, request.params.id, 'read', 'web.survey.results_export');
    if (!found) return reply;
    const within = withinOf(ctx);
    const results = await app.services.surveys.results(found.survey._id, within ? { within } : {});
    if (!results) return reply.callNotFound();
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'survey.results_exported', target: results.surveyId, details: { via: 'web', ...(within ? { scope: ctx.staff!.scope.units } : {}) }, at: ctx.now });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${found.survey._id}-${vnDay(ctx.now)}.csv"`)
      .send(resultsToCsv(results, ctx.locale));
  });
}
