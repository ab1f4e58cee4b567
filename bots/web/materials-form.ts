/**
 * The add / edit form of a material on the web console: a topic, then per language of the app a
 * title, a text and an optional photo URL. It only reads what was typed and shows it again; the
 * rules (known topic, lengths, https photo) are the service's (`checkMaterial`), and a refusal is
 * shown next to the field it names (`InvalidMaterialError.field`), in the person's language.
 */
import { MATERIAL_LIMITS, type InvalidMaterialError } from '../../core/materials/material-service.js';
import { TOPICS, type MaterialContent, type MaterialDoc } from '../../core/materials/models.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import type { WebContext } from './web-context.js';

/** What the form holds, as typed. */
export interface MaterialForm {
  topic: string;
  content: Record<string, { title: string; body: string; photo: string }>;
}

type Body = Record<string, string | undefined> | undefined;

/** The form as posted (only strings are read: anything else counts as empty). */
export function readMaterialForm(body: Body, languages: readonly string[]): MaterialForm {
  const b = body ?? {};
  const s = (k: string) => (typeof b[k] === 'string' ? b[k]! : '');
  return { topic: s('topic'), content: Object.fromEntries(languages.map((l) => [l, { title: s(`title_${l}`), body: s(`body_${l}`), photo: s(`photo_${l}`) }])) };
}

/** An empty form, or one holding a stored material. */
export function materialForm(languages: readonly string[], m?: MaterialDoc): MaterialForm {
  return {
    topic: m?.topic ?? '',
    content: Object.fromEntries(languages.map((l) => [l, { title: m?.content[l]?.title ?? '', body: m?.content[l]?.body ?? '', photo: m?.content[l]?.photoUrl ?? '' }])),
  };
}

/** The service's input: the languages where anything was typed (a language left empty is not part of the material). */
export function materialInput(f: MaterialForm): { topic: string; content: Record<string, MaterialContent> } {
  const content: Record<string, MaterialContent> = {};
  for (const [l, c] of Object.entries(f.content)) {
    if (!c.title.trim() && !c.body.trim() && !c.photo.trim()) continue;
    content[l] = { title: c.title, body: c.body, ...(c.photo.trim() ? { photoUrl: c.photo } : {}) };
  }
  return { topic: f.topic, content };
}

/** The refusal in the person's language. */
export function materialProblemText(ctx: WebContext, err: InvalidMaterialError): string {
  const part = err.field.split('.')[1] as keyof typeof MATERIAL_LIMITS | undefined;
  return ctx.t(`web-materials:errors.${err.code}`, { max: part ? MATERIAL_LIMITS[part] : '' });
}

/** The form; `error` is shown next to its field (or above the form when it names none). */
export function materialFormBody(ctx: WebContext, o: { action: string; languages: readonly string[]; form: MaterialForm; error?: InvalidMaterialError; submit: string }): SafeHtml {
  const t = ctx.t;
  const f = o.form;
  const errorFor = (field: string) => (o.error && o.error.field === field ? materialProblemText(ctx, o.error) : undefined);
  const errId = (field: string) => `err-${field.replace('.', '-')}`;
  /** aria attributes of a field and its message, when the refusal names it. */
  const invalid = (field: string, hint?: string) => {
    const err = errorFor(field);
    const described = [err ? errId(field) : '', hint ?? ''].filter(Boolean).join(' ');
    return html`${err ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
  };
  const message = (field: string) => {
    const err = errorFor(field);
    return err ? html`<p class="problem field-problem" id="${errId(field)}" role="alert">${err}</p>` : '';
  };
  const general = o.error && !['topic', ...o.languages.flatMap((l) => [`${l}.title`, `${l}.body`, `${l}.photoUrl`])].includes(o.error.field)
    ? html`<p class="problem" role="alert" id="form-problem">${t('web-materials:form.problem', { problem: materialProblemText(ctx, o.error) })}</p>`
    : '';
  const topicOptions = [html`<option value=""${f.topic ? '' : html` selected`}>—</option>`, ...TOPICS.map((x) => html`<option value="${x}"${f.topic === x ? html` selected` : ''}>${t(`materials:topic.${x}`)}</option>`)];
  const languageSet = (l: string) => {
    const c = f.content[l] ?? { title: '', body: '', photo: '' };
    const language = t(`web:lang.${l}`);
    return html`<fieldset lang="${l}"><legend>${t('web-materials:form.language_legend', { language })}</legend>
<small id="hint-lang-${l}">${t('web-materials:form.language_hint', { language })}</small>
<div class="field"><label for="f-title-${l}">${t('web-materials:form.title')}</label><input type="text" id="f-title-${l}" name="title_${l}" value="${c.title}"${invalid(`${l}.title`)}>${message(`${l}.title`)}</div>
<div class="field"><label for="f-body-${l}">${t('web-materials:form.body')}</label><textarea id="f-body-${l}" name="body_${l}" rows="8"${invalid(`${l}.body`, `hint-body-${l}`)}>${c.body}</textarea><small id="hint-body-${l}">${t('web-materials:form.body_hint', { max: MATERIAL_LIMITS.body })}</small>${message(`${l}.body`)}</div>
<div class="field"><label for="f-photo-${l}">${t('web-materials:form.photo')}</label><input type="url" id="f-photo-${l}" name="photo_${l}" value="${c.photo}" inputmode="url" autocomplete="off"${invalid(`${l}.photoUrl`, `hint-photo-${l}`)}><small id="hint-photo-${l}">${t('web-materials:form.photo_hint')}</small>${message(`${l}.photoUrl`)}</div>
</fieldset>`;
  };
  return html`${general}<form class="compose material" method="post" action="${o.action}" novalidate>${csrfField(ctx)}
<div class="field"><label for="f-topic">${t('web-materials:form.topic')}</label><select id="f-topic" name="topic"${invalid('topic')}>${topicOptions}</select>${message('topic')}</div>
${o.languages.map(languageSet)}
<p class="actions"><button type="submit" class="primary">${o.submit}</button></p>
</form>`;
}
