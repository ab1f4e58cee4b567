/**
 * Materials in the web console, through the materials service (`services.materials`; the rules
 * of a material live in core/materials/material-service.ts, none here):
 * - `GET /web/materials`: every material, newest first, filtered by topic, language and status
 *   (published / unpublished), page by page; for secretariat and admin members of any scope;
 * - `GET|POST /web/materials/new`: add one (topic; per language a title, a text, an https photo);
 * - `GET|POST /web/materials/<id>`: edit one; `POST /web/materials/<id>/unpublish|republish`.
 * Materials belong to no unit: workers of the whole city read them. So only a member whose
 * secretariat or admin scope is the whole tree may change them; anyone else gets the 404 page,
 * and the refusal is audited (`access.denied`, through `AccessScope.allows` with no unit). Every
 * change is audited by the service (material.created / updated / unpublished / republished).
 * POST forms carry the session's CSRF token.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { contentIn, InvalidMaterialError, isPublished } from '../../core/materials/material-service.js';
import { TOPICS, type MaterialDoc } from '../../core/materials/models.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { formatVnTime } from '../../core/vn-time.js';
import { csrfRefused } from './auth-routes.js';
import { mayBroadcast } from './broadcasts-page.js';
import { notFound, PageNames, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { materialForm, materialFormBody, materialInput, readMaterialForm, type MaterialForm } from './materials-form.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const HTML = 'text/html; charset=utf-8';
/** A material's id as the service makes them. */
const ID_PATTERN = /^mat-[0-9a-f]{10}$/;
const PAGE_SIZE = 25;
const STATES = ['published', 'unpublished'] as const;
const DONE = ['created', 'updated', 'unpublished', 'republished'] as const;

/** A material's status as staff read it. */
export function materialState(m: MaterialDoc, now: Date): 'published' | 'scheduled' | 'unpublished' {
  if (m.unpublishedAt) return 'unpublished';
  return isPublished(m, now) ? 'published' : 'scheduled';
}

/** The list's filter, from the query (only known values are kept). */
interface ListFilter {
  topic?: string;
  language?: string;
  state?: (typeof STATES)[number];
  page: number;
}

function readFilter(q: Record<string, unknown> | undefined, languages: readonly string[]): ListFilter {
  const s = (k: string) => (typeof q?.[k] === 'string' ? (q[k] as string) : '');
  const page = Number.parseInt(s('page'), 10);
  return {
    topic: (TOPICS as readonly string[]).includes(s('topic')) ? s('topic') : undefined,
    language: languages.includes(s('language')) ? s('language') : undefined,
    state: (STATES as readonly string[]).includes(s('state')) ? (s('state') as ListFilter['state']) : undefined,
    page: Number.isSafeInteger(page) && page > 0 && page < 10_000 ? page : 0,
  };
}

const filterQuery = (f: ListFilter, page: number) =>
  new URLSearchParams(Object.entries({ topic: f.topic, language: f.language, state: f.state, page: page ? String(page) : undefined }).filter((e): e is [string, string] => !!e[1])).toString();

function filterForm(ctx: WebContext, languages: readonly string[], f: ListFilter): SafeHtml {
  const t = ctx.t;
  const select = (name: string, label: string, current: string | undefined, options: { value: string; label: string }[]) =>
    html`<div class="field"><label for="q-${name}">${label}</label><select id="q-${name}" name="${name}"><option value="">${t('web-materials:filter.any')}</option>${options.map((o) => html`<option value="${o.value}"${current === o.value ? html` selected` : ''}>${o.label}</option>`)}</select></div>`;
  return html`<form class="filters" method="get" action="/web/materials"><fieldset><legend>${t('web-materials:filter.legend')}</legend>
${select('topic', t('web-materials:filter.topic'), f.topic, TOPICS.map((x) => ({ value: x, label: t(`materials:topic.${x}`) })))}
${select('language', t('web-materials:filter.language'), f.language, languages.map((l) => ({ value: l, label: t(`web:lang.${l}`) })))}
${select('state', t('web-materials:filter.state'), f.state, STATES.map((s) => ({ value: s, label: t(`web-materials:states.${s}`) })))}
<div class="actions"><button type="submit" class="primary">${t('web-materials:filter.apply')}</button> <a href="/web/materials">${t('web-materials:filter.reset')}</a></div>
</fieldset></form>`;
}

async function listBody(app: App, ctx: WebContext, languages: readonly string[], f: ListFilter, mayEdit: boolean): Promise<SafeHtml> {
  const t = ctx.t;
  const { items, hasMore } = await app.services.materials.browse({ topic: f.topic, language: f.language, state: f.state, page: f.page, pageSize: PAGE_SIZE });
  const td = (label: string, v: SafeHtml | string) => html`<td data-label="${label}">${v}</td>`;
  const rows = items.map((m) => {
    const title = contentIn(m, ctx.locale).title;
    const state = materialState(m, ctx.now);
    const hasPhoto = Object.values(m.content).some((c) => !!c.photoUrl);
    return html`<tr data-material="${m._id}">${td(t('web-materials:col_title'), mayEdit ? html`<a href="/web/materials/${m._id}">${title}</a>` : title)}${td(t('web-materials:col_topic'), t(`materials:topic.${m.topic}`))}${td(t('web-materials:col_languages'), Object.keys(m.content).join(', '))}${td(t('web-materials:col_state'), html`<span data-state="${state}">${t(`web-materials:states.${state}`)}</span>`)}${td(t('web-materials:col_published'), formatVnTime(new Date(m.publishAt)))}${td(t('web-materials:col_photo'), hasPhoto ? t('web-materials:has_photo') : t('web-materials:no_photo'))}</tr>`;
  });
  const table = rows.length
    ? html`<div class="table-wrap"><table class="audit materials"><caption>${t('web-materials:times_note')}</caption><thead><tr><th scope="col">${t('web-materials:col_title')}</th><th scope="col">${t('web-materials:col_topic')}</th><th scope="col">${t('web-materials:col_languages')}</th><th scope="col">${t('web-materials:col_state')}</th><th scope="col">${t('web-materials:col_published')}</th><th scope="col">${t('web-materials:col_photo')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p>${t('web-materials:empty')}</p>`;
  const pager = [
    f.page > 0 ? html`<a href="/web/materials?${filterQuery(f, f.page - 1)}">${t('web-materials:previous')}</a>` : '',
    hasMore ? html`<a href="/web/materials?${filterQuery(f, f.page + 1)}">${t('web-materials:more')}</a>` : '',
  ].filter(Boolean);
  return html`<p>${t('web-materials:intro')}</p>${mayEdit ? html`<p><a class="button" href="/web/materials/new">${t('web-materials:add')}</a></p>` : html`<p>${t('web-materials:intro_read_only')}</p>`}
${filterForm(ctx, languages, f)}${table}${pager.length ? html`<p class="pager">${pager.map((p, i) => html`${i ? ' · ' : ''}${p}`)}</p>` : ''}`;
}

async function editBody(app: App, ctx: WebContext, m: MaterialDoc, form: SafeHtml, notice?: string): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const state = materialState(m, ctx.now);
  const published = !m.unpublishedAt;
  const toggle = published ? 'unpublish' : 'republish';
  return html`<p><a href="/web/materials">${t('web-materials:back')}</a></p>
${notice ? html`<p class="notice" role="status">${t(`web-materials:done.${notice}`)}</p>` : ''}
<dl class="facts"><dt>${t('web-materials:detail.state')}</dt><dd><strong data-state="${state}">${t(`web-materials:states.${state}`)}</strong></dd>
<dt>${t('web-materials:col_published')}</dt><dd>${formatVnTime(new Date(m.publishAt))}</dd>
<dt></dt><dd>${t('web-materials:detail.created', { at: formatVnTime(new Date(m.createdAt)), by: await names.member(m.author) })}</dd>
${m.updatedAt && m.updatedBy ? html`<dt></dt><dd>${t('web-materials:detail.updated', { at: formatVnTime(new Date(m.updatedAt)), by: await names.member(m.updatedBy) })}</dd>` : ''}
${m.unpublishedAt ? html`<dt></dt><dd>${t('web-materials:detail.unpublished_at', { at: formatVnTime(new Date(m.unpublishedAt)) })}</dd>` : ''}</dl>
<section aria-labelledby="h-publish"><h2 id="h-publish">${t(`web-materials:detail.${toggle}`)}</h2><p>${t(`web-materials:detail.${toggle}_hint`)}</p>
<form method="post" action="/web/materials/${m._id}/${toggle}" class="inline">${csrfField(ctx)}<button type="submit"${published ? '' : html` class="primary"`}>${t(`web-materials:detail.${toggle}`)}</button></form></section>
<section aria-labelledby="h-edit"><h2 id="h-edit">${t('web-materials:edit_title')}</h2>${form}</section>`;
}

export function registerMaterialRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const svc = () => app.services.materials;
  /** Signed-in secretariat or admin; otherwise the sign-in page or the 404 page is sent. */
  const allowed = (ctx: WebContext, reply: FastifyReply) => {
    if (!requireStaff(app, ctx, reply)) return false;
    if (mayBroadcast(ctx)) return true;
    notFound(app, ctx, reply);
    return false;
  };
  /** Whether the member may change materials: the whole tree (the one check, audited when it refuses). */
  const mayEdit = (ctx: WebContext, attempted: string) => app.services.access.allows(ctx.staff!.member, STAFF_ROLES, undefined, ctx.now, attempted);
  /** Allowed to edit; otherwise the 404 page is sent. */
  const editor = async (ctx: WebContext, reply: FastifyReply, attempted: string) => {
    if (!allowed(ctx, reply)) return false;
    if (await mayEdit(ctx, attempted)) return true;
    notFound(app, ctx, reply);
    return false;
  };
  /** The material `id` (a well-formed id that exists); otherwise the 404 page is sent. */
  const find = async (ctx: WebContext, reply: FastifyReply, id: string) => {
    const m = ID_PATTERN.test(id) ? await svc().get(id) : null;
    if (!m) notFound(app, ctx, reply);
    return m ?? undefined;
  };
  const formOf = (ctx: WebContext, action: string, form: MaterialForm, submit: string, error?: InvalidMaterialError) => materialFormBody(ctx, { action, languages, form, error, submit });
  const sendNew = (ctx: WebContext, reply: FastifyReply, form: MaterialForm, error?: InvalidMaterialError) =>
    reply
      .code(error ? 422 : 200)
      .type(HTML)
      .send(page(ctx, { title: ctx.t('web-materials:add_title'), current: 'materials', languages, body: html`<p><a href="/web/materials">${ctx.t('web-materials:back')}</a></p>${formOf(ctx, '/web/materials/new', form, ctx.t('web-materials:form.save_new'), error)}` }));
  const sendEdit = async (ctx: WebContext, reply: FastifyReply, m: MaterialDoc, o: { form?: MaterialForm; error?: InvalidMaterialError; notice?: string } = {}) =>
    reply
      .code(o.error ? 422 : 200)
      .type(HTML)
      .send(page(ctx, { title: ctx.t('web-materials:edit_title'), current: 'materials', languages, body: await editBody(app, ctx, m, formOf(ctx, `/web/materials/${m._id}`, o.form ?? materialForm(languages, m), ctx.t('web-materials:form.save'), o.error), o.notice) }));

  web.get<{ Querystring: Record<string, unknown> }>('/materials', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!allowed(ctx, reply)) return reply;
    // Whether to offer editing: asked of the scope without auditing (a list is not an attempt).
    const edit = (await app.services.access.resolve(ctx.staff!.member, STAFF_ROLES, ctx.now)).whole;
    const body = await listBody(app, ctx, languages, readFilter(request.query, languages), edit);
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-materials:title'), current: 'materials', languages, body }));
  });

  web.get('/materials/new', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await editor(ctx, reply, 'web.material.create'))) return reply;
    return sendNew(ctx, reply, materialForm(languages));
  });

  web.post<{ Body: Form }>('/materials/new', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await editor(ctx, reply, 'web.material.create'))) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const form = readMaterialForm(request.body, languages);
    try {
      const m = await svc().create({ ...materialInput(form), author: ctx.staff!.member._id }, ctx.now);
      return reply.code(303).header('location', `/web/materials/${m._id}?done=created`).send();
    } catch (err) {
      if (!(err instanceof InvalidMaterialError)) throw err;
      return sendNew(ctx, reply, form, err);
    }
  });

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/materials/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await editor(ctx, reply, 'web.material.edit'))) return reply;
    const m = await find(ctx, reply, request.params.id);
    if (!m) return reply;
    const done = request.query?.done;
    return sendEdit(ctx, reply, m, { notice: typeof done === 'string' && (DONE as readonly string[]).includes(done) ? done : undefined });
  });

  web.post<{ Params: { id: string }; Body: Form }>('/materials/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!(await editor(ctx, reply, 'web.material.edit'))) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const m = await find(ctx, reply, request.params.id);
    if (!m) return reply;
    const form = readMaterialForm(request.body, languages);
    try {
      await svc().update(m._id, materialInput(form), ctx.staff!.member._id, ctx.now);
      return reply.code(303).header('location', `/web/materials/${m._id}?done=updated`).send();
    } catch (err) {
      if (!(err instanceof InvalidMaterialError)) throw err;
      return sendEdit(ctx, reply, m, { form, error: err });
    }
  });

  for (const action of ['unpublish', 'republish'] as const) {
    web.post<{ Params: { id: string }; Body: Form }>(`/materials/:id/${action}`, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!(await editor(ctx, reply, `web.material.${action}`))) return reply;
      if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
      const m = await find(ctx, reply, request.params.id);
      if (!m) return reply;
      await svc().setPublished(m._id, action === 'republish', ctx.staff!.member._id, ctx.now);
      return reply.code(303).header('location', `/web/materials/${m._id}?done=${action}ed`).send();
    });
  }
}
