/**
 * How collective cases read on the web console: the list (counts, filters, one row per case) and
 * one case (its facts, its concerns by code and status, its history). Never a reporter: a case
 * document lists concern codes only, concern documents name none, and a history entry's actor is
 * named only when it is the lead cadre (replies, resolution) — a joining worker is a code.
 */
import type { App } from '../../app/app.js';
import { summariseCases } from '../../core/cases/case-service.js';
import { CASE_STATUSES, type CaseDoc, type CaseEvent } from '../../core/cases/models.js';
import { categoryIds } from '../../core/concerns/policy.js';
import type { ConcernDoc } from '../../core/concerns/models.js';
import { formatVnTime } from '../../core/vn-time.js';
import { categoryLabel, PageNames, statusLabel } from './concern-views.js';
import { indentedName, type UnitOption } from './unit-options.js';
import { html, type SafeHtml } from './html.js';
import type { WebContext } from './web-context.js';

/** What the filter form shows back. */
export interface CaseForm {
  status: string;
  category: string;
  unit: string;
}

/** The query string of a filter (only the fields given). */
export function caseSearch(form: CaseForm): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const when = (d: Date | undefined) => (d ? html`<time datetime="${new Date(d).toISOString()}">${formatVnTime(new Date(d))}</time>` : '—');
const caseStatus = (ctx: WebContext, s: string) => ctx.t(`web-cases:status.${s}`);
const leadName = async (ctx: WebContext, names: PageNames, c: CaseDoc) => (c.leadId ? names.member(c.leadId) : ctx.t('web-cases:no_lead'));

function filterForm(app: App, ctx: WebContext, form: CaseForm, units: UnitOption[]): SafeHtml {
  const t = ctx.t;
  const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const select = (name: keyof CaseForm, options: SafeHtml[]) =>
    html`<div class="field"><label for="f-${name}">${t(`web-cases:list.${name}`)}</label><select id="f-${name}" name="${name}">${options}</select></div>`;
  return html`<form class="filters" method="get" action="/web/cases">
<fieldset><legend>${t('web-cases:list.filter_legend')}</legend>
${select('status', [option('', t('web-cases:list.status_any'), form.status), ...CASE_STATUSES.map((s) => option(s, caseStatus(ctx, s), form.status))])}
${select('category', [option('', t('web-cases:list.category_any'), form.category), ...categoryIds(app.services.concerns.policy).map((c) => option(c, categoryLabel(t, c), form.category))])}
${select('unit', [option('', t('web-cases:list.unit_any'), form.unit), ...units.map((u) => option(u.id, indentedName(u), form.unit))])}
<div class="actions"><button type="submit" class="primary">${t('web-cases:list.apply')}</button> <a href="/web/cases">${t('web-cases:list.clear')}</a></div>
</fieldset>
</form>`;
}

/** The list page's body: counts of `counted` (the scope, cut by category and unit), the filters, then `shown` (also cut by status). */
export async function casesListBody(
  app: App,
  ctx: WebContext,
  o: { form: CaseForm; units: UnitOption[]; counted: CaseDoc[]; shown: CaseDoc[]; truncatedAt?: number; problems: { field: keyof CaseForm; value: string }[]; unknownUnit: boolean },
): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const { total } = summariseCases(o.counted);
  const problems = [
    ...o.problems.map((p) => html`<p class="problem" role="alert">${t('web-cases:list.bad_value', { value: p.value, field: t(`web-cases:list.${p.field}`) })}</p>`),
    o.unknownUnit ? html`<p class="problem" role="alert">${t('web-cases:list.unknown_unit', { value: o.form.unit })}</p>` : '',
  ];
  const cell = (label: string, value: SafeHtml | string | number) => html`<td data-label="${t(`web-cases:list.${label}`)}">${value}</td>`;
  const rows: SafeHtml[] = [];
  for (const c of o.shown) {
    rows.push(html`<tr data-case="${c._id}">
${cell('col_case', html`<a href="/web/cases/${c._id}"><code>${c._id}</code></a>`)}
${cell('col_category', categoryLabel(t, c.category))}
${cell('col_unit', await names.unit(c.orgUnitId))}
${cell('col_status', html`<span data-status="${c.status}">${caseStatus(ctx, c.status)}</span>`)}
${cell('col_concerns', c.concernCodes.length)}
${cell('col_lead', c.leadId ? await names.member(c.leadId) : html`<strong class="badge">${t('web-cases:no_lead')}</strong>`)}
${cell('col_formed', when(c.createdAt))}
${cell('col_last', when(c.lastConcernAt))}
</tr>`);
  }
  const head = ['col_case', 'col_category', 'col_unit', 'col_status', 'col_concerns', 'col_lead', 'col_formed', 'col_last'].map((k) => html`<th scope="col">${t(`web-cases:list.${k}`)}</th>`);
  const table = rows.length
    ? html`<div class="table-wrap"><table class="audit cases"><caption>${t('web-cases:list.times_note')}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">${t('web-cases:list.empty')}</p>`;
  return html`<p class="intro">${t('web-cases:list.intro')}</p>
<p class="scope-line">${t('web-cases:list.counts_note')}</p>
<dl class="kpis"><div><dt>${t('web-cases:list.open')}</dt><dd data-count="open">${total.open}</dd></div><div><dt>${t('web-cases:list.resolved')}</dt><dd data-count="resolved">${total.resolved}</dd></div><div><dt>${t('web-cases:list.concerns')}</dt><dd data-count="concerns">${total.concerns}</dd></div></dl>
${filterForm(app, ctx, o.form, o.units)}
${problems}
${table}
${o.truncatedAt ? html`<p class="notice">${t('web-cases:list.truncated', { max: o.truncatedAt })}</p>` : ''}`;
}

async function historyItem(ctx: WebContext, names: PageNames, c: CaseDoc, e: CaseEvent): Promise<SafeHtml> {
  const t = ctx.t;
  let what: SafeHtml | string;
  if (e.kind === 'joined') {
    // A code still in the case links to its page; a withdrawn one lost its code (and its page).
    const joined = e.code ? t('web-cases:detail.event.joined', { code: e.code }) : t('web-cases:detail.event.joined_gone');
    what = e.code && c.concernCodes.includes(e.code) ? html`<a href="/web/concerns/${e.code}">${joined}</a>` : joined;
  } else if (e.kind === 'replied' || e.kind === 'resolved') {
    // The actor of a reply or resolution is the lead cadre (staff), never a reporter.
    what = t(`web-cases:detail.event.${e.kind}`, { actor: await names.member(e.actor) });
  } else what = t(`web-cases:detail.event.${e.kind}`);
  const text = (e.kind === 'replied' || e.kind === 'resolved') && e.text ? html`<blockquote>${e.text}</blockquote>` : '';
  return html`<li class="event ${e.kind}">${when(e.at)} <span class="what">${what}</span>${text}</li>`;
}

/** One case's body: facts, its concerns (code, status, level, cadre — each linking to its page), its history. */
export async function caseDetailBody(app: App, ctx: WebContext, c: CaseDoc): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const fact = (key: string, value: SafeHtml | string) => html`<dt>${t(`web-cases:detail.${key}`)}</dt><dd>${value}</dd>`;
  const concerns = await Promise.all(c.concernCodes.map(async (code) => ({ code, doc: await app.services.concerns.get(code) })));
  const cell = (label: string, value: SafeHtml | string) => html`<td data-label="${t(`web-cases:detail.${label}`)}">${value}</td>`;
  const row = async (code: string, x: ConcernDoc | null) =>
    x
      ? html`<tr data-concern="${code}">${cell('col_code', html`<a href="/web/concerns/${code}"><code>${code}</code></a>`)}${cell('col_status', html`${statusLabel(t, x.status)}${x.flagged ? html` <strong class="badge">${t('web:concerns.flagged_badge')}</strong>` : ''}`)}${cell('col_level', t('web:concerns.level_n', { level: x.level + 1 }))}${cell('col_raised', when(x.createdAt))}${cell('col_cadre', x.assigneeId ? await names.member(x.assigneeId) : '—')}</tr>`
      : html`<tr data-concern="${code}">${cell('col_code', html`<code>${code}</code>`)}${cell('col_status', t('web-cases:detail.missing'))}${cell('col_level', '—')}${cell('col_raised', '—')}${cell('col_cadre', '—')}</tr>`;
  const rows: SafeHtml[] = [];
  for (const x of concerns) rows.push(await row(x.code, x.doc));
  const head = ['col_code', 'col_status', 'col_level', 'col_raised', 'col_cadre'].map((k) => html`<th scope="col">${t(`web-cases:detail.${k}`)}</th>`);
  const history: SafeHtml[] = [];
  for (const e of c.events) history.push(await historyItem(ctx, names, c, e));
  return html`<p><a href="/web/cases">${t('web-cases:detail.back')}</a></p>
<section class="facts" aria-labelledby="h-facts"><h2 id="h-facts">${t('web-cases:detail.facts')}</h2>
<dl class="facts">
${fact('id', html`<code>${c._id}</code>`)}
${fact('category', categoryLabel(t, c.category))}
${fact('unit', (await app.services.org.describe(c.orgUnitId, ctx.now)) ?? c.orgUnitId)}
${fact('status', html`<span data-status="${c.status}">${caseStatus(ctx, c.status)}</span>`)}
${fact('lead', c.leadId ? await leadName(ctx, names, c) : html`<strong class="badge">${t('web-cases:no_lead')}</strong>`)}
${fact('formed', when(c.createdAt))}
${fact('last', when(c.lastConcernAt))}
${c.resolvedAt ? fact('resolved', when(c.resolvedAt)) : ''}
${c.summary ? fact('summary', html`<blockquote>${c.summary}</blockquote>`) : ''}
</dl>
<p class="scope-line">${t('web-cases:detail.privacy')}</p>
${!c.leadId && c.status === 'open' ? html`<p class="notice">${t('web-cases:detail.no_lead_hint')}</p>` : ''}
</section>
<section aria-labelledby="h-concerns"><h2 id="h-concerns">${t('web-cases:detail.concerns', { count: c.concernCodes.length })}</h2>
${rows.length ? html`<div class="table-wrap"><table class="audit case-concerns"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="empty">${t('web-cases:detail.concerns_none')}</p>`}
</section>
<section class="timeline" aria-labelledby="h-history"><h2 id="h-history">${t('web-cases:detail.history')}</h2>
<ol class="timeline">${history}</ol></section>`;
}
