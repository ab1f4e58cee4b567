/**
 * Uploading a survey definition (`GET|POST /web/surveys/new`): YAML or JSON pasted into a text
 * box or chosen as a file (one form, `multipart/form-data`, no script), checked with the CLI's
 * validator (core/surveys/definition-source.ts) and every problem shown with its line and path
 * ("Dòng 12 · questions[3].options: …") and the text of that line. The text stays in the box —
 * a file's content too — to be fixed and sent again. Then the scope: the survey's audience units
 * must lie in the person's scope (a survey for everyone needs the city level; refusals audited as
 * `access.denied`), and an id already used by a survey they do not manage is refused; replacing a
 * survey that has answers needs a tick. Stored with the service's `importDefinition` (audited).
 *
 * Forms of this page are read by a small `multipart/form-data` reader of this module, on its own
 * (encapsulated) part of the server, with its own size limit: a larger body gets a 413 page saying
 * how large a definition may be.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { checkDefinitionText, type SourceProblem } from '../../core/surveys/definition-source.js';
import type { SurveyDefinition } from '../../core/surveys/definition.js';
import { csrfRefused } from './auth-routes.js';
import { requireStaff } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { csrfMatches } from './session-cookie.js';
import { SURVEY_ID, surveyRights, surveyUnits } from './survey-views.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

const HTML = 'text/html; charset=utf-8';
/** The largest definition taken (pasted or as a file): far above any real one (the samples are 4–7 KB). */
export const MAX_DEFINITION_BYTES = 256 * 1024;
/** The largest form body: the text box and a file, both at their largest, and the form's own parts. */
export const MAX_UPLOAD_BODY = 2 * MAX_DEFINITION_BYTES + 16 * 1024;
const MAX_PARTS = 10;

/** A `multipart/form-data` body: its text fields (first of each name) and files. */
export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, { filename: string; data: Buffer }>;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Reads a whole `multipart/form-data` body (RFC 7578) already held in memory; undefined when it
 * is not one (no boundary, a part without headers or name, more than MAX_PARTS parts).
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartForm | undefined {
  const boundary = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? '');
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const form: MultipartForm = { fields: {}, files: {} };
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return form;
    if (!body.subarray(at, at + 2).equals(CRLF) || parts >= MAX_PARTS) return undefined;
    at += 2;
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), at);
    if (next < 0) return undefined;
    const part = body.subarray(at, next);
    const headEnd = part.indexOf(HEADER_END);
    if (headEnd < 0) return undefined;
    const head = part.subarray(0, headEnd).toString('utf8');
    const data = part.subarray(headEnd + HEADER_END.length);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      if (!(name in form.files)) form.files[name] = { filename, data: Buffer.from(data) };
    } else if (!(name in form.fields)) form.fields[name] = data.toString('utf8');
    at = next + CRLF.length;
  }
}

/** What the upload form holds, as sent (to show it again). */
interface UploadForm {
  text: string;
  replace: boolean;
}

interface UploadOutcome {
  /** Problems of the definition, each with its line. */
  problems?: SourceProblem[];
  /** A refusal in words (scope, id, size, nothing sent). */
  refusal?: string;
  /** The file's name, when the text came from a file. */
  filename?: string;
}

/** The text of line `n` (1-based), shortened. */
const lineText = (text: string, n: number | undefined) => {
  if (!n) return undefined;
  const line = text.split(/\r?\n/)[n - 1];
  return line === undefined ? undefined : line.length > 120 ? `${line.slice(0, 119)}…` : line;
};

function uploadBody(ctx: WebContext, f: UploadForm, o: UploadOutcome): SafeHtml {
  const t = ctx.t;
  const problems = o.problems?.length
    ? html`<section class="problem upload-problems" role="alert" id="upload-problem" aria-labelledby="h-problems"><h2 id="h-problems">${t('web-surveys:upload_problems', { count: o.problems.length })}</h2>
<ol class="problems">${o.problems.map((p) => {
        const where = p.line ? t('web-surveys:problem_line', { line: p.line }) : t('web-surveys:problem_whole');
        const src = lineText(f.text, p.line);
        return html`<li data-line="${p.line ?? ''}"><strong>${where}</strong> · <code>${p.path}</code>: ${p.message}${src !== undefined && src.trim() ? html`<br><code class="source-line">${src}</code>` : ''}</li>`;
      })}</ol>
<p>${t('web-surveys:upload_fix')}</p></section>`
    : '';
  const refusal = o.refusal ? html`<p class="problem" role="alert" id="upload-problem">${o.refusal}</p>` : '';
  const fromFile = o.filename && f.text ? html`<p class="section-note">${t('web-surveys:upload_from_file', { file: o.filename })}</p>` : '';
  const describedBy = problems || refusal ? html` aria-describedby="upload-problem"` : '';
  // The newline after <textarea> is dropped by the HTML parser, so text starting with a blank line keeps its line numbers.
  return html`<p><a href="/web/surveys">${t('web-surveys:back')}</a></p>
<p class="intro">${t('web-surveys:upload_intro')}</p>
${refusal}${problems}
<form class="compose upload" method="post" action="/web/surveys/new" enctype="multipart/form-data">${csrfField(ctx)}
<div class="field"><label for="f-file">${t('web-surveys:upload_file')}</label><input type="file" id="f-file" name="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml,text/plain"><small>${t('web-surveys:upload_file_hint', { kb: MAX_DEFINITION_BYTES / 1024 })}</small></div>
${fromFile}
<div class="field"><label for="f-text">${t('web-surveys:upload_text')}</label><textarea id="f-text" name="text" rows="18" spellcheck="false" autocapitalize="off" class="source"${describedBy}>
${f.text}</textarea><small>${t('web-surveys:upload_text_hint')}</small></div>
<div class="field check"><input type="checkbox" id="f-replace" name="replace"${f.replace ? html` checked` : ''}><label for="f-replace">${t('web-surveys:upload_replace')}</label></div>
<p class="actions"><button type="submit" class="primary">${t('web-surveys:upload_send')}</button></p>
</form>
<p class="section-note">${t('web-surveys:upload_samples')}</p>`;
}

/** Why the definition may not be stored by this person, in words; undefined when it may. */
async function scopeRefusal(app: App, ctx: WebContext, def: SurveyDefinition, lineOf: (path: string) => number | undefined): Promise<{ refusal?: string; problems?: SourceProblem[] }> {
  const t = ctx.t;
  const { member, scope } = ctx.staff!;
  const units = surveyUnits({ definition: def });
  // Units the tree does not have: the survey would reach nobody there.
  const unknown: SourceProblem[] = [];
  for (const [i, u] of units.entries()) if (!(await app.services.org.get(u, ctx.now))) unknown.push({ line: lineOf(`audience.orgUnits[${i}]`), path: `audience.orgUnits[${i}]`, message: t('web-surveys:unknown_unit', { unit: u }) });
  if (unknown.length) return { problems: unknown };
  const mine = async () => (await Promise.all(scope.units.map((u) => app.services.org.get(u, ctx.now)))).map((u) => u?.name ?? '').filter(Boolean).join(', ');
  if (!scope.whole && units.length === 0) {
    await app.services.access.allows(member, STAFF_ROLES, undefined, ctx.now, 'web.survey.upload');
    return { refusal: t('web-surveys:upload_everyone_refused', { units: await mine() }) };
  }
  const outside: string[] = [];
  for (const u of units) if (!(await app.services.access.allows(member, STAFF_ROLES, u, ctx.now, 'web.survey.upload'))) outside.push((await app.services.org.get(u, ctx.now))?.name ?? u);
  if (outside.length) return { refusal: t('web-surveys:upload_outside_refused', { outside: outside.join(', '), units: await mine() }) };
  return {};
}

/** The text sent (a file wins over the box) and its format by the file's name; or why there is none. */
function sourceOf(body: MultipartForm): { text: string; filename?: string; format?: 'json' | 'yaml' } | { problem: 'not_text' | 'too_large' } {
  const file = body.files.file;
  if (file && file.data.length > 0) {
    if (file.data.length > MAX_DEFINITION_BYTES) return { problem: 'too_large' };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
    } catch {
      return { problem: 'not_text' };
    }
    if (text.includes('\u0000')) return { problem: 'not_text' };
    const ext = /\.([a-z]+)$/i.exec(file.filename)?.[1]?.toLowerCase();
    return { text, filename: file.filename.slice(-100), format: ext === 'json' ? 'json' : ext === 'yaml' || ext === 'yml' ? 'yaml' : undefined };
  }
  const text = body.fields.text ?? '';
  if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES) return { problem: 'too_large' };
  return { text };
}

export function registerSurveyUploadRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const sendForm = (ctx: WebContext, reply: FastifyReply, f: UploadForm, o: UploadOutcome = {}, code = 200) =>
    reply.code(code).type(HTML).send(page(ctx, { title: ctx.t('web-surveys:upload_title'), current: 'surveys', languages, body: uploadBody(ctx, f, o) }));

  web.get('/surveys/new', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    return sendForm(ctx, reply, { text: '', replace: false });
  });

  // The upload's POST on its own part of the server: its multipart reader and size limit, and its error page.
  void web.register(async (upload) => {
    // Only here: were a multipart reader ever added for the whole console, this part keeps its own.
    if (upload.hasContentTypeParser('multipart/form-data')) upload.removeContentTypeParser('multipart/form-data');
    upload.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BODY }, (request, body, done) => {
      const form = parseMultipart(body as Buffer, request.headers['content-type']);
      if (!form) done(Object.assign(new Error('the form could not be read'), { statusCode: 400 }), undefined);
      else done(null, form);
    });
    upload.setErrorHandler(async (error: { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 500;
      if (status !== 413 && status !== 400 && status !== 415) throw error;
      const ctx = await webContext(deps, request, reply);
      if (!requireStaff(app, ctx, reply)) return reply;
      const refusal = status === 413 ? ctx.t('web-surveys:upload_too_large', { kb: MAX_DEFINITION_BYTES / 1024 }) : ctx.t('web-surveys:upload_unreadable');
      return sendForm(ctx, reply, { text: '', replace: false }, { refusal }, status);
    });

    upload.post('/surveys/new', { bodyLimit: MAX_UPLOAD_BODY }, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!requireStaff(app, ctx, reply)) return reply;
      // A multipart form (the page's), or a plain one (a script's).
      const raw = request.body as MultipartForm | Record<string, string> | undefined;
      const body: MultipartForm = raw && 'fields' in raw && 'files' in raw && typeof raw.fields === 'object' ? (raw as MultipartForm) : { fields: (raw as Record<string, string>) ?? {}, files: {} };
      if (!csrfMatches(ctx.session, body.fields._csrf)) return csrfRefused(deps, ctx, reply);
      const t = ctx.t;
      const source = sourceOf(body);
      const f: UploadForm = { text: 'text' in source ? source.text : '', replace: body.fields.replace === 'on' };
      if ('problem' in source) return sendForm(ctx, reply, f, { refusal: t(source.problem === 'too_large' ? 'web-surveys:upload_too_large' : 'web-surveys:upload_not_text', { kb: MAX_DEFINITION_BYTES / 1024 }) }, source.problem === 'too_large' ? 413 : 422);
      if (!source.text.trim()) return sendForm(ctx, reply, f, { refusal: t('web-surveys:upload_empty') }, 422);
      const checked = checkDefinitionText(source.text, source.format);
      if (!checked.ok) return sendForm(ctx, reply, f, { problems: checked.problems, filename: source.filename }, 422);
      const def = checked.definition;
      if (def.id === 'new') return sendForm(ctx, reply, f, { problems: [{ line: checked.lineOf('id'), path: 'id', message: t('web-surveys:id_reserved') }], filename: source.filename }, 422);
      const scoped = await scopeRefusal(app, ctx, def, checked.lineOf);
      if (scoped.problems) return sendForm(ctx, reply, f, { problems: scoped.problems, filename: source.filename }, 422);
      if (scoped.refusal) return sendForm(ctx, reply, f, { refusal: scoped.refusal, filename: source.filename }, 422);
      const existing = SURVEY_ID.test(def.id) ? await app.services.surveys.get(def.id) : null;
      if (existing) {
        if (!(await surveyRights(app, ctx, existing)).manage) {
          await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, surveyUnits(existing).find((u) => !ctx.staff!.scope.has(u)), ctx.now, 'web.survey.replace');
          return sendForm(ctx, reply, f, { problems: [{ line: checked.lineOf('id'), path: 'id', message: t('web-surveys:id_taken', { id: def.id }) }], filename: source.filename }, 422);
        }
        const answers = await app.services.surveys.surveyModels.SurveyResponse.countDocuments({ surveyId: def.id });
        if (answers > 0 && !f.replace) return sendForm(ctx, reply, f, { refusal: t('web-surveys:upload_replace_needed', { id: def.id, count: answers }), filename: source.filename }, 409);
      }
      const outcome = await app.services.surveys.importDefinition(def, { actor: ctx.staff!.member._id, at: ctx.now });
      return reply.code(303).header('location', `/web/surveys/${def.id}?done=${outcome}`).send();
    });
  });
}
