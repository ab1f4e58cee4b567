/**
 * What the survey pages share: who may see or manage a survey (the scope rules of
 * surveys-page.ts, refusals audited and answered 404), its state and window in words, its
 * audience, and the links between its pages.
 */
import type { FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import type { SurveyDoc } from '../../core/surveys/models.js';
import { isOpen } from '../../core/surveys/survey-service.js';
import { formatVnTime } from '../../core/vn-time.js';
import { notFound, type PageNames } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import type { WebContext } from './web-context.js';

/** A survey id as definitions allow it (definition.ts), so nothing else reaches the database. */
export const SURVEY_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A survey's units: the roots of its audience (none: the whole tree). */
export const surveyUnits = (s: Pick<SurveyDoc, 'definition'>) => s.definition.audience.orgUnits ?? [];

/** What the signed-in person may do with a survey. */
export interface SurveyRights {
  /** Replace, open, close, schedule: every unit of the survey lies in the scope. */
  manage: boolean;
  /** See it, its results and roll-ups within the scope: its units reach into the scope. */
  read: boolean;
}

/** The person's rights over a survey (no audit: see `surveyInScope` for the audited refusal). */
export async function surveyRights(app: App, ctx: WebContext, s: Pick<SurveyDoc, 'definition'>): Promise<SurveyRights> {
  const scope = ctx.staff!.scope;
  const roots = surveyUnits(s);
  if (scope.whole) return { manage: true, read: true };
  const manage = roots.length > 0 && roots.every((r) => scope.has(r));
  if (manage || roots.length === 0 || roots.some((r) => scope.has(r))) return { manage, read: true };
  // A survey of a zone reaches a ward under it.
  const granted = await Promise.all(scope.units.map((u) => app.services.org.get(u, ctx.now)));
  return { manage: false, read: granted.some((u) => !!u && roots.some((r) => u.ancestors.includes(r))) };
}

/** The unit ids results are narrowed to for this person (none at the city level). */
export const withinOf = (ctx: WebContext) => (ctx.staff!.scope.whole ? undefined : (ctx.staff!.scope.unitIds ?? []));

/**
 * The survey `id` with the person's rights, if it exists and they may `need` it; otherwise the
 * refusal is audited (`AccessScope.allows` on a unit of the survey outside the scope) and the 404
 * page sent.
 */
export async function surveyInScope(app: App, ctx: WebContext, reply: FastifyReply, id: string, need: keyof SurveyRights, attempted: string): Promise<{ survey: SurveyDoc; rights: SurveyRights } | undefined> {
  const survey = SURVEY_ID.test(id) ? await app.services.surveys.get(id) : null;
  if (!survey) {
    notFound(app, ctx, reply);
    return undefined;
  }
  const rights = await surveyRights(app, ctx, survey);
  if (!rights[need]) {
    const scope = ctx.staff!.scope;
    const outside = surveyUnits(survey).find((u) => !scope.has(u));
    await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, outside, ctx.now, attempted);
    notFound(app, ctx, reply);
    return undefined;
  }
  return { survey, rights };
}

export type SurveyState = 'open' | 'scheduled' | 'closed';
export const stateOf = (s: Pick<SurveyDoc, 'opensAt' | 'closesAt'>, now: Date): SurveyState => (isOpen(s, now) ? 'open' : s.opensAt.getTime() > now.getTime() ? 'scheduled' : 'closed');

/** "Đang mở" etc., with the data-state the tests read. */
export const stateBadge = (ctx: WebContext, s: Pick<SurveyDoc, 'opensAt' | 'closesAt'>) => {
  const st = stateOf(s, ctx.now);
  return html`<strong data-state="${st}">${ctx.t(`web-surveys:state.${st}`)}</strong>`;
};

export const windowLabel = (ctx: WebContext, s: Pick<SurveyDoc, 'opensAt' | 'closesAt'>) => ctx.t('web-surveys:window_value', { opens: formatVnTime(s.opensAt), closes: formatVnTime(s.closesAt) });

/** The audience in words: its units by name (or everyone) and roles. */
export async function audienceLabel(ctx: WebContext, names: PageNames, s: SurveyDoc): Promise<string> {
  const t = ctx.t;
  const units = surveyUnits(s);
  const parts = [units.length ? (await Promise.all(units.map((u) => names.unit(u)))).join(', ') : t('web-surveys:everyone')];
  const roles = s.definition.audience.roles ?? [];
  if (roles.length) parts.push(roles.map((r) => t(`web:roles.${r}`)).join(', '));
  return parts.join(' · ');
}

/** The links under a survey's title: its page, results, roll-up. */
export function surveyTabs(ctx: WebContext, s: SurveyDoc, current: 'detail' | 'results' | 'inspections'): SafeHtml {
  const t = ctx.t;
  const tab = (id: typeof current, href: string, label: string) => html`<li><a href="${href}"${current === id ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<p><a href="/web/surveys">${t('web-surveys:back')}</a></p>
<nav class="pages" aria-label="${t('web-surveys:tabs_label')}"><ul class="tabs">${tab('detail', `/web/surveys/${s._id}`, t('web-surveys:tab_detail'))}${tab('results', `/web/surveys/${s._id}/results`, t('web-surveys:tab_results'))}${s.kind === 'inspection' ? tab('inspections', `/web/surveys/${s._id}/inspections`, t('web-surveys:tab_inspections')) : ''}</ul></nav>`;
}
