/**
 * "You said, we did" in the web console, through the same service as the chat and the CLI
 * (`services.feedback`; no rule is repeated here). Secretariat (or admin) only, within scope:
 * - `GET /web/feedback`: the closed surveys of the scope with their feedback (published, with
 *   reach, or a link to write it), and the outcome notes of the scope's units by status — an
 *   agreed one with "publish" and "set aside" (POST + CSRF);
 * - `GET|POST /web/feedback/survey/<id>`: what was heard (the draft from the suppressed results
 *   of the scope, editable) and what will be done; publishing sends it to everyone invited.
 * A survey or note outside the scope answers 404, the refusal audited by the one access check.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { BroadcastInputError, broadcastErrorText, NotAuthorizedError } from '../../core/broadcasts/broadcast-errors.js';
import type { Actor } from '../../core/broadcasts/broadcast-service.js';
import { FeedbackInputError, feedbackErrorText } from '../../core/feedback/feedback-errors.js';
import { MAX_PART_CHARS } from '../../core/feedback/feedback-service.js';
import type { FeedbackDoc } from '../../core/feedback/models.js';
import { STAFF_ROLES, type ResolvedScope } from '../../core/members/access-scope.js';
import { textIn } from '../../core/surveys/definition.js';
import type { SurveyDoc } from '../../core/surveys/models.js';
import { formatVnTime } from '../../core/vn-time.js';
import { csrfRefused } from './auth-routes.js';
import { mayBroadcast } from './broadcasts-page.js';
import { categoryLabel, notFound, PageNames, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const HTML = 'text/html; charset=utf-8';
const SURVEY_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const NOTE_ID = /^on-[0-9a-f]{10}$/;
const NOTICES = ['survey', 'publish', 'set-aside'] as const;

const actorOf = (ctx: WebContext): Actor => ({ id: ctx.staff!.member._id, roles: ctx.staff!.member.roles, grants: ctx.staff!.member.grants });

/** Whether a survey's audience lies in the scope: the whole audience must (a ward does not speak for the city). */
const surveyInScope = (scope: ResolvedScope, s: SurveyDoc) => scope.whole || (!!s.definition.audience.orgUnits?.length && s.definition.audience.orgUnits.every((u) => scope.has(u)));

async function reachLine(app: App, ctx: WebContext, f: FeedbackDoc): Promise<SafeHtml> {
  const r = await app.services.feedback.reach(f);
  return html`<span data-reach="${r.sent}">${ctx.t('feedback:web.reach', { sent: r.sent, targeted: r.targeted, failed: r.failed, optedOut: r.optedOut })}</span>`;
}

async function listBody(app: App, ctx: WebContext, scope: ResolvedScope, notice?: string, problem?: string): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const closed = (await app.services.surveys.list()).filter((s) => s.kind === 'survey' && s.closesAt.getTime() <= ctx.now.getTime() && surveyInScope(scope, s)).reverse();
  const surveyRows = await Promise.all(
    closed.map(async (s) => {
      const f = await app.services.feedback.get(`sf-${s._id}`);
      const state = f?.status === 'published' ? html`${t('feedback:web.published_at', { at: formatVnTime(new Date(f.publishedAt!)) })} · ${await reachLine(app, ctx, f)}` : html`<a href="/web/feedback/survey/${s._id}">${t('feedback:web.write')}</a>`;
      return html`<tr><td>${textIn(s.definition.title, ctx.locale)}</td><td>${formatVnTime(s.closesAt)}</td><td>${state}</td></tr>`;
    }),
  );
  const notes = await app.services.feedback.list({ kind: 'outcome', ...(scope.whole ? {} : { unitIds: scope.unitIds ?? [] }) });
  const button = (id: string, action: string, label: string, cls = '') => html`<form method="post" action="/web/feedback/notes/${id}/${action}" class="inline">${csrfField(ctx)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
  const noteRows = await Promise.all(
    notes.map(async (n) => {
      const actions = n.status === 'ready' ? html`${button(n._id, 'publish', t('feedback:web.publish'), 'primary')} ${button(n._id, 'set-aside', t('feedback:web.set_aside'))}` : n.status === 'published' ? await reachLine(app, ctx, n) : '';
      return html`<tr data-note="${n._id}"><td>${categoryLabel(t, n.category!)}<br><small>${await names.unit(n.unitId!)}</small></td><td><blockquote class="message">${n.summary}</blockquote><small>${t('feedback:web.proposed_by', { name: await names.member(n.proposedBy), at: formatVnTime(new Date(n.createdAt)) })}</small></td><td data-status="${n.status}">${t(`feedback:web.status.${n.status}`)}</td><td>${actions}</td></tr>`;
    }),
  );
  return html`<p class="lead">${t('feedback:web.intro')}</p>
${notice ? html`<p class="notice" role="status">${t(`feedback:web.done.${notice}`)}</p>` : ''}${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
<section aria-labelledby="h-surveys"><h2 id="h-surveys">${t('feedback:web.surveys')}</h2>
${surveyRows.length ? html`<div class="table-wrap"><table class="audit"><thead><tr><th scope="col">${t('feedback:web.col_survey')}</th><th scope="col">${t('feedback:web.col_closed')}</th><th scope="col">${t('feedback:web.col_feedback')}</th></tr></thead><tbody>${surveyRows}</tbody></table></div>` : html`<p>${t('feedback:web.no_surveys')}</p>`}
</section>
<section aria-labelledby="h-notes"><h2 id="h-notes">${t('feedback:web.notes')}</h2><p class="hint">${t('feedback:web.notes_hint')}</p>
${noteRows.length ? html`<div class="table-wrap"><table class="audit"><thead><tr><th scope="col">${t('feedback:web.col_concern')}</th><th scope="col">${t('feedback:web.col_summary')}</th><th scope="col">${t('feedback:web.col_status')}</th><th scope="col">${t('feedback:web.col_actions')}</th></tr></thead><tbody>${noteRows}</tbody></table></div>` : html`<p>${t('feedback:web.no_notes')}</p>`}
</section>`;
}

function surveyBody(ctx: WebContext, s: SurveyDoc, form: { heard: string; doing: string }, problem?: string): SafeHtml {
  const t = ctx.t;
  return html`<p><a href="/web/feedback">${t('feedback:web.back')}</a></p>
<p class="lead">${t('feedback:web.survey_intro', { title: textIn(s.definition.title, ctx.locale) })}</p>
${problem ? html`<p class="problem" role="alert" id="feedback-problem">${problem}</p>` : ''}
<form method="post" action="/web/feedback/survey/${s._id}">${csrfField(ctx)}
<div class="field"><label for="f-heard">${t('feedback:web.heard')}</label><textarea id="f-heard" name="heard" rows="8" maxlength="${MAX_PART_CHARS}"${problem ? html` aria-describedby="feedback-problem"` : ''}>${form.heard}</textarea><small>${t('feedback:web.heard_hint', { max: MAX_PART_CHARS })}</small></div>
<div class="field"><label for="f-doing">${t('feedback:web.doing')}</label><textarea id="f-doing" name="doing" rows="6" maxlength="${MAX_PART_CHARS}">${form.doing}</textarea><small>${t('feedback:web.doing_hint', { max: MAX_PART_CHARS })}</small></div>
<p class="actions"><button type="submit" class="primary">${t('feedback:web.send')}</button></p>
</form>`;
}

export function registerFeedbackRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const svc = () => app.services.feedback;
  /** Signed-in with the secretariat role, with their scope; otherwise the sign-in or 404 page is sent. */
  const allowed = async (ctx: WebContext, reply: FastifyReply): Promise<ResolvedScope | undefined> => {
    if (!requireStaff(app, ctx, reply)) return undefined;
    if (!mayBroadcast(ctx)) {
      notFound(app, ctx, reply);
      return undefined;
    }
    return app.services.access.resolve(ctx.staff!.member, STAFF_ROLES, ctx.now);
  };
  /** A closed ordinary survey whose audience lies in the scope; else the 404 page (the refusal audited). */
  const surveyFor = async (ctx: WebContext, reply: FastifyReply, scope: ResolvedScope, id: string): Promise<SurveyDoc | undefined> => {
    const s = SURVEY_ID.test(id) ? await app.services.surveys.get(id) : null;
    if (s && s.kind === 'survey' && surveyInScope(scope, s)) return s;
    if (s) await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'access.denied', target: id, details: { attempted: 'web.feedback.survey' }, at: ctx.now });
    notFound(app, ctx, reply);
    return undefined;
  };
  const sendList = async (ctx: WebContext, reply: FastifyReply, scope: ResolvedScope, o: { notice?: string; problem?: string; code?: number } = {}) =>
    reply.code(o.code ?? 200).type(HTML).send(page(ctx, { title: ctx.t('feedback:web.title'), current: 'feedback', languages, body: await listBody(app, ctx, scope, o.notice, o.problem) }));
  const sendSurvey = (ctx: WebContext, reply: FastifyReply, s: SurveyDoc, form: { heard: string; doing: string }, problem?: string) =>
    reply.code(problem ? 422 : 200).type(HTML).send(page(ctx, { title: ctx.t('feedback:web.survey_title'), current: 'feedback', languages, body: surveyBody(ctx, s, form, problem) }));
  const problemOf = (ctx: WebContext, err: unknown): string => {
    if (err instanceof FeedbackInputError) return feedbackErrorText(ctx.t, err);
    if (err instanceof BroadcastInputError) return broadcastErrorText(ctx.t, err);
    throw err;
  };

  web.get<{ Querystring: Record<string, unknown> }>('/feedback', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    const scope = await allowed(ctx, reply);
    if (!scope) return reply;
    const done = request.query?.done;
    return sendList(ctx, reply, scope, { notice: typeof done === 'string' && (NOTICES as readonly string[]).includes(done) ? done : undefined });
  });

  web.get<{ Params: { id: string } }>('/feedback/survey/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    const scope = await allowed(ctx, reply);
    if (!scope) return reply;
    const s = await surveyFor(ctx, reply, scope, request.params.id);
    if (!s) return reply;
    if (s.closesAt.getTime() > ctx.now.getTime()) return sendSurvey(ctx, reply, s, { heard: '', doing: '' }, ctx.t('feedback:error.not_closed', { survey: s._id }));
    const heard = await svc().draftHeard(s._id, ctx.locale, scope.whole ? undefined : scope.unitIds);
    return sendSurvey(ctx, reply, s, { heard, doing: '' });
  });

  web.post<{ Params: { id: string }; Body: Form }>('/feedback/survey/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    const scope = await allowed(ctx, reply);
    if (!scope) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const s = await surveyFor(ctx, reply, scope, request.params.id);
    if (!s) return reply;
    const form = { heard: typeof request.body?.heard === 'string' ? request.body.heard : '', doing: typeof request.body?.doing === 'string' ? request.body.doing : '' };
    try {
      await svc().publishSurvey({ surveyId: s._id, ...form, locale: ctx.locale }, actorOf(ctx), ctx.now);
      return reply.code(303).header('location', '/web/feedback?done=survey').send();
    } catch (err) {
      if (err instanceof NotAuthorizedError) return notFound(app, ctx, reply);
      return sendSurvey(ctx, reply, s, form, problemOf(ctx, err));
    }
  });

  web.post<{ Params: { id: string; action: string }; Body: Form }>('/feedback/notes/:id/:action', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    const scope = await allowed(ctx, reply);
    if (!scope) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const { id, action } = request.params;
    const note = NOTE_ID.test(id) && (action === 'publish' || action === 'set-aside') ? await svc().get(id) : null;
    if (!note || note.kind !== 'outcome' || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, note.unitId, ctx.now, 'web.feedback.note'))) return notFound(app, ctx, reply);
    try {
      if (action === 'publish') await svc().publishOutcome(id, actorOf(ctx), ctx.now);
      else await svc().setAside(id, actorOf(ctx), ctx.now);
      return reply.code(303).header('location', `/web/feedback?done=${action}`).send();
    } catch (err) {
      if (err instanceof NotAuthorizedError) return notFound(app, ctx, reply);
      return sendList(ctx, reply, scope, { problem: problemOf(ctx, err), code: 422 });
    }
  });
}
