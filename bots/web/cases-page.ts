/**
 * Collective cases in the web console, read through the same service as the
 * chat and the CLI (`services.cases`; no rule is repeated here):
 * - `GET /web/cases`: the cases about units in the person's scope (a ward or zone its subtree, the
 *   city level everything), newest first, filterable by status, category and unit (a unit outside
 *   the scope is refused, audited, with a 404); counts of open and resolved cases at the top
 *   (`summariseCases`, as the reports count them);
 * - `GET /web/cases/<id>`: one case with its concerns by code and status (each linking to the
 *   concern's page) and its history. A case outside the scope answers 404, the refusal audited as
 *   `access.denied` by the one access check; an unknown or malformed id answers the same 404.
 * The pages are read-only: CaseService has no way for the secretariat to give a lead-less case to
 * a cadre (a flagged concern of it can be given on the concern's page, as in chat).
 * Never a reporter: see cases-views.ts.
 */
import type { FastifyInstance } from 'fastify';
import { CASE_STATUSES, type CaseDoc } from '../../core/cases/models.js';
import { categoryIds } from '../../core/concerns/policy.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { caseDetailBody, casesListBody, type CaseForm } from './cases-views.js';
import { notFound, requireStaff } from './concern-views.js';
import { listedUnits } from './concerns-page.js';
import { scopeUnitOptions } from './unit-options.js';
import { page } from './layout.js';
import { webContext, type WebDeps } from './web-context.js';

const HTML = 'text/html; charset=utf-8';
/** A case's id as it may appear in a path (`caseIdFor`: VV- and 6 of its alphabet). */
export const CASE_ID_PATTERN = /^VV-[2-9A-HJKMNP-Z]{6}$/;
/** The most cases one page lists (a city has tens a month, not thousands). */
export const CASES_PAGE_MAX = 200;

/** One plain string of a query value (a repeated parameter counts as its first string; anything else as nothing). */
function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, 200) : '';
}

/** The filter of a query: each field checked against what it may be; a value that is none of these is dropped and reported. */
export function parseCaseQuery(query: unknown, categories: readonly string[]): { form: CaseForm; problems: { field: keyof CaseForm; value: string }[] } {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const form: CaseForm = { status: one(q.status), category: one(q.category), unit: one(q.unit) };
  const problems: { field: keyof CaseForm; value: string }[] = [];
  const check = (field: 'status' | 'category', allowed: readonly string[]) => {
    if (form[field] && !allowed.includes(form[field])) {
      problems.push({ field, value: form[field] });
      form[field] = '';
    }
  };
  check('status', CASE_STATUSES);
  check('category', categories);
  return { form, problems };
}

export function registerCaseRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;

  web.get('/cases', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const { form, problems } = parseCaseQuery(request.query, categoryIds(app.services.concerns.policy));
    // The scope's units, or the chosen unit's subtree cut to it (a unit outside it refused and audited).
    const units = await listedUnits(app, ctx, form.unit, 'web.cases');
    if (units.refused) return notFound(app, ctx, reply);
    const inUnits = units.unitIds ? new Set(units.unitIds) : undefined;
    const counted = (await app.services.cases.list(undefined, ctx.now)).filter((c) => (!inUnits || inUnits.has(c.orgUnitId)) && (!form.category || c.category === form.category));
    const matching = counted.filter((c) => !form.status || c.status === form.status);
    const body = await casesListBody(app, ctx, {
      form,
      units: await scopeUnitOptions(app, ctx),
      counted,
      shown: matching.slice(0, CASES_PAGE_MAX),
      ...(matching.length > CASES_PAGE_MAX ? { truncatedAt: CASES_PAGE_MAX } : {}),
      problems,
      unknownUnit: !!units.unknown,
    });
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-cases:list.title'), current: 'cases', languages, body }));
  });

  web.get<{ Params: { id: string } }>('/cases/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const id = request.params.id;
    const c: CaseDoc | null = CASE_ID_PATTERN.test(id) ? await app.services.cases.get(id) : null;
    if (!c || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, c.orgUnitId, ctx.now, 'web.case'))) return notFound(app, ctx, reply);
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-cases:detail.title', { id: c._id }), current: 'cases', languages, body: await caseDetailBody(app, ctx, c) }));
  });
}
