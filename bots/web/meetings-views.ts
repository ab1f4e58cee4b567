/**
 * How the meetings pages of the web console read: one meeting's figures (votes per slot and how
 * many answered, from MeetingService.tally/voters — counts only, never who voted; attendance as
 * present and rate, from MeetingService.present and attendanceRate), the list's table (cards on
 * phones) and one meeting's page with its forms. No rule is decided here: which actions a
 * meeting still allows is the service's to say when the form is sent.
 */
import type { App } from '../../app/app.js';
import type { Translate } from '../../core/i18n.js';
import { checkInWindow, type CheckInWindow } from '../../core/meetings/meeting-rules.js';
import { attendanceRate, meetingMembers, slotText, startOf } from '../../core/meetings/meeting-service.js';
import { MEETING_STATUSES, type MeetingDoc } from '../../core/meetings/models.js';
import { formatVnTime } from '../../core/vn-time.js';
import { html, type SafeHtml } from './html.js';
import { indentedName, type UnitOption } from './unit-options.js';
import { csrfField } from './layout.js';
import type { WebContext } from './web-context.js';

/** What a page shows of one meeting beside the document. */
export interface MeetingView {
  m: MeetingDoc;
  unit: string;
  /** Votes per slot. */
  counts: number[];
  /** Members who answered the poll. */
  voters: number;
  start?: Date;
  /** Where now stands against the check-in window (fixed meetings). */
  window?: CheckInWindow;
  present: number;
  members: number;
  rate: number | null;
}

/** Reads a meeting's figures through the service. */
export async function meetingView(app: App, m: MeetingDoc, unit: string, now: Date): Promise<MeetingView> {
  const svc = app.services.meetings;
  const [counts, voters, present] = await Promise.all([svc.tally(m), svc.voters(m), m.status === 'fixed' ? svc.present(m) : Promise.resolve(0)]);
  const start = startOf(m);
  const members = meetingMembers(m);
  return { m, unit, counts, voters, start, window: start ? checkInWindow(start, now) : undefined, present, members, rate: attendanceRate({ held: 1, present, members }) };
}

/** The list's filter as the form shows it. */
export interface MeetingFilterForm {
  status: string;
  unit: string;
}

function percent(ctx: WebContext, rate: number | null): string {
  if (rate === null) return ctx.t('web-meetings:no_rate');
  const nf = new Intl.NumberFormat(ctx.locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  return ctx.t('web-meetings:percent', { n: nf.format(Math.round(rate * 1000) / 10) });
}

const statusText = (t: Translate, v: MeetingView) =>
  v.m.status === 'voting' ? `${t('web-meetings:status.voting')} (${t('web-meetings:until', { at: formatVnTime(v.m.deadline) })})` : t(`web-meetings:status.${v.m.status}`);

function attendanceText(ctx: WebContext, v: MeetingView): SafeHtml | string {
  if (v.m.status !== 'fixed') return ctx.t('web-meetings:attendance_none');
  if (v.window === 'before') return ctx.t('web-meetings:attendance_before');
  return html`<span data-present="${v.present}">${ctx.t('web-meetings:attendance_value', { present: v.present, rate: percent(ctx, v.rate) })}</span>`;
}

function fixedText(ctx: WebContext, v: MeetingView): string {
  if (!v.start || v.m.fixedSlot === undefined) return ctx.t('web-meetings:not_fixed');
  return `${slotText(ctx.t, v.m.slots[v.m.fixedSlot]!)} (${ctx.t(`web-meetings:fixed_how.${v.m.fixedHow ?? 'cadre'}`)})`;
}

/** The filter form (GET, so a filtered list has its own address). */
function filterForm(ctx: WebContext, form: MeetingFilterForm, units: UnitOption[]): SafeHtml {
  const t = ctx.t;
  const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/web/meetings"><fieldset><legend>${t('web-meetings:filter.legend')}</legend>
<div class="field"><label for="f-status">${t('web-meetings:filter.status')}</label><select id="f-status" name="status">${[option('', t('web-meetings:filter.status_any'), form.status), ...MEETING_STATUSES.map((s) => option(s, t(`web-meetings:status.${s}`), form.status))]}</select></div>
<div class="field"><label for="f-unit">${t('web-meetings:filter.unit')}</label><select id="f-unit" name="unit">${[option('', t('web-meetings:filter.unit_any'), form.unit), ...units.map((u) => option(u.id, indentedName(u), form.unit))]}</select></div>
<p class="actions"><button type="submit" class="primary">${t('web-meetings:filter.apply')}</button> <a href="/web/meetings">${t('web-meetings:filter.reset')}</a></p>
</fieldset></form>`;
}

/** The list page's body. */
export function listBody(ctx: WebContext, o: { form: MeetingFilterForm; units: UnitOption[]; views: MeetingView[]; more: boolean; problems: string[] }): SafeHtml {
  const t = ctx.t;
  const td = (label: string, v: SafeHtml | string) => html`<td data-label="${label}">${v}</td>`;
  const rows = o.views.map(
    (v) => html`<tr data-meeting="${v.m._id}">${td(t('web-meetings:col.meeting'), html`<a href="/web/meetings/${v.m._id}">${v.m.topic}</a><br><small>${v.m._id}</small>`)}${td(t('web-meetings:col.unit'), v.unit)}${td(
      t('web-meetings:col.status'),
      html`<span data-status="${v.m.status}">${statusText(t, v)}</span>`,
    )}${td(
      t('web-meetings:col.slots'),
      html`<ul class="slot-counts">${v.m.slots.map((s, i) => html`<li data-slot="${i}" data-count="${v.counts[i] ?? 0}">${t('web-meetings:slot_count', { slot: slotText(t, s), count: v.counts[i] ?? 0 })}</li>`)}</ul><small data-voters="${v.voters}">${t('web-meetings:voters', { count: v.voters })}</small>`,
    )}${td(t('web-meetings:col.fixed'), fixedText(ctx, v))}${td(t('web-meetings:col.attendance'), attendanceText(ctx, v))}</tr>`,
  );
  const table = rows.length
    ? html`<div class="table-wrap"><table class="audit meetings"><caption>${t('web-meetings:times_note')}</caption><thead><tr><th scope="col">${t('web-meetings:col.meeting')}</th><th scope="col">${t('web-meetings:col.unit')}</th><th scope="col">${t('web-meetings:col.status')}</th><th scope="col">${t('web-meetings:col.slots')}</th><th scope="col">${t('web-meetings:col.fixed')}</th><th scope="col">${t('web-meetings:col.attendance')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">${t('web-meetings:empty')}</p>`;
  return html`<p class="intro">${t('web-meetings:intro')}</p>
${o.problems.map((p) => html`<p class="problem" role="alert">${p}</p>`)}
${filterForm(ctx, o.form, o.units)}
${table}
${o.more ? html`<p>${t('web-meetings:more', { count: o.views.length })}</p>` : ''}`;
}

/** One meeting's page: facts, votes per slot, attendance, and the fix and cancel forms. */
export function detailBody(ctx: WebContext, v: MeetingView, o: { notice?: string; problem?: string } = {}): SafeHtml {
  const t = ctx.t;
  const m = v.m;
  const fact = (label: string, value: SafeHtml | string | number) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const c = m.counts;
  const slotRows = m.slots.map(
    (s, i) =>
      html`<tr data-slot="${i}"><th scope="row">${slotText(t, s)}${m.fixedSlot === i && m.status === 'fixed' ? html` <span class="badge">${t('web-meetings:chosen')}</span>` : ''}</th><td data-count="${v.counts[i] ?? 0}">${v.counts[i] ?? 0}</td></tr>`,
  );
  const attendance =
    m.status !== 'fixed'
      ? ''
      : html`<section aria-labelledby="h-attendance"><h2 id="h-attendance">${t('web-meetings:attendance')}</h2>${
          v.window === 'before'
            ? html`<p>${t('web-meetings:attendance_later', { at: formatVnTime(v.start!) })}</p>`
            : html`<dl class="kpis"><div><dt>${t('web-meetings:present')}</dt><dd data-figure="present">${v.present}</dd></div><div><dt>${t('web-meetings:members')}</dt><dd data-figure="members">${v.members}</dd></div><div><dt>${t('web-meetings:rate')}</dt><dd data-figure="rate">${percent(ctx, v.rate)}</dd></div></dl>`
        }</section>`;
  const problem = o.problem ? html`<p class="problem" role="alert" id="action-problem">${o.problem}</p>` : '';
  const describedBy = o.problem ? html` aria-describedby="action-problem"` : '';
  const radio = (value: string, label: string, checked: boolean) =>
    html`<div class="field check"><input type="radio" id="f-slot-${value}" name="slot" value="${value}"${checked ? html` checked` : ''}${describedBy}><label for="f-slot-${value}">${label}</label></div>`;
  const fixForm =
    m.status === 'voting'
      ? html`<form class="compose" method="post" action="/web/meetings/${m._id}/fix">${csrfField(ctx)}<fieldset><legend>${t('web-meetings:fix_legend')}</legend>
${radio('most_voted', t('web-meetings:fix_most'), true)}
${m.slots.map((s, i) => radio(String(i), t('web-meetings:fix_slot', { slot: slotText(t, s), count: v.counts[i] ?? 0 }), false))}
<small>${t('web-meetings:fix_hint')}</small></fieldset>
<p class="actions"><button type="submit" class="primary">${t('web-meetings:fix')}</button></p></form>`
      : '';
  const cancelForm =
    m.status !== 'cancelled'
      ? html`<form class="compose" method="post" action="/web/meetings/${m._id}/cancel">${csrfField(ctx)}<fieldset><legend>${t('web-meetings:cancel_legend')}</legend>
<div class="field check"><input type="checkbox" id="f-confirm" name="confirm" required${describedBy}><label for="f-confirm">${t('web-meetings:cancel_confirm')}</label></div></fieldset>
<p class="actions"><button type="submit">${t('web-meetings:cancel')}</button></p></form>`
      : '';
  const actions = html`<section aria-labelledby="h-actions"><h2 id="h-actions">${t('web-meetings:actions')}</h2>${problem}${fixForm || cancelForm ? html`${fixForm}${cancelForm}` : html`<p>${t('web-meetings:no_actions')}</p>`}</section>`;
  return html`<p><a href="/web/meetings">${t('web-meetings:back')}</a></p>
${o.notice ? html`<p class="notice" role="status">${t(`web-meetings:done.${o.notice}`)}</p>` : ''}
<section aria-labelledby="h-facts"><h2 id="h-facts">${t('web-meetings:facts')}</h2><dl class="facts">
${fact(t('web-meetings:fact.topic'), m.topic)}
${fact(t('web-meetings:fact.id'), m._id)}
${fact(t('web-meetings:fact.unit'), v.unit)}
${fact(t('web-meetings:fact.place'), m.place)}
${fact(t('web-meetings:fact.status'), html`<strong data-status="${m.status}">${t(`web-meetings:status.${m.status}`)}</strong>`)}
${fact(t('web-meetings:fact.deadline'), formatVnTime(m.deadline))}
${m.status === 'fixed' ? fact(t('web-meetings:fact.fixed'), fixedText(ctx, v)) : ''}
${m.cancelledAt ? fact(t('web-meetings:fact.cancelled'), formatVnTime(m.cancelledAt)) : ''}
${fact(t('web-meetings:fact.invited'), c ? t('web-meetings:invited_value', { invited: c.invited, optedOut: c.optedOut, unreachable: c.unreachable, withdrawn: c.withdrawn }) : t('web-meetings:invited_pending'))}
${fact(t('web-meetings:fact.created'), formatVnTime(m.createdAt))}
</dl></section>
<section aria-labelledby="h-votes"><h2 id="h-votes">${t('web-meetings:votes')}</h2>
<p data-voters="${v.voters}">${t('web-meetings:votes_note', { count: v.voters })}</p>
<div class="table-wrap"><table class="data slots"><thead><tr><th scope="col">${t('web-meetings:col_slot')}</th><th scope="col">${t('web-meetings:col_count')}</th></tr></thead><tbody>${slotRows}</tbody></table></div></section>
${attendance}
${actions}`;
}
