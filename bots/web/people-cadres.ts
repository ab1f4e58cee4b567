/**
 * `GET /web/people/cadres[?unit=<id>]`: the cadres of a unit of the person's scope and everything
 * under it (the scope's top unit by default), by the unit they are assigned at, with their
 * organisations, categories and open load, first-response SLA hit rate, median first response and
 * rating — the cadre-force review itself (`services.concerns.review`, core/concerns/cadre-review*.ts),
 * not a second count. A unit outside the scope answers 404 (refusal audited).
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app/app.js';
import type { CadreReview, ReviewCadre } from '../../core/concerns/cadre-review.js';
import { ORGANISATIONS } from '../../core/concerns/models.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { notFound, PageNames } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { HTML, peopleAllowed } from './people-views.js';
import { scopeUnitOptions, unitSelectOptions } from './unit-options.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const pct = (r: number | null) => (r === null ? null : `${Math.round(r * 1000) / 10}%`);

async function reviewBody(app: App, ctx: WebContext, unitId: string, r: CadreReview): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const none = t('web-people:cadres.none_value');
  const units = await scopeUnitOptions(app, ctx);
  const picker = html`<form method="get" action="/web/people/cadres" class="filters"><div class="field"><label for="f-unit">${t('web-people:cadres.unit')}</label><select id="f-unit" name="unit">${unitSelectOptions(units, unitId)}</select></div><p class="actions"><button type="submit">${t('web-people:cadres.show')}</button></p></form>`;
  const orgs = ORGANISATIONS.map((o) => html`<div><dt>${t(`review:organisation.${o}`)}</dt><dd data-figure="org-${o}">${r.byOrganisation[o] ?? 0}</dd></div>`);
  const without = r.categoriesWithoutCadre.length ? html`<ul>${r.categoriesWithoutCadre.map((c) => html`<li>${t(`concern:category.${c}`)}</li>`)}</ul>` : html`<p>${t('web-people:cadres.all_covered')}</p>`;
  const summary = html`<section aria-labelledby="h-summary"><h2 id="h-summary">${t('web-people:cadres.summary')}</h2>
<h3>${t('web-people:cadres.by_organisation')}</h3><dl class="kpis">${orgs}</dl>
<h3>${t('web-people:cadres.without_cadre')}</h3>${without}
<p>${t('web-people:cadres.gaps', { count: r.gaps.length })}</p></section>`;
  if (!r.cadres.length) return html`<p><a href="/web/people">${t('web-people:hub.title')}</a></p><p>${t('web-people:cadres.intro')}</p>${picker}${summary}<p>${t('web-people:cadres.none')}</p>`;

  // One table per unit a cadre is assigned at: the same cadre may appear under several.
  const byUnit = new Map<string, { cadre: ReviewCadre; a: ReviewCadre['assignments'][number] }[]>();
  for (const c of r.cadres) for (const a of c.assignments) byUnit.set(a.unitId, [...(byUnit.get(a.unitId) ?? []), { cadre: c, a }]);
  const label = (key: string) => t(`web-people:cadres.${key}`);
  const sections: SafeHtml[] = [];
  for (const [unit, list] of [...byUnit].sort((x, y) => x[0].localeCompare(y[0]))) {
    const rows = list.map(({ cadre: c, a }) => {
      const marks = [c.idle ? html` <span class="badge">${label('idle')}</span>` : '', c.eligible ? '' : html` <span class="badge">${label('not_eligible')}</span>`];
      const cats = a.categories.length ? a.categories.map((x) => t(`concern:category.${x}`)).join(', ') : label('all_categories');
      const s = c.stats;
      return html`<tr data-cadre="${c.memberId}"><td data-label="${label('col_name')}">${c.name}${marks}</td><td data-label="${label('col_organisation')}">${t(`review:organisation.${a.organisation}`)}</td><td data-label="${label('col_categories')}">${cats}</td><td data-label="${label('col_open')}" data-figure="open">${s.open}</td><td data-label="${label('col_sla')}">${pct(s.slaHitRate) ?? none}${s.slaTotal ? ` (${s.slaMet}/${s.slaTotal})` : ''}</td><td data-label="${label('col_median')}">${s.medianFirstResponseMinutes === null ? none : t('web-people:cadres.minutes', { value: s.medianFirstResponseMinutes })}</td><td data-label="${label('col_rating')}">${s.averageRating ?? none}</td></tr>`;
    });
    const heading = t('web-people:cadres.at_unit', { unit: await names.unit(unit) });
    sections.push(
      html`<section data-unit="${unit}"><h2>${heading}</h2><div class="table-wrap"><table class="audit cadres"><caption>${heading}</caption><thead><tr><th scope="col">${label('col_name')}</th><th scope="col">${label('col_organisation')}</th><th scope="col">${label('col_categories')}</th><th scope="col">${label('col_open')}</th><th scope="col">${label('col_sla')}</th><th scope="col">${label('col_median')}</th><th scope="col">${label('col_rating')}</th></tr></thead><tbody>${rows}</tbody></table></div></section>`,
    );
  }
  return html`<p><a href="/web/people">${t('web-people:hub.title')}</a></p><p>${t('web-people:cadres.intro')}</p>${picker}${summary}${sections}`;
}

export function registerCadreRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  web.get<{ Querystring: Record<string, unknown> }>('/people/cadres', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    const scope = ctx.staff!.scope;
    const asked = request.query?.unit;
    let unitId: string | undefined;
    if (typeof asked === 'string' && asked !== '') {
      if (!(await app.services.org.get(asked, ctx.now)) || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, asked, ctx.now, 'web.cadres'))) return notFound(app, ctx, reply);
      unitId = asked;
    } else if (asked !== undefined && typeof asked !== 'string') return notFound(app, ctx, reply);
    unitId ??= scope.whole ? (await app.services.concerns.review.roots(ctx.now))[0] : scope.units[0];
    if (!unitId) return notFound(app, ctx, reply);
    const review = await app.services.concerns.review.review(unitId, ctx.now);
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-people:cadres.title'), current: 'people', languages, body: await reviewBody(app, ctx, unitId, review) }));
  });
}
