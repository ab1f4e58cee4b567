/**
 * An inspection's roll-up per unit on the web console (`GET /web/surveys/<id>/inspections`) and
 * its CSV (`…/inspections.csv`, the shared writer): every branch of the inspected kinds in the
 * person's scope (and under the inspection's audience units), inspected in this inspection's
 * period — its window — or not yet (core/surveys/inspection-coverage.ts), each unit above them
 * with its branches inspected and not, and the results' roll-ups (forms, mean 1–5 score, branch
 * meetings held and attendance: core/surveys/results.ts, meeting-rollup.ts), as in chat and the
 * CLI. A chart shows the units above the branches, inspected and not yet.
 */
import type { FastifyInstance } from 'fastify';
import type { OrgUnitDoc } from '../../core/db.js';
import { toCsv, type CsvCell } from '../../core/csv-writer.js';
import { textIn } from '../../core/surveys/definition.js';
import { inspectionCoverage, type CoverageLine, type InspectionCoverage } from '../../core/surveys/inspection-coverage.js';
import type { SurveyDoc } from '../../core/surveys/models.js';
import { vnDay } from '../../core/vn-time.js';
import type { App } from '../../app/app.js';
import { notFound, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { barChart, CHART_COLOURS } from './svg-charts.js';
import { dataTable, figure, kpis, numberFormat } from './survey-results-page.js';
import { surveyInScope, surveyTabs, surveyUnits, windowLabel } from './survey-views.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const HTML = 'text/html; charset=utf-8';
/** Units drawn in the chart (the table has all). */
const CHART_UNITS = 15;

/** The coverage of an inspection for the person: the results narrowed to their scope, and the branches in force now. */
export async function coverageFor(app: App, ctx: WebContext, s: SurveyDoc): Promise<InspectionCoverage> {
  const scope = ctx.staff!.scope;
  const within = scope.whole ? undefined : (scope.unitIds ?? []);
  const [results, subjects, all] = await Promise.all([
    app.services.surveys.results(s._id, within ? { within } : {}),
    app.services.org.activeOfKinds(s.definition.inspection?.subjectKinds ?? [], ctx.now),
    app.models.OrgUnit.find({}).lean<OrgUnitDoc[]>(),
  ]);
  return inspectionCoverage({
    rollups: results?.inspection ?? { branches: [], parents: [] },
    subjects,
    units: new Map(all.map((u) => [u._id, u])),
    roots: surveyUnits(s),
    within: within ? new Set(within) : undefined,
  });
}

function body(ctx: WebContext, s: SurveyDoc, c: InspectionCoverage, parentName: (l: CoverageLine) => string): SafeHtml {
  const t = ctx.t;
  const f = numberFormat(ctx);
  const k = (key: string, vars?: Record<string, unknown>) => t(`web-surveys:inspections.${key}`, vars);
  const { branches, inspected } = c.totals;
  const forms = c.branches.reduce((n, b) => n + (b.rollup?.inspections ?? 0), 0);
  const meetings = (l: CoverageLine) => (l.rollup?.meetings ? f.num(l.rollup.meetings.held) : '–');
  const attendance = (l: CoverageLine) => (l.rollup?.meetings?.attendanceRate === null || !l.rollup?.meetings ? '–' : f.pct(l.rollup.meetings.attendanceRate * 100));
  const score = (l: CoverageLine) => f.num(l.rollup?.score ?? null);
  const status = (l: CoverageLine) => html`<span data-inspected="${l.inspected > 0 ? 'yes' : 'no'}">${k(l.inspected > 0 ? 'inspected' : 'not_inspected')}</span>`;
  const figures = kpis([
    [k('branches'), f.num(branches), 'branches'],
    [k('inspected_count'), f.num(inspected), 'inspected'],
    [k('not_inspected_count'), f.num(branches - inspected), 'not-inspected'],
    [k('coverage'), branches ? f.pct((100 * inspected) / branches) : '–', 'coverage'],
    [k('forms'), f.num(forms), 'forms'],
  ]);
  const drawn = c.parents.slice(0, CHART_UNITS);
  const chart = drawn.length
    ? barChart({
        labelledBy: 'c-coverage',
        categories: drawn.map((p) => p.name),
        series: [
          { name: k('inspected'), values: drawn.map((p) => p.inspected), colour: CHART_COLOURS[1] },
          { name: k('not_inspected'), values: drawn.map((p) => p.branches - p.inspected), colour: CHART_COLOURS[2] },
        ],
        stacked: true,
      })
    : '';
  const parentsTable = dataTable(
    ctx,
    [k('unit'), k('branches'), k('inspected'), k('not_inspected'), k('forms'), k('score'), k('meetings'), k('attendance')],
    c.parents.map((p) => [p.name, f.num(p.branches), f.num(p.inspected), f.num(p.branches - p.inspected), f.num(p.rollup?.inspections ?? 0), score(p), meetings(p), attendance(p)]),
  );
  const notYet = c.notInspected.length
    ? html`<div class="table-wrap"><table class="audit not-inspected"><caption>${k('not_inspected_caption', { count: c.notInspected.length })}</caption><thead><tr><th scope="col">${k('branch')}</th><th scope="col">${k('parent')}</th><th scope="col">${k('meetings')}</th></tr></thead><tbody>${c.notInspected.map((b) => html`<tr data-unit="${b.unitId}"><td data-label="${k('branch')}">${b.name}</td><td data-label="${k('parent')}">${parentName(b)}</td><td data-label="${k('meetings')}">${meetings(b)}</td></tr>`)}</tbody></table></div>`
    : html`<p class="notice" role="status">${k('all_inspected')}</p>`;
  const done = c.branches.filter((b) => b.inspected > 0);
  const doneTable = done.length
    ? html`<div class="table-wrap"><table class="audit inspected"><caption>${k('inspected_caption', { count: done.length })}</caption><thead><tr><th scope="col">${k('branch')}</th><th scope="col">${k('parent')}</th><th scope="col">${k('status')}</th><th scope="col">${k('forms')}</th><th scope="col">${k('score')}</th><th scope="col">${k('meetings')}</th><th scope="col">${k('attendance')}</th></tr></thead><tbody>${done.map((b) => html`<tr data-unit="${b.unitId}"><td data-label="${k('branch')}">${b.name}</td><td data-label="${k('parent')}">${parentName(b)}</td><td data-label="${k('status')}">${status(b)}</td><td data-label="${k('forms')}">${f.num(b.rollup?.inspections ?? 0)}</td><td data-label="${k('score')}">${score(b)}</td><td data-label="${k('meetings')}">${meetings(b)}</td><td data-label="${k('attendance')}">${attendance(b)}</td></tr>`)}</tbody></table></div>`
    : html`<p>${k('none_inspected')}</p>`;
  return html`${surveyTabs(ctx, s, 'inspections')}
<p class="scope-line">${k('period', { window: windowLabel(ctx, s) })} ${k('kinds', { kinds: (s.definition.inspection?.subjectKinds ?? []).join(', ') })}</p>
${figures}
<p class="export"><a class="button" href="/web/surveys/${s._id}/inspections.csv" download>${k('export')}</a> <small>${k('export_note')}</small></p>
<section class="dash" aria-labelledby="h-units"><h2 id="h-units">${k('units_title')}</h2><p class="section-note">${k('units_note')}</p>
${c.parents.length ? figure('c-coverage', k('chart_caption'), chart, parentsTable, c.parents.length > CHART_UNITS ? k('chart_first', { n: CHART_UNITS }) : undefined) : html`<p>${k('no_units')}</p>`}</section>
<section class="dash" aria-labelledby="h-not-yet"><h2 id="h-not-yet">${k('not_inspected_title')}</h2>${notYet}</section>
<section class="dash" aria-labelledby="h-done"><h2 id="h-done">${k('inspected_title')}</h2>${doneTable}</section>`;
}

/** The roll-up as CSV rows: the units above, then every branch, inspected or not. */
export function coverageCsv(c: InspectionCoverage, parentName: (l: CoverageLine) => string): string {
  const rows: CsvCell[][] = [['section', 'unit_id', 'unit', 'kind', 'parent', 'branches', 'inspected', 'not_inspected', 'forms', 'score', 'meetings_held', 'meetings_present', 'meetings_members', 'attendance_percent']];
  const line = (section: string, l: CoverageLine): CsvCell[] => {
    const m = l.rollup?.meetings;
    return [section, l.unitId, l.name, l.kind, parentName(l), l.branches, l.inspected, l.branches - l.inspected, l.rollup?.inspections ?? 0, l.rollup?.score ?? '', m?.held ?? '', m?.present ?? '', m?.members ?? '', m && m.attendanceRate !== null ? Math.round(m.attendanceRate * 1000) / 10 : ''];
  };
  for (const p of c.parents) rows.push(line('unit', p));
  for (const b of c.branches) rows.push(line(b.inspected > 0 ? 'branch_inspected' : 'branch_not_inspected', b));
  return toCsv(rows);
}

export function registerInspectionRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const names = async (c: InspectionCoverage, ctx: WebContext) => {
    const byId = new Map<string, string>();
    for (const l of c.branches) if (l.parentId && !byId.has(l.parentId)) byId.set(l.parentId, (await app.services.org.get(l.parentId, ctx.now))?.name ?? l.parentId);
    for (const l of c.parents) if (l.parentId && !byId.has(l.parentId)) byId.set(l.parentId, (await app.services.org.get(l.parentId, ctx.now))?.name ?? l.parentId);
    return (l: CoverageLine) => (l.parentId ? (byId.get(l.parentId) ?? '') : '');
  };

  web.get<{ Params: { id: string } }>('/surveys/:id/inspections', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const found = await surveyInScope(app, ctx, reply, request.params.id, 'read', 'web.survey.inspections');
    if (!found) return reply;
    if (found.survey.kind !== 'inspection') return notFound(app, ctx, reply);
    const c = await coverageFor(app, ctx, found.survey);
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'survey.results_viewed', target: found.survey._id, details: { via: 'web', view: 'inspections' }, at: ctx.now });
    const title = ctx.t('web-surveys:inspections.title', { title: textIn(found.survey.definition.title, ctx.locale) });
    return reply.type(HTML).send(page(ctx, { title, current: 'surveys', languages, body: body(ctx, found.survey, c, await names(c, ctx)) }));
  });

  web.get<{ Params: { id: string } }>('/surveys/:id/inspections.csv', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const found = await surveyInScope(app, ctx, reply, request.params.id, 'read', 'web.survey.inspections_export');
    if (!found) return reply;
    if (found.survey.kind !== 'inspection') return notFound(app, ctx, reply);
    const c = await coverageFor(app, ctx, found.survey);
    await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'survey.results_exported', target: found.survey._id, details: { via: 'web', view: 'inspections' }, at: ctx.now });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${found.survey._id}-inspections-${vnDay(ctx.now)}.csv"`)
      .send(coverageCsv(c, await names(c, ctx)));
  });
}
