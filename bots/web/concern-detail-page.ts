/**
 * One concern (`GET /web/concerns/<code>`): its facts, deadlines and state, what was reported,
 * the cadre in charge and the timeline, in Vietnam time; only inside the person's scope (404 and
 * `access.denied` otherwise).
 *
 * The reporter: an anonymous one is never shown — the page does not read the sealed record for
 * a name at all. A named one (or one who consented for this concern) is shown only after an
 * explicit `POST /web/concerns/<code>/reporter` with the CSRF token, through the reporter vault's
 * one rule for showing a reporter's name (`ReporterVault.nameForCadre`, as the cadre's chat
 * does), which audits every view as `concern.reporter.viewed`; the name is never in a URL.
 *
 * A flagged concern (nobody eligible) can be given to a cadre (`POST …/assign`): the cadres
 * offered and the rules are those of the chat (`ConcernService.placementTargets` /
 * `placeFlagged`, audited as `concern.placed`); the cadre is told through the delivery queues.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { slaState } from '../../core/concerns/concern-reader.js';
import { ConcernStateError } from '../../core/concerns/errors.js';
import { eventLabelKey, OPEN_STATUSES, type ConcernDoc, type ConcernEvent } from '../../core/concerns/models.js';
import { deliverNotices } from '../../core/concerns/notices.js';
import { formatVnTime } from '../../core/vn-time.js';
import { csrfRefused } from './auth-routes.js';
import { categoryLabel, concernInScope, PageNames, requireStaff, slaLabel, statusLabel } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;

/** What the page shows besides the concern: a revealed name, the outcome of an assignment. */
interface DetailExtras {
  /** After the audited POST: the name, or null when none can be shown. */
  reporterName?: string | null;
  notice?: 'assigned';
  problem?: 'assign_failed';
}

const TEXT_EVENTS = new Set<ConcernEvent['kind']>(['replied', 'asked', 'answered', 'note', 'resolved', 'reopened']);

async function actorName(t: WebContext['t'], names: PageNames, actor: string): Promise<string> {
  if (actor === 'reporter') return t('web:concern.actor_reporter');
  if (actor === 'system' || actor.startsWith('system:')) return t('web:concern.actor_system');
  return names.member(actor);
}

async function timelineItem(ctx: WebContext, names: PageNames, e: ConcernEvent): Promise<SafeHtml> {
  const t = ctx.t;
  const vars = {
    actor: await actorName(t, names, e.actor),
    assignee: e.assigneeId ? await names.member(e.assigneeId) : '',
    level: (e.level ?? 0) + 1,
    unit: e.unitId ? await names.unit(e.unitId) : '',
    rating: e.text ?? '',
    assistant: e.assistantId ? await names.member(e.assistantId) : '',
  };
  let key = eventLabelKey(e);
  // Joint handling: a note or reply by an assisting cadre says so.
  if (e.assisting) key = `${e.kind}_assist`;
  if (e.kind === 'assigned' && e.actor !== 'system') key = 'assigned_by';
  if (e.kind === 'escalated' && e.actor.startsWith('system')) key = 'escalated_sla';
  const text = TEXT_EVENTS.has(e.kind) && e.text ? html`<blockquote>${e.text}</blockquote>` : '';
  const missed = e.deadline ? html` <small>(${t('web:concern.missed_deadline', { due: formatVnTime(new Date(e.deadline)) })})</small>` : '';
  return html`<li class="event ${e.kind}${e.internal ? ' internal' : ''}"><time datetime="${new Date(e.at).toISOString()}">${formatVnTime(new Date(e.at))}</time> <span class="what">${t(`web:concern.event.${key}`, vars)}</span>${missed}${e.internal ? html` <small class="tag">${t('web:concern.internal')}</small>` : ''}${text}</li>`;
}

async function assignSection(app: App, ctx: WebContext, c: ConcernDoc, names: PageNames): Promise<SafeHtml | ''> {
  if (!c.flagged || !OPEN_STATUSES.includes(c.status)) return '';
  const t = ctx.t;
  const targets = await app.services.concerns.placementTargets(c._id, ctx.now);
  if (targets.length === 0) return html`<section class="assign" aria-labelledby="h-assign"><h2 id="h-assign">${t('web:concern.assign')}</h2><p>${t('web:concern.assign_none')}</p></section>`;
  const options: SafeHtml[] = [];
  for (const x of targets) {
    const label = t('web:concern.assign_target', { name: x.name, organisation: t(`secretariat:organisation.${x.organisation}`), unit: await names.unit(x.unitId) });
    options.push(html`<option value="${x.memberId}">${label}</option>`);
  }
  return html`<section class="assign" aria-labelledby="h-assign"><h2 id="h-assign">${t('web:concern.assign')}</h2>
<p>${t('web:concern.assign_intro')}</p>
<form method="post" action="/web/concerns/${c._id}/assign">${csrfField(ctx)}
<div class="field"><label for="f-cadre">${t('web:concern.assign_cadre')}</label><select id="f-cadre" name="cadre" required>${options}</select></div>
<p><button type="submit" class="primary">${t('web:concern.assign_button')}</button></p>
</form></section>`;
}

async function reporterSection(app: App, ctx: WebContext, c: ConcernDoc, extras: DetailExtras): Promise<SafeHtml> {
  const t = ctx.t;
  const head = html`<h2 id="h-reporter">${t('web:concern.reporter')}</h2>`;
  // Whether the reporter stays hidden (anonymous, no consent): reads no identity.
  if (await app.services.concerns.vault.isSealed(c._id)) return html`<section class="reporter" aria-labelledby="h-reporter">${head}<p>${t('web:concern.reporter_anonymous')}</p></section>`;
  if (extras.reporterName !== undefined) {
    const shown = extras.reporterName === null ? html`<p>${t('web:concern.reporter_unavailable')}</p>` : html`<p class="revealed"><strong>${t('web:concern.reporter_name', { name: extras.reporterName })}</strong></p><p><small>${t('web:concern.reporter_logged')}</small></p>`;
    return html`<section class="reporter" aria-labelledby="h-reporter">${head}${shown}</section>`;
  }
  return html`<section class="reporter" aria-labelledby="h-reporter">${head}<p>${t('web:concern.reporter_named')}</p>
<form method="post" action="/web/concerns/${c._id}/reporter">${csrfField(ctx)}<button type="submit">${t('web:concern.reporter_show')}</button></form></section>`;
}

/** The body of a concern's page. */
async function detailBody(app: App, ctx: WebContext, c: ConcernDoc, extras: DetailExtras): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const when = (d: Date | undefined) => (d ? html`<time datetime="${new Date(d).toISOString()}">${formatVnTime(new Date(d))}</time>` : '—');
  const sla = slaState(c, ctx.now);
  const fact = (label: string, value: SafeHtml | string) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const unit = (await app.services.org.describe(c.orgUnitId, ctx.now)) ?? c.orgUnitId;
  const events: SafeHtml[] = [];
  for (const e of c.events) events.push(await timelineItem(ctx, names, e));
  const notice = extras.notice ? html`<p class="notice" role="status">${t(`web:concern.${extras.notice}`)}</p>` : '';
  const problem = extras.problem ? html`<p class="problem" role="alert">${t(`web:concern.${extras.problem}`)}</p>` : '';
  return html`<p><a href="/web/concerns">${t('web:concern.back')}</a></p>
${notice}${problem}
<section class="facts" aria-labelledby="h-facts"><h2 id="h-facts">${t('web:concern.facts')}</h2>
<dl class="facts">
${fact(t('web:concern.code'), html`<code>${c._id}</code>`)}
${fact(t('web:concern.category'), categoryLabel(t, c.category))}
${fact(t('web:concern.status'), html`${statusLabel(t, c.status)}${c.flagged ? html` <strong class="badge">${t('web:concerns.flagged_badge')}</strong>` : ''}`)}
${fact(t('web:concern.urgency'), c.urgent ? html`<strong class="badge urgent">${t('web:concerns.urgent')}</strong> ${t('web:concern.urgent')}` : t('web:concern.normal'))}
${fact(t('web:concern.unit'), unit)}
${fact(t('web:concern.level'), t('web:concern.level_value', { level: c.level + 1, unit: await names.unit(c.levelUnitId) }))}
${fact(t('web:concern.assignee'), c.assigneeId ? await names.member(c.assigneeId) : t('web:concern.nobody'))}
${fact(t('web:concern.created'), when(c.createdAt))}
${fact(t('web:concern.first_response_due'), when(c.firstResponseDue))}
${fact(t('web:concern.responded'), when(c.respondedAt ?? c.firstResponseAt))}
${fact(t('web:concern.resolution_due'), when(c.resolutionDue))}
${fact(t('web:concern.resolved'), when(c.resolvedAt))}
${fact(t('web:concern.sla'), html`<span class="sla${sla.kind.startsWith('overdue') ? ' late' : ''}">${slaLabel(t, sla)}</span>`)}
${fact(t('web:concern.photos'), c.photos && !c.redactedAt ? t('web:concern.photos_value', { count: c.photos }) : t('web:concern.photos_none'))}
${c.rating ? fact(t('web:concern.rating'), t('web:concern.rating_value', { rating: c.rating })) : ''}
</dl></section>
<section class="description" aria-labelledby="h-description"><h2 id="h-description">${t('web:concern.description')}</h2>
${c.redactedAt ? html`<p><em>${t('web:concern.redacted')}</em></p>` : html`<blockquote>${c.description}</blockquote>`}
${c.summary ? html`<h3>${t('web:concern.summary')}</h3><blockquote>${c.summary}</blockquote>` : ''}
</section>
${await reporterSection(app, ctx, c, extras)}
${await assignSection(app, ctx, c, names)}
<section class="timeline" aria-labelledby="h-timeline"><h2 id="h-timeline">${t('web:concern.timeline')}</h2>
<ol class="timeline">${events}</ol></section>`;
}

export function registerConcernDetailRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const send = async (ctx: WebContext, reply: FastifyReply, c: ConcernDoc, extras: DetailExtras, code = 200) =>
    reply
      .code(code)
      .type('text/html; charset=utf-8')
      .send(page(ctx, { title: ctx.t('web:concern.title', { code: c._id }), current: 'concerns', languages, body: await detailBody(app, ctx, c, extras) }));

  web.get<{ Params: { code: string }; Querystring: Record<string, unknown> }>('/concerns/:code', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const c = await concernInScope(app, ctx, reply, request.params.code, 'web.concern');
    if (!c) return reply;
    return send(ctx, reply, c, request.query?.assigned === '1' ? { notice: 'assigned' } : {});
  });

  web.post<{ Params: { code: string }; Body: Form }>('/concerns/:code/reporter', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const c = await concernInScope(app, ctx, reply, request.params.code, 'web.concern.reporter');
    if (!c) return reply;
    // The one rule for showing a reporter's name: only named or consented, every view audited
    // (concern.reporter.viewed); anonymous gives undefined and reads nothing. Each press is its own view.
    const name = await app.services.concerns.vault.nameForCadre(c._id, ctx.staff!.member._id, ctx.now, `web:${randomUUID()}`);
    return send(ctx, reply, c, { reporterName: name ?? null });
  });

  web.post<{ Params: { code: string }; Body: Form }>('/concerns/:code/assign', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
    const c = await concernInScope(app, ctx, reply, request.params.code, 'web.concern.assign');
    if (!c) return reply;
    const cadre = typeof request.body?.cadre === 'string' ? request.body.cadre : '';
    try {
      // The chat's rule and service call (flows/secretariat-concerns.ts): only cadres placementTargets offers.
      const notices = await app.services.concerns.placeFlagged(ctx.staff!.member._id, c._id, cadre, ctx.now);
      await deliverNotices(app.services.contacts, app.outbox, notices);
    } catch (err) {
      if (!(err instanceof ConcernStateError)) throw err;
      return send(ctx, reply, (await app.services.concerns.get(c._id)) ?? c, { problem: 'assign_failed' }, 409);
    }
    return reply.code(303).header('location', `/web/concerns/${c._id}?assigned=1`).send();
  });
}
