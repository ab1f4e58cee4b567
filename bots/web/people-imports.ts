/**
 * CSV imports on the web console, with the CLI's importers (run by workers/import-jobs.ts):
 * - `GET /web/people/import`: the form — the kind of list (members, cadre assignments, and for the
 *   city level the org tree) and the file's text in a box. A plain form that works without script;
 *   where scripts run, a file chooser fills the box (people-import-file.ts).
 * - `POST /web/people/import` (CSRF): an empty or oversized text is answered at once, in words;
 *   otherwise the import is queued and the person sent to its progress page.
 * - `GET /web/people/import/<id>`: rows done / total, refreshed by `<meta http-equiv="refresh">`
 *   while it runs; at the end the counts and every rejected row with its line and reason. Only
 *   the person who started an import sees it (anyone else: 404).
 * Forms here are read by this module's own parser, on its own part of the server, with a larger
 * limit than the console's 16 KB; a body above it gets a 413 page saying how much one import takes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enqueueImport, IMPORT_KINDS, importStatus, type ImportKind, type ImportRejection, type ImportStatus } from '../../workers/import-jobs.js';
import { csrfRefused } from './auth-routes.js';
import { notFound } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { IMPORT_FILE_SCRIPT_PATH } from './people-import-file.js';
import { HTML, peopleAllowed } from './people-views.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

/** The largest file one import takes (about 10,000 member rows). */
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** The largest form body: the text percent-encoded (up to 3 bytes per byte) and the form's own fields. */
const MAX_IMPORT_BODY = 3 * MAX_IMPORT_BYTES + 16 * 1024;
const KB = MAX_IMPORT_BYTES / 1024;

type Form = Record<string, string | undefined>;

/** The kinds this person may import: the org tree at the city level only. */
const kindsFor = (ctx: WebContext): ImportKind[] => IMPORT_KINDS.filter((k) => k !== 'org' || ctx.staff!.scope.whole);

function formBody(ctx: WebContext, f: { kind: ImportKind; text: string }, problem?: string): SafeHtml {
  const t = ctx.t;
  const radios = kindsFor(ctx).map(
    (k) => html`<div class="field check"><input type="radio" id="f-kind-${k}" name="kind" value="${k}"${f.kind === k ? html` checked` : ''}><label for="f-kind-${k}">${t(`web-people:import.kinds.${k}`)}</label></div>`,
  );
  return html`<p><a href="/web/people">${t('web-people:hub.title')}</a></p>
<p>${t('web-people:import.intro')}</p><p class="hint">${t('web-people:import.scope_note')}</p>
${problem ? html`<p class="problem" role="alert" id="import-problem">${problem}</p>` : ''}
<form class="compose" method="post" action="/web/people/import">${csrfField(ctx)}
<fieldset><legend>${t('web-people:import.kind')}</legend>${radios}</fieldset>
<template id="file-picker"><div class="field"><label for="f-file">${t('web-people:import.file')}</label><input type="file" id="f-file" accept=".csv,.json,text/csv,application/json,text/plain" data-target="f-text"><small>${t('web-people:import.file_hint')}</small></div></template>
<div class="field"><label for="f-text">${t('web-people:import.text')}</label><textarea id="f-text" name="text" rows="12" spellcheck="false"${problem ? html` aria-describedby="import-problem"` : ''}>${f.text}</textarea><small>${t('web-people:import.text_hint', { kb: KB })}</small></div>
<p class="actions"><button type="submit" class="primary">${t('web-people:import.submit')}</button></p>
</form>
<script src="${IMPORT_FILE_SCRIPT_PATH}" defer></script>`;
}

/** A rejected row's reason in the reader's words (ours), or the importer's own (English, marked so). */
function reasonOf(ctx: WebContext, r: ImportRejection): SafeHtml {
  if (r.key) return html`${ctx.t(`web-people:reasons.${r.key}`, r.params ?? {})}`;
  if (r.problems?.length) return html`${r.problems.map((p) => ctx.t(`web-people:problems.${p.code}`, { ...p.params, defaultValue: r.reason ?? p.code })).join('; ')}`;
  return html`<span lang="en">${r.reason ?? ''}</span>${ctx.locale === 'en' ? '' : html` <small>${ctx.t('web-people:import.importer_words')}</small>`}`;
}

function rowsTable(ctx: WebContext, rows: ImportRejection[], caption: string): SafeHtml {
  const t = ctx.t;
  const body = rows.map(
    (r) => html`<tr data-line="${r.line}"><td data-label="${t('web-people:import.col_line')}">${r.line > 0 ? r.line : t('web-people:import.whole_file')}</td><td data-label="${t('web-people:import.col_reason')}">${reasonOf(ctx, r)}</td></tr>`,
  );
  return html`<div class="table-wrap"><table class="audit rejected"><caption>${caption}</caption><thead><tr><th scope="col">${t('web-people:import.col_line')}</th><th scope="col">${t('web-people:import.col_reason')}</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function progressBody(ctx: WebContext, s: ImportStatus, started: boolean): SafeHtml {
  const t = ctx.t;
  const head = html`<p><a href="/web/people/import">${t('web-people:import.again')}</a></p>
${started && s.state !== 'completed' ? html`<p class="notice" role="status">${t('web-people:import.started')}</p>` : ''}
<p><strong>${t(`web-people:import.kind_short.${s.kind}`)}</strong></p>`;
  if (s.state === 'failed') return html`${head}<p class="problem" role="alert" data-state="failed">${t('web-people:import.failed')}</p>`;
  if (s.state !== 'completed' || !s.outcome) {
    const p = s.progress;
    const line = p ? t('web-people:import.running', { done: p.done, total: p.total }) : t('web-people:import.waiting');
    return html`${head}<section role="status" aria-live="polite" data-state="${s.state}"><p>${line}</p>${p && p.total > 0 ? html`<progress max="${p.total}" value="${p.done}">${p.done} / ${p.total}</progress>` : ''}</section>
<p><a href="/web/people/import/${s.id}">${t('web-people:import.refresh')}</a> <small>${t('web-people:import.auto_refresh')}</small></p>`;
  }
  const o = s.outcome;
  const figure = (key: string, label: string, n: number | undefined) => (n === undefined ? '' : html`<div><dt>${label}</dt><dd data-figure="${key}">${n}</dd></div>`);
  const rejected = o.rejected.length
    ? html`<section aria-labelledby="h-rejected"><h2 id="h-rejected">${t('web-people:import.rejected_title')}</h2><p>${t('web-people:import.rejected_intro')}</p>${rowsTable(ctx, o.rejected, t('web-people:import.rejected_title'))}</section>`
    : html`<p>${t('web-people:import.none_rejected')}</p>`;
  const warnings = o.warnings.length ? html`<section aria-labelledby="h-warnings"><h2 id="h-warnings">${t('web-people:import.warnings_title')}</h2>${rowsTable(ctx, o.warnings, t('web-people:import.warnings_title'))}</section>` : '';
  return html`${head}<section role="status" data-state="completed"><p>${t('web-people:import.finished', { rows: o.rows })}</p>
<dl class="kpis">${figure('created', t('web-people:import.created'), o.created)}${figure('updated', t('web-people:import.updated'), o.updated)}${figure('unchanged', t('web-people:import.unchanged'), o.unchanged)}${figure('ended', t('web-people:import.ended'), o.ended)}${figure('rerouted', t('web-people:import.rerouted'), o.rerouted)}${figure('rejected', t('web-people:import.rejected_count'), o.rejected.length)}</dl></section>
${rejected}${warnings}`;
}

export function registerImportRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const sendForm = (ctx: WebContext, reply: FastifyReply, f: { kind: ImportKind; text: string }, problem?: string, code = 200) =>
    reply.code(code).type(HTML).send(page(ctx, { title: ctx.t('web-people:import.title'), current: 'people', languages, body: formBody(ctx, f, problem) }));

  web.get('/people/import', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    return sendForm(ctx, reply, { kind: 'members', text: '' });
  });

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/people/import/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    const s = await importStatus(app.jobs, request.params.id);
    // Someone else's import (or none) is not there, as far as this person can tell.
    if (!s || s.actorId !== ctx.staff!.member._id) return notFound(app, ctx, reply);
    const live = s.state === 'waiting' || s.state === 'active' ? html`<meta http-equiv="refresh" content="2">` : undefined;
    return reply.type(HTML).send(page(ctx, { title: ctx.t('web-people:import.progress_title'), current: 'people', languages, head: live, body: progressBody(ctx, s, request.query?.started === '1') }));
  });

  // Its own part of the server: a form parser with a limit that fits a file.
  void web.register(async (upload) => {
    upload.removeContentTypeParser('application/x-www-form-urlencoded');
    upload.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_IMPORT_BODY }, (_req, body, done) => {
      const form: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body as string)) if (!(k in form)) form[k] = v;
      done(null, form);
    });
    upload.setErrorHandler(async (error: { statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 500;
      if (status !== 413 && status !== 400 && status !== 415) throw error;
      const ctx = await webContext(deps, request, reply);
      if (!peopleAllowed(app, ctx, reply)) return reply;
      return sendForm(ctx, reply, { kind: 'members', text: '' }, ctx.t(status === 413 ? 'web-people:import.too_large' : 'web-people:import.unreadable', { kb: KB }), status);
    });
    upload.post<{ Body: Form }>('/people/import', { bodyLimit: MAX_IMPORT_BODY }, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!peopleAllowed(app, ctx, reply)) return reply;
      const body = request.body ?? {};
      if (!csrfMatches(ctx.session, body._csrf)) return csrfRefused(deps, ctx, reply);
      const text = typeof body.text === 'string' ? body.text : '';
      const asked = typeof body.kind === 'string' ? body.kind : '';
      const kind = (IMPORT_KINDS as readonly string[]).includes(asked) ? (asked as ImportKind) : undefined;
      // The org tree is the city level's: below it the choice is not offered, and asking anyway is refused as out of scope.
      if (!kind || !kindsFor(ctx).includes(kind)) {
        if (kind === 'org') await app.services.audit.record({ actor: ctx.staff!.member._id, action: 'access.denied', target: 'web-import:org', details: { attempted: 'web.import.org' }, at: ctx.now });
        return notFound(app, ctx, reply);
      }
      if (Buffer.byteLength(text) > MAX_IMPORT_BYTES) return sendForm(ctx, reply, { kind, text: '' }, ctx.t('web-people:import.too_large', { kb: KB }), 413);
      if (text.replace(/^\uFEFF/, '').trim() === '') return sendForm(ctx, reply, { kind, text }, ctx.t('web-people:import.empty'), 422);
      const format = kind === 'org' && /^\uFEFF?\s*[[{]/.test(text) ? 'json' : 'csv';
      const id = await enqueueImport(app.jobs, { kind, actorId: ctx.staff!.member._id, content: text, format });
      return reply.code(303).header('location', `/web/people/import/${id}?started=1`).send();
    });
  });
}

