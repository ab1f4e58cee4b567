/**
 * Broadcasts in the web console, through the same service as the chat and the CLI
 * (`services.broadcasts`; no rule is repeated here):
 * - `GET /web/broadcasts`: the broadcasts addressed inside the person's scope (the service's
 *   `list` with the person as actor), with status, audience, schedule and counts;
 * - `GET|POST /web/broadcasts/new`: the compose form (text or a published material, a unit of the scope, roles, topics,
 *   now / once at a Vietnam time / recurring by a rule, quiet hours). "Preview" checks the request
 *   as creating would (`validate`, `checkScope` — refusals audited as `access.denied`) and shows
 *   the live audience size and the skipped counts (`preview`); "Create" calls `create`. Refusals
 *   are the service's codes in the person's language (`broadcastErrorText`), next to the form;
 * - `GET /web/broadcasts/<id>`: one broadcast with live counts (refreshed every 10 s by a
 *   `<meta http-equiv="refresh">` while it sends; no script), pause, resume and cancel (POST +
 *   CSRF; the service's `pause`, `resume`, `cancel`). A broadcast outside the scope answers 404.
 * Only members holding the secretariat (or admin) role may open these pages, as in chat.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { BroadcastInputError, broadcastErrorText, NotAuthorizedError } from '../../core/broadcasts/broadcast-errors.js';
import type { Actor, NewBroadcast } from '../../core/broadcasts/broadcast-service.js';
import type { AudienceSize } from '../../core/broadcasts/audience.js';
import type { Audience, BroadcastDoc } from '../../core/broadcasts/models.js';
import { ROLES, type Role } from '../../core/db.js';
import { contentIn } from '../../core/materials/material-service.js';
import { TOPICS } from '../../core/materials/models.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { formatVnTime, parseTypedTime } from '../../core/vn-time.js';
import { csrfRefused } from './auth-routes.js';
import { notFound, PageNames, requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { indentedName, scopeUnitOptions } from './unit-options.js';
import { csrfField, page } from './layout.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const HTML = 'text/html; charset=utf-8';
/** A broadcast's id as it may appear in a path (an occurrence of a recurring one has a suffix). */
const ID_PATTERN = /^bc-[0-9a-f]{12}(?:-[0-9a-f]{10})?$/;
const LIST_LIMIT = 50;
const MAX_MATERIAL_OPTIONS = 100;

/** Whether the signed-in member may broadcast (the role the service's `authorize` asks for). */
export const mayBroadcast = (ctx: WebContext) => !!ctx.staff && ctx.staff.member.roles.some((r) => r === 'secretariat' || r === 'admin');

const actorOf = (ctx: WebContext): Actor => ({ id: ctx.staff!.member._id, roles: ctx.staff!.member.roles, grants: ctx.staff!.member.grants });

/** What the compose form holds (as typed, to show it again). */
interface ComposeForm {
  key: string;
  text: string;
  /** A material sent instead of the text (its id), or empty. */
  material: string;
  unit: string;
  roles: Role[];
  topics: string[];
  when: 'now' | 'at' | 'cron';
  at: string;
  cron: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
}

function readForm(body: Form | undefined): ComposeForm {
  const b = body ?? {};
  const s = (k: string) => (typeof b[k] === 'string' ? b[k]! : '');
  const when = s('when');
  return {
    key: /^[0-9a-f]{16}$/.test(s('key')) ? s('key') : randomBytes(8).toString('hex'),
    text: s('text'),
    material: /^mat-[0-9a-f]{10}$/.test(s('material')) ? s('material') : '',
    unit: s('unit'),
    roles: ROLES.filter((r) => b[`role_${r}`] === 'on'),
    topics: TOPICS.filter((x) => b[`topic_${x}`] === 'on'),
    when: when === 'at' || when === 'cron' ? when : 'now',
    at: s('at').trim(),
    cron: s('cron').trim(),
    quiet: b.quiet === 'on',
    quietStart: s('quiet_start').trim() || '21:30',
    quietEnd: s('quiet_end').trim() || '07:00',
  };
}

const emptyForm = (): ComposeForm => ({ key: randomBytes(8).toString('hex'), text: '', material: '', unit: '', roles: [], topics: [], when: 'now', at: '', cron: '', quiet: true, quietStart: '21:30', quietEnd: '07:00' });

/** The request the form stands for, or the key of why it cannot be read (the time). */
function requestOf(f: ComposeForm, now: Date): { input: NewBroadcast } | { problem: string } {
  const audience: Partial<Audience> = { roles: f.roles, topics: f.topics, ...(f.unit ? { orgUnitId: f.unit } : {}) };
  let schedule: NewBroadcast['schedule'] = { kind: 'once' };
  if (f.when === 'at') {
    const at = parseTypedTime(f.at, now)?.at;
    if (!at) return { problem: 'bad_time' };
    schedule = { kind: 'once', at };
  } else if (f.when === 'cron') schedule = { kind: 'recurring', cron: f.cron };
  return { input: { content: f.material ? { materialId: f.material } : { text: f.text }, audience, schedule, quietHours: f.quiet ? { start: f.quietStart, end: f.quietEnd } : null } };
}

const statusLabel = (t: WebContext['t'], s: string) => t(`web:broadcasts.statuses.${s}`);

async function audienceLabel(ctx: WebContext, names: PageNames, a: Audience): Promise<string> {
  const t = ctx.t;
  const parts = [a.orgUnitId ? await names.unit(a.orgUnitId) : t('web:broadcasts.everyone')];
  if (a.roles.length) parts.push(a.roles.map((r) => t(`web:roles.${r}`)).join(', '));
  if (a.topics.length) parts.push(a.topics.map((x) => t(`materials:topic.${x}`)).join(', '));
  return parts.join(' · ');
}

function scheduleLabel(ctx: WebContext, b: BroadcastDoc): string {
  const t = ctx.t;
  const when = b.schedule.kind === 'once' ? t('web:broadcasts.once_at', { at: formatVnTime(new Date(b.schedule.at)) }) : t('web:broadcasts.recurring_rule', { rule: b.schedule.cron });
  return b.quietHours ? `${when} · ${t('web:broadcasts.quiet_value', { start: b.quietHours.start, end: b.quietHours.end })}` : when;
}

const excerpt = (b: BroadcastDoc) => {
  const text = b.content.text ?? b.content.materialId ?? '';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

async function listBody(app: App, ctx: WebContext, list: BroadcastDoc[]): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const td = (label: string, v: SafeHtml | string | number) => html`<td data-label="${label}">${v}</td>`;
  const rows: SafeHtml[] = [];
  for (const b of list) {
    rows.push(html`<tr>${td(t('web:broadcasts.col_message'), html`<a href="/web/broadcasts/${b._id}">${excerpt(b) || b._id}</a>`)}${td(t('web:broadcasts.col_status'), statusLabel(t, b.status))}${td(t('web:broadcasts.col_audience'), await audienceLabel(ctx, names, b.audience))}${td(t('web:broadcasts.col_schedule'), scheduleLabel(ctx, b))}${td(t('web:broadcasts.targeted'), b.counts.targeted || (b.expected !== undefined && !b.startedAt ? t('web:broadcasts.expected', { count: b.expected }) : 0))}${td(t('web:broadcasts.sent'), b.counts.sent)}${td(t('web:broadcasts.failed'), b.counts.failed)}${td(t('web:broadcasts.opted_out'), b.counts.optedOut)}</tr>`);
  }
  const table = rows.length
    ? html`<div class="table-wrap"><table class="audit broadcasts"><caption>${t('web:broadcasts.times_note')}</caption><thead><tr><th scope="col">${t('web:broadcasts.col_message')}</th><th scope="col">${t('web:broadcasts.col_status')}</th><th scope="col">${t('web:broadcasts.col_audience')}</th><th scope="col">${t('web:broadcasts.col_schedule')}</th><th scope="col">${t('web:broadcasts.targeted')}</th><th scope="col">${t('web:broadcasts.sent')}</th><th scope="col">${t('web:broadcasts.failed')}</th><th scope="col">${t('web:broadcasts.opted_out')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p>${t('web:broadcasts.empty')}</p>`;
  return html`<p>${t('web:broadcasts.intro')}</p><p><a class="button" href="/web/broadcasts/new">${t('web:broadcasts.compose')}</a></p>${table}`;
}

interface ComposeExtras {
  problem?: string;
  size?: AudienceSize;
}

async function composeBody(app: App, ctx: WebContext, f: ComposeForm, extras: ComposeExtras): Promise<SafeHtml> {
  const t = ctx.t;
  const units = await scopeUnitOptions(app, ctx);
  // The published materials a broadcast may send (the service checks the one chosen).
  const materials = (await app.services.materials.newest({ now: ctx.now, pageSize: MAX_MATERIAL_OPTIONS })).items;
  const materialSelect = [
    html`<option value=""${f.material ? '' : html` selected`}>${t('web-materials:broadcast.no_material')}</option>`,
    ...materials.map((m) => html`<option value="${m._id}"${f.material === m._id ? html` selected` : ''}>${contentIn(m, ctx.locale).title} (${t(`materials:topic.${m.topic}`)})</option>`),
  ];
  const scope = ctx.staff!.scope;
  const option = (value: string, label: string) => html`<option value="${value}"${f.unit === value ? html` selected` : ''}>${label}</option>`;
  const unitSelect = [...(scope.whole ? [option('', t('web:broadcasts.everyone'))] : []), ...units.map((u) => option(u.id, indentedName(u)))];
  const check = (name: string, label: string, on: boolean) => html`<div class="field check"><input type="checkbox" id="f-${name}" name="${name}"${on ? html` checked` : ''}><label for="f-${name}">${label}</label></div>`;
  const radio = (value: ComposeForm['when'], label: string) => html`<div class="field check"><input type="radio" id="f-when-${value}" name="when" value="${value}"${f.when === value ? html` checked` : ''}><label for="f-when-${value}">${label}</label></div>`;
  const problem = extras.problem ? html`<p class="problem" role="alert" id="compose-problem">${extras.problem}</p>` : '';
  const size = extras.size
    ? html`<section class="preview" role="status" aria-labelledby="h-preview"><h2 id="h-preview">${t('web:broadcasts.preview_title')}</h2><dl class="kpis"><div><dt>${t('web:broadcasts.would_receive')}</dt><dd data-figure="targeted">${extras.size.targeted}</dd></div><div><dt>${t('web:broadcasts.opted_out')}</dt><dd data-figure="optedOut">${extras.size.optedOut}</dd></div><div><dt>${t('web:broadcasts.withdrawn')}</dt><dd data-figure="withdrawn">${extras.size.withdrawn}</dd></div><div><dt>${t('web:broadcasts.unreachable')}</dt><dd data-figure="unreachable">${extras.size.unreachable}</dd></div></dl></section>`
    : '';
  return html`<p><a href="/web/broadcasts">${t('web:broadcasts.back')}</a></p>
${problem}${size}
<form class="compose" method="post" action="/web/broadcasts/new">${csrfField(ctx)}<input type="hidden" name="key" value="${f.key}">
<div class="field"><label for="f-text">${t('web:broadcasts.text')}</label><textarea id="f-text" name="text" rows="6"${extras.problem ? html` aria-describedby="compose-problem"` : ''}>${f.text}</textarea><small>${t('web:broadcasts.text_hint')}</small></div>
<div class="field"><label for="f-material">${t('web-materials:broadcast.material')}</label><select id="f-material" name="material" aria-describedby="hint-material">${materialSelect}</select><small id="hint-material">${t('web-materials:broadcast.material_hint')}</small></div>
<fieldset><legend>${t('web:broadcasts.audience')}</legend>
<div class="field"><label for="f-unit">${t('web:broadcasts.unit')}</label><select id="f-unit" name="unit">${unitSelect}</select></div>
<p class="hint">${t('web:broadcasts.roles')}</p>${ROLES.map((r) => check(`role_${r}`, t(`web:roles.${r}`), f.roles.includes(r)))}
<p class="hint">${t('web:broadcasts.topics')}</p>${TOPICS.map((x) => check(`topic_${x}`, t(`materials:topic.${x}`), f.topics.includes(x)))}
<small>${t('web:broadcasts.audience_hint')}</small>
</fieldset>
<fieldset><legend>${t('web:broadcasts.schedule')}</legend>
${radio('now', t('web:broadcasts.when_now'))}
${radio('at', t('web:broadcasts.when_at'))}
<div class="field"><label for="f-at">${t('web:broadcasts.at')}</label><input type="datetime-local" id="f-at" name="at" value="${f.at}"><small>${t('web:broadcasts.at_hint')}</small></div>
${radio('cron', t('web:broadcasts.when_cron'))}
<div class="field"><label for="f-cron">${t('web:broadcasts.cron')}</label><input type="text" id="f-cron" name="cron" value="${f.cron}" autocomplete="off"><small>${t('web:broadcasts.cron_hint')}</small></div>
</fieldset>
<fieldset><legend>${t('web:broadcasts.quiet')}</legend>
${check('quiet', t('web:broadcasts.quiet_on'), f.quiet)}
<div class="field"><label for="f-quiet-start">${t('web:broadcasts.quiet_start')}</label><input type="time" id="f-quiet-start" name="quiet_start" value="${f.quietStart}"></div>
<div class="field"><label for="f-quiet-end">${t('web:broadcasts.quiet_end')}</label><input type="time" id="f-quiet-end" name="quiet_end" value="${f.quietEnd}"></div>
</fieldset>
<p class="actions"><button type="submit" name="action" value="preview">${t('web:broadcasts.preview')}</button> <button type="submit" name="action" value="create" class="primary">${t('web:broadcasts.create')}</button></p>
</form>`;
}

/** What a broadcast sends: its text, or the material's title in the reader's language. */
async function messageOf(app: App, ctx: WebContext, b: BroadcastDoc): Promise<string> {
  const id = b.content.materialId;
  if (!id) return b.content.text ?? '';
  const m = await app.services.materials.get(id);
  return ctx.t('web-materials:broadcast.sends_material', { title: m ? contentIn(m, ctx.locale).title : id });
}

async function detailBody(app: App, ctx: WebContext, b: BroadcastDoc, notice?: string, problem?: string): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const r = await app.services.broadcasts.results(b._id, ctx.now);
  const c = r.broadcast.counts;
  const fact = (label: string, value: SafeHtml | string | number) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const figure = (key: string, label: string, n: number) => html`<div><dt>${label}</dt><dd data-figure="${key}">${n}</dd></div>`;
  const button = (action: string, label: string, cls = '') => html`<form method="post" action="/web/broadcasts/${b._id}/${action}" class="inline">${csrfField(ctx)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
  const s = r.broadcast.status;
  const actions = [
    ...(['scheduled', 'sending'].includes(s) ? [button('pause', t('web:broadcasts.pause'))] : []),
    ...(s === 'paused' ? [button('resume', t('web:broadcasts.resume'), 'primary')] : []),
    ...(!['done', 'cancelled'].includes(s) ? [button('cancel', t('web:broadcasts.cancel'))] : []),
  ];
  const occurrences = r.broadcast.schedule.kind === 'recurring' ? await app.services.broadcasts.occurrences(b._id) : [];
  return html`<p><a href="/web/broadcasts">${t('web:broadcasts.back')}</a></p>
${notice ? html`<p class="notice" role="status">${t(`web:broadcasts.done_${notice}`)}</p>` : ''}${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
<section aria-labelledby="h-facts"><h2 id="h-facts">${t('web:broadcasts.facts')}</h2><dl class="facts">
${fact(t('web:broadcasts.col_status'), html`<strong data-status="${s}">${statusLabel(t, s)}</strong>`)}
${fact(t('web:broadcasts.col_audience'), await audienceLabel(ctx, names, r.broadcast.audience))}
${fact(t('web:broadcasts.col_schedule'), scheduleLabel(ctx, r.broadcast))}
${r.nextRun ? fact(t('web:broadcasts.next_run'), formatVnTime(r.nextRun)) : ''}
${fact(t('web:broadcasts.created'), t('web:broadcasts.created_value', { at: formatVnTime(new Date(r.broadcast.createdAt)), by: await names.member(r.broadcast.createdBy) }))}
${r.broadcast.expected !== undefined ? fact(t('web:broadcasts.expected_label'), r.broadcast.expected) : ''}
</dl></section>
<section aria-labelledby="h-message"><h2 id="h-message">${t('web:broadcasts.text')}</h2><blockquote class="message">${await messageOf(app, ctx, r.broadcast)}</blockquote></section>
<section aria-labelledby="h-counts"><h2 id="h-counts">${t('web:broadcasts.counts')}</h2>
<dl class="kpis">${figure('targeted', t('web:broadcasts.targeted'), c.targeted)}${figure('sent', t('web:broadcasts.sent'), c.sent)}${figure('failed', t('web:broadcasts.failed'), c.failed)}${figure('optedOut', t('web:broadcasts.opted_out'), c.optedOut)}${figure('withdrawn', t('web:broadcasts.withdrawn'), c.withdrawn)}${figure('unreachable', t('web:broadcasts.unreachable'), c.unreachable)}${figure('cancelled', t('web:broadcasts.cancelled'), c.cancelled)}${figure('pending', t('web:broadcasts.pending'), r.pending)}</dl>
<p><a href="/web/broadcasts/${b._id}">${t('web:broadcasts.refresh')}</a>${s === 'sending' ? html` <small>${t('web:broadcasts.auto_refresh')}</small>` : ''}</p></section>
${actions.length ? html`<section aria-labelledby="h-actions"><h2 id="h-actions">${t('web:broadcasts.actions')}</h2><div class="actions">${actions}</div></section>` : ''}
${occurrences.length ? html`<section aria-labelledby="h-occ"><h2 id="h-occ">${t('web:broadcasts.occurrences')}</h2><ul>${occurrences.map((o) => html`<li><a href="/web/broadcasts/${o._id}">${formatVnTime(new Date(o.createdAt))}</a> — ${statusLabel(t, o.status)} (${t('web:broadcasts.sent')}: ${o.counts.sent})</li>`)}</ul></section>` : ''}`;
}

export function registerBroadcastRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const svc = () => app.services.broadcasts;
  /** Signed-in with the secretariat role; otherwise the sign-in page or the 404 page is sent. */
  const allowed = (ctx: WebContext, reply: FastifyReply) => {
    if (!requireStaff(app, ctx, reply)) return false;
    if (mayBroadcast(ctx)) return true;
    notFound(app, ctx, reply);
    return false;
  };
  /** The broadcast `id` if it exists and is addressed inside the scope (refusal audited); else the 404 page. */
  const inScope = async (ctx: WebContext, reply: FastifyReply, id: string, attempted: string) => {
    const b = ID_PATTERN.test(id) ? await svc().get(id) : null;
    if (!b || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, b.audience.orgUnitId, ctx.now, attempted))) {
      notFound(app, ctx, reply);
      return undefined;
    }
    return b;
  };
  const sendCompose = async (ctx: WebContext, reply: FastifyReply, f: ComposeForm, extras: ComposeExtras, code = 200) =>
    reply.code(code).type(HTML).send(page(ctx, { title: ctx.t('web:broadcasts.compose_title'), current: 'broadcasts', languages, body: await composeBody(app, ctx, f, extras) }));
  const sendDetail = async (ctx: WebContext, reply: FastifyReply, b: BroadcastDoc, o: { notice?: string; problem?: string; code?: number } = {}) => {
    const live = b.status === 'sending' ? html`<meta http-equiv="refresh" content="10">` : undefined;
    return reply
      .code(o.code ?? 200)
      .type(HTML)
      .send(page(ctx, { title: ctx.t('web:broadcasts.detail_title'), current: 'broadcasts', languages, head: live, body: await detailBody(app, ctx, b, o.notice, o.problem) }));
  };

  web.get('/broadcasts', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!allowed(ctx, reply)) return reply;
    const list = await svc().list(LIST_LIMIT, actorOf(ctx), ctx.now);
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web:broadcasts.title'), current: 'broadcasts', languages, body: await listBody(app, ctx, list) }));
  });

  web.get('/broadcasts/new', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!allowed(ctx, reply)) return reply;
    return sendCompose(ctx, reply, emptyForm(), {});
  });

  web.post<{ Body: Form }>('/broadcasts/new', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!allowed(ctx, reply)) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const f = readForm(request.body);
    const req = requestOf(f, ctx.now);
    if ('problem' in req) return sendCompose(ctx, reply, f, { problem: ctx.t(`web:broadcasts.${req.problem}`) }, 422);
    const actor = actorOf(ctx);
    try {
      if (request.body?.action !== 'create') {
        // The checks of creating (the request, then the scope: refusals audited), then the live size.
        await svc().authorize(actor, 'preview a broadcast', ctx.now);
        const v = await svc().validate(req.input, ctx.now);
        await svc().checkScope(actor, v.audience, 'preview a broadcast', ctx.now);
        return sendCompose(ctx, reply, f, { size: await svc().preview(v.audience, v.content) });
      }
      const { broadcast } = await svc().create(req.input, actor, { now: ctx.now, idempotencyKey: `web:${f.key}` });
      return reply.code(303).header('location', `/web/broadcasts/${broadcast._id}?done=created`).send();
    } catch (err) {
      if (err instanceof NotAuthorizedError) return notFound(app, ctx, reply);
      if (!(err instanceof BroadcastInputError)) throw err;
      return sendCompose(ctx, reply, f, { problem: broadcastErrorText(ctx.t, err) }, 422);
    }
  });

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/broadcasts/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!allowed(ctx, reply)) return reply;
    const b = await inScope(ctx, reply, request.params.id, 'web.broadcast');
    if (!b) return reply;
    const done = request.query?.done;
    return sendDetail(ctx, reply, b, { notice: typeof done === 'string' && ['created', 'pause', 'resume', 'cancel'].includes(done) ? done : undefined });
  });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    web.post<{ Params: { id: string }; Body: Form }>(`/broadcasts/:id/${action}`, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!allowed(ctx, reply)) return reply;
      if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
      const b = await inScope(ctx, reply, request.params.id, `web.broadcast.${action}`);
      if (!b) return reply;
      try {
        await svc()[action](b._id, actorOf(ctx), ctx.now);
      } catch (err) {
        if (err instanceof NotAuthorizedError) return notFound(app, ctx, reply);
        if (!(err instanceof BroadcastInputError)) throw err;
        return sendDetail(ctx, reply, (await svc().get(b._id)) ?? b, { problem: broadcastErrorText(ctx.t, err), code: 409 });
      }
      return reply.code(303).header('location', `/web/broadcasts/${b._id}?done=${action}`).send();
    });
  }
}
