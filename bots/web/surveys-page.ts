/**
 * Surveys and inspections in the web console, through the same service as the chat and the CLI
 * (`services.surveys`; no rule is repeated here):
 * - `GET /web/surveys`: the surveys the person may see, with kind, state and window;
 * - `GET|POST /web/surveys/new`: upload a definition (surveys-upload.ts);
 * - `GET /web/surveys/<id>`: one survey, and — where the person manages it — open now, close now
 *   and schedule its opening at a Vietnam time (POST + CSRF; the service's `changeWindow`, whose
 *   rules are in core/surveys/survey-window.ts);
 * - `GET /web/surveys/<id>/results[.csv]`: results (survey-results-page.ts);
 * - `GET /web/surveys/<id>/inspections[.csv]`: an inspection's roll-up per unit (inspections-page.ts).
 *
 * Scope (the one check, `AccessScope`): a survey's units are its audience units
 * (`audience.orgUnits`; none: the whole tree). A person manages a survey — replaces, opens,
 * closes, schedules it — when all its units lie in their scope (the city level manages all); a
 * person sees a survey whose units reach into their scope (a city-wide survey is seen by a
 * ward), and its results and roll-ups only within their scope. Anything else answers 404, the
 * refusal audited as `access.denied`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { textIn } from '../../core/surveys/definition.js';
import type { SurveyDoc } from '../../core/surveys/models.js';
import { SurveyWindowError, type WindowChange } from '../../core/surveys/survey-window.js';
import { formatVnTime, parseTypedTime } from '../../core/vn-time.js';
import { csrfRefused } from './auth-routes.js';
import { PageNames, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { registerInspectionRoutes } from './inspections-page.js';
import { csrfField, page } from './layout.js';
import { registerSurveyResultRoutes } from './survey-results-page.js';
import { audienceLabel, stateBadge, stateOf, surveyInScope, surveyRights, surveyTabs, windowLabel, type SurveyRights } from './survey-views.js';
import { registerSurveyUploadRoutes } from './surveys-upload.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const HTML = 'text/html; charset=utf-8';

async function listBody(app: App, ctx: WebContext): Promise<SafeHtml> {
  const t = ctx.t;
  const rows: SafeHtml[] = [];
  const td = (label: string, v: SafeHtml | string | number) => html`<td data-label="${label}">${v}</td>`;
  for (const s of (await app.services.surveys.list()).reverse()) {
    const rights = await surveyRights(app, ctx, s);
    if (!rights.read) continue;
    const kind = t(`web-surveys:kind.${s.kind}`) + ' · ' + t(s.definition.anonymous ? 'web-surveys:anonymous' : 'web-surveys:named');
    const reach = rights.manage ? t('web-surveys:reach_manage') : t('web-surveys:reach_read');
    rows.push(
      html`<tr data-survey="${s._id}">${td(t('web-surveys:col_title'), html`<a href="/web/surveys/${s._id}">${textIn(s.definition.title, ctx.locale)}</a><br><small><code>${s._id}</code></small>`)}${td(t('web-surveys:col_kind'), kind)}${td(t('web-surveys:col_state'), stateBadge(ctx, s))}${td(t('web-surveys:col_window'), windowLabel(ctx, s))}${td(t('web-surveys:col_reach'), reach)}${td(t('web-surveys:col_results'), html`<a href="/web/surveys/${s._id}/results">${t('web-surveys:tab_results')}</a>${s.kind === 'inspection' ? html` · <a href="/web/surveys/${s._id}/inspections">${t('web-surveys:tab_inspections')}</a>` : ''}`)}</tr>`,
    );
  }
  const table = rows.length
    ? html`<div class="table-wrap"><table class="audit surveys"><caption>${t('web-surveys:times_note')}</caption><thead><tr><th scope="col">${t('web-surveys:col_title')}</th><th scope="col">${t('web-surveys:col_kind')}</th><th scope="col">${t('web-surveys:col_state')}</th><th scope="col">${t('web-surveys:col_window')}</th><th scope="col">${t('web-surveys:col_reach')}</th><th scope="col">${t('web-surveys:col_results')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">${t('web-surveys:empty')}</p>`;
  return html`<p class="intro">${t('web-surveys:intro')}</p><p><a class="button" href="/web/surveys/new">${t('web-surveys:upload')}</a></p>${table}`;
}

/** The window the person typed on the detail page, as typed (shown again after a refusal). */
interface WindowForm {
  opensAt: string;
  closesAt: string;
}

async function detailBody(app: App, ctx: WebContext, s: SurveyDoc, rights: SurveyRights, o: { notice?: string; problem?: string; form?: WindowForm }): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const fact = (label: string, value: SafeHtml | string | number) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const def = s.definition;
  const responses = rights.manage ? await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: s._id }) : undefined;
  const st = stateOf(s, ctx.now);
  const f = o.form ?? { opensAt: '', closesAt: '' };
  const closeAtField = (id: string) => html`<div class="field"><label for="${id}">${t('web-surveys:closes_at')}</label><input type="datetime-local" id="${id}" name="closes_at" value="${f.closesAt}"><small>${t('web-surveys:closes_at_hint', { closes: formatVnTime(s.closesAt) })}</small></div>`;
  const actions = !rights.manage
    ? html`<p class="section-note">${t('web-surveys:read_only')}</p>`
    : st === 'open'
      ? html`<form method="post" action="/web/surveys/${s._id}/close" class="inline">${csrfField(ctx)}<button type="submit">${t('web-surveys:close_now')}</button></form><p class="section-note">${t('web-surveys:close_note')}</p>`
      : html`<form method="post" action="/web/surveys/${s._id}/open" class="compose window">${csrfField(ctx)}<fieldset><legend>${t('web-surveys:open_now')}</legend>${closeAtField('f-open-closes')}<p class="actions"><button type="submit" class="primary">${t('web-surveys:open_now')}</button></p></fieldset></form>
<form method="post" action="/web/surveys/${s._id}/schedule" class="compose window">${csrfField(ctx)}<fieldset><legend>${t('web-surveys:schedule')}</legend><div class="field"><label for="f-opens">${t('web-surveys:opens_at')}</label><input type="datetime-local" id="f-opens" name="opens_at" value="${f.opensAt}" required><small>${t('web-surveys:opens_at_hint')}</small></div>${closeAtField('f-schedule-closes')}<p class="actions"><button type="submit">${t('web-surveys:schedule')}</button></p></fieldset></form>`;
  return html`${surveyTabs(ctx, s, 'detail')}
${o.notice ? html`<p class="notice" role="status">${t(`web-surveys:done.${o.notice}`)}</p>` : ''}${o.problem ? html`<p class="problem" role="alert" id="window-problem">${o.problem}</p>` : ''}
<section aria-labelledby="h-facts"><h2 id="h-facts">${t('web-surveys:facts')}</h2><dl class="facts">
${fact(t('web-surveys:col_title'), textIn(def.title, ctx.locale))}
${fact(t('web-surveys:id'), html`<code>${s._id}</code>`)}
${fact(t('web-surveys:col_kind'), t(`web-surveys:kind.${s.kind}`) + ' · ' + t(def.anonymous ? 'web-surveys:anonymous' : 'web-surveys:named'))}
${fact(t('web-surveys:col_state'), stateBadge(ctx, s))}
${fact(t('web-surveys:col_window'), windowLabel(ctx, s))}
${fact(t('web-surveys:audience'), await audienceLabel(ctx, names, s))}
${fact(t('web-surveys:questions'), def.questions.length)}
${responses !== undefined ? fact(t('web-surveys:responses'), html`<span data-figure="responses">${responses}</span>`) : ''}
${fact(t('web-surveys:imported'), formatVnTime(new Date(s.importedAt)))}
</dl></section>
${def.intro ? html`<section aria-labelledby="h-intro"><h2 id="h-intro">${t('web-surveys:intro_text')}</h2><blockquote>${textIn(def.intro, ctx.locale)}</blockquote></section>` : ''}
<section aria-labelledby="h-actions"><h2 id="h-actions">${t('web-surveys:actions')}</h2>${actions}
${rights.manage ? html`<p><a href="/web/surveys/new">${t('web-surveys:replace_link')}</a></p>` : ''}</section>
<section aria-labelledby="h-questions"><h2 id="h-questions">${t('web-surveys:questions')}</h2><ol class="questions">${def.questions.map((q) => html`<li><code>${q.id}</code> · ${t(`web-surveys:qtype.${q.type}`)} — ${textIn(q.text, ctx.locale)}</li>`)}</ol></section>`;
}

/** The window change a form asks for, or the key of why its times cannot be read. */
function changeOf(action: 'open' | 'close' | 'schedule', body: Form | undefined, now: Date): { change: WindowChange; form: WindowForm } | { problem: string; form: WindowForm } {
  const form = { opensAt: (body?.opens_at ?? '').trim().slice(0, 40), closesAt: (body?.closes_at ?? '').trim().slice(0, 40) };
  if (action === 'close') return { change: { action }, form };
  const closesAt = form.closesAt ? parseTypedTime(form.closesAt, now)?.at : undefined;
  if (form.closesAt && !closesAt) return { problem: 'bad_close_time', form };
  if (action === 'open') return { change: { action, ...(closesAt ? { closesAt } : {}) }, form };
  const opensAt = form.opensAt ? parseTypedTime(form.opensAt, now)?.at : undefined;
  if (!opensAt) return { problem: 'bad_open_time', form };
  return { change: { action, opensAt, ...(closesAt ? { closesAt } : {}) }, form };
}

export function registerSurveyRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const sendDetail = async (ctx: WebContext, reply: FastifyReply, s: SurveyDoc, rights: SurveyRights, o: { notice?: string; problem?: string; form?: WindowForm; code?: number } = {}) =>
    reply
      .code(o.code ?? 200)
      .type(HTML)
      .send(page(ctx, { title: textIn(s.definition.title, ctx.locale), current: 'surveys', languages, body: await detailBody(app, ctx, s, rights, o) }));

  web.get('/surveys', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-surveys:title'), current: 'surveys', languages, body: await listBody(app, ctx) }));
  });

  registerSurveyUploadRoutes(web, deps);

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/surveys/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const found = await surveyInScope(app, ctx, reply, request.params.id, 'read', 'web.survey');
    if (!found) return reply;
    const done = request.query?.done;
    return sendDetail(ctx, reply, found.survey, found.rights, { notice: typeof done === 'string' && ['created', 'updated', 'open', 'close', 'schedule'].includes(done) ? done : undefined });
  });

  for (const action of ['open', 'close', 'schedule'] as const) {
    web.post<{ Params: { id: string }; Body: Form }>(`/surveys/:id/${action}`, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!requireStaff(app, ctx, reply)) return reply;
      if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
      const found = await surveyInScope(app, ctx, reply, request.params.id, 'manage', `web.survey.${action}`);
      if (!found) return reply;
      const asked = changeOf(action, request.body, ctx.now);
      if ('problem' in asked) return sendDetail(ctx, reply, found.survey, found.rights, { problem: ctx.t(`web-surveys:window.${asked.problem}`), form: asked.form, code: 422 });
      try {
        await app.services.surveys.changeWindow(found.survey._id, asked.change, { actor: ctx.staff!.member._id, at: ctx.now, via: 'web' });
      } catch (err) {
        if (!(err instanceof SurveyWindowError)) throw err;
        return sendDetail(ctx, reply, found.survey, found.rights, { problem: ctx.t(`web-surveys:window.${err.code}`, { closes: formatVnTime(found.survey.closesAt) }), form: asked.form, code: 409 });
      }
      return reply.code(303).header('location', `/web/surveys/${found.survey._id}?done=${action}`).send();
    });
  }

  registerSurveyResultRoutes(web, deps);
  registerInspectionRoutes(web, deps);
}
