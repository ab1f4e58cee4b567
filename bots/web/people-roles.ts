/**
 * Granting and revoking roles within one's scope, through the CLI's own change
 * (core/members/role-change.ts `changeRole`: the write, the cadre's assignments ended, the audit):
 * - `GET /web/people/roles[?q=]`: members of the scope found by member id or name (never a phone
 *   number or a chat id), with their unit and roles;
 * - `GET /web/people/roles/<member id>`: their roles and grants, a revoke button for each the
 *   person may revoke, and the grant form (roles up to their own, units of their scope);
 * - `POST …/grant`, `POST …/revoke` (CSRF). A member outside the scope, or a unit outside it,
 *   answers 404 and is audited (`access.denied`); a role above the person's own is refused in
 *   words, audited too. The changed member's next request sees the change (web-context.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { ORGANISATIONS, type Organisation } from '../../core/concerns/models.js';
import { deliverNotices } from '../../core/concerns/notices.js';
import { ROLES, type MemberDoc, type Role } from '../../core/db.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { changeRole, mayGrant } from '../../core/members/role-change.js';
import { isScopedRole } from '../../core/members/role-grants.js';
import { csrfRefused } from './auth-routes.js';
import { notFound, PageNames } from './concern-views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { HTML, peopleAllowed } from './people-views.js';
import { scopeUnitOptions, unitSelectOptions } from './unit-options.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const MEMBER_ID = /^[A-Za-z0-9_.:-]{1,80}$/;
const MAX_RESULTS = 30;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Members of the scope whose id is `q` or whose name contains it (case-insensitive). */
async function search(app: App, ctx: WebContext, q: string): Promise<MemberDoc[]> {
  const scope = ctx.staff!.scope;
  const where = scope.whole ? {} : { orgUnitId: { $in: scope.unitIds ?? [] } };
  const found = await app.models.Member.find({ status: 'active', ...where, $or: [{ _id: q }, { displayName: { $regex: escapeRegex(q), $options: 'i' } }] }, { displayName: 1, orgUnitId: 1, roles: 1, grants: 1, status: 1 })
    .limit(MAX_RESULTS)
    .lean<MemberDoc[]>();
  return found.sort((a, b) => (a.displayName ?? a._id).localeCompare(b.displayName ?? b._id, 'vi'));
}

async function searchBody(app: App, ctx: WebContext, q: string, results: MemberDoc[] | undefined): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const label = (k: string) => t(`web-people:roles.${k}`);
  const form = html`<form method="get" action="/web/people/roles" class="filters"><div class="field"><label for="f-q">${label('search')}</label><input type="search" id="f-q" name="q" value="${q}" maxlength="80" autocomplete="off"></div><p class="actions"><button type="submit">${label('find')}</button></p></form>`;
  let list: SafeHtml | string = '';
  if (results && !results.length) list = html`<p>${label('no_results')}</p>`;
  else if (results) {
    const rows: SafeHtml[] = [];
    for (const m of results) {
      rows.push(
        html`<tr data-member="${m._id}"><td data-label="${label('col_name')}"><a href="/web/people/roles/${encodeURIComponent(m._id)}">${m.displayName ?? m._id}</a></td><td data-label="${label('col_id')}"><code>${m._id}</code></td><td data-label="${label('col_unit')}">${m.orgUnitId ? await names.unit(m.orgUnitId) : ''}</td><td data-label="${label('col_roles')}">${m.roles.map((r) => t(`web:roles.${r}`)).join(', ')}</td></tr>`,
      );
    }
    list = html`<div class="table-wrap"><table class="audit members"><thead><tr><th scope="col">${label('col_name')}</th><th scope="col">${label('col_id')}</th><th scope="col">${label('col_unit')}</th><th scope="col">${label('col_roles')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  }
  return html`<p><a href="/web/people">${t('web-people:hub.title')}</a></p><p>${label('intro')}</p>${form}${list}`;
}

async function memberBody(app: App, ctx: WebContext, m: MemberDoc, o: { notice?: string; problem?: string }): Promise<SafeHtml> {
  const t = ctx.t;
  const names = new PageNames(app, ctx.now);
  const label = (k: string) => t(`web-people:roles.${k}`);
  const me = ctx.staff!.member;
  const scope = ctx.staff!.scope;
  const revoke = (role: Role, unit?: string, organisation?: string) =>
    html`<form method="post" action="/web/people/roles/${encodeURIComponent(m._id)}/revoke" class="inline">${csrfField(ctx)}<input type="hidden" name="role" value="${role}">${unit ? html`<input type="hidden" name="unit" value="${unit}">` : ''}${organisation ? html`<input type="hidden" name="organisation" value="${organisation}">` : ''}<button type="submit">${label('revoke')}</button></form>`;
  const held: SafeHtml[] = [];
  for (const g of m.grants ?? []) {
    const text = g.organisation ? t('web-people:roles.at_org', { role: t(`web:roles.${g.role}`), unit: await names.unit(g.unitId), organisation: t(`review:organisation.${g.organisation}`) }) : t('web-people:roles.at', { role: t(`web:roles.${g.role}`), unit: await names.unit(g.unitId) });
    held.push(html`<li data-grant="${g.role}:${g.unitId}">${text} ${mayGrant(me.roles, g.role) && scope.has(g.unitId) ? revoke(g.role, g.unitId, g.organisation) : ''}</li>`);
  }
  for (const r of m.roles.filter((r) => !(m.grants ?? []).some((g) => g.role === r))) {
    held.push(html`<li data-role="${r}">${t(`web:roles.${r}`)} ${r !== 'worker' && mayGrant(me.roles, r) && !isScopedRole(r) ? revoke(r) : ''}</li>`);
  }
  const roleOptions = ROLES.filter((r) => mayGrant(me.roles, r)).map((r) => html`<option value="${r}">${t(`web:roles.${r}`)}</option>`);
  const units = await scopeUnitOptions(app, ctx);
  const orgOptions = [html`<option value="">${label('any_organisation')}</option>`, ...ORGANISATIONS.map((x) => html`<option value="${x}">${t(`review:organisation.${x}`)}</option>`)];
  return html`<p><a href="/web/people/roles">${label('back')}</a></p>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}${o.problem ? html`<p class="problem" role="alert">${o.problem}</p>` : ''}
<dl class="facts"><dt>${label('col_id')}</dt><dd><code>${m._id}</code></dd><dt>${label('col_unit')}</dt><dd>${m.orgUnitId ? await names.unit(m.orgUnitId) : ''}</dd></dl>
<section aria-labelledby="h-held"><h2 id="h-held">${label('held')}</h2><ul class="grants">${held}</ul></section>
<section aria-labelledby="h-grant"><h2 id="h-grant">${label('grant_title')}</h2>
<form method="post" action="/web/people/roles/${encodeURIComponent(m._id)}/grant" class="compose">${csrfField(ctx)}
<div class="field"><label for="f-role">${label('role')}</label><select id="f-role" name="role">${roleOptions}</select></div>
<div class="field"><label for="f-unit">${label('grant_unit')}</label><select id="f-unit" name="unit">${unitSelectOptions(units, m.orgUnitId ?? '')}</select></div>
<div class="field"><label for="f-organisation">${label('organisation')}</label><select id="f-organisation" name="organisation">${orgOptions}</select></div>
<p class="actions"><button type="submit" class="primary">${label('grant')}</button></p></form></section>`;
}

export function registerRoleRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const title = (ctx: WebContext, m?: MemberDoc) => (m ? ctx.t('web-people:roles.member_title', { name: m.displayName ?? m._id }) : ctx.t('web-people:roles.title'));
  /** The member `id` if active and held in the scope (their unit; refusal audited); else the 404 page. */
  const inScope = async (ctx: WebContext, reply: FastifyReply, id: string, attempted: string) => {
    const m = MEMBER_ID.test(id) ? await app.models.Member.findById(id).lean<MemberDoc>() : null;
    if (!m || m.status !== 'active' || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, m.orgUnitId, ctx.now, attempted))) {
      notFound(app, ctx, reply);
      return undefined;
    }
    return m;
  };
  const sendMember = async (ctx: WebContext, reply: FastifyReply, m: MemberDoc, o: { notice?: string; problem?: string } = {}, code = 200) =>
    reply.code(code).type(HTML).send(page(ctx, { title: title(ctx, m), current: 'people', languages, body: await memberBody(app, ctx, m, o) }));

  web.get<{ Querystring: Record<string, unknown> }>('/people/roles', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    const raw = request.query?.q;
    const q = typeof raw === 'string' ? raw.trim().slice(0, 80) : '';
    const results = q ? await search(app, ctx, q) : undefined;
    return reply.type(HTML).send(page(ctx, { title: title(ctx), current: 'people', languages, body: await searchBody(app, ctx, q, results) }));
  });

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/people/roles/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    const m = await inScope(ctx, reply, request.params.id, 'web.roles');
    if (!m) return reply;
    const done = request.query?.done;
    return sendMember(ctx, reply, m, { notice: done === 'granted' || done === 'revoked' ? ctx.t(`web-people:roles.${done}`) : undefined });
  });

  for (const action of ['grant', 'revoke'] as const) {
    web.post<{ Params: { id: string }; Body: Form }>(`/people/roles/:id/${action}`, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!peopleAllowed(app, ctx, reply)) return reply;
      const body = request.body ?? {};
      if (!csrfMatches(ctx.session, body._csrf)) return csrfRefused(deps, ctx, reply);
      const m = await inScope(ctx, reply, request.params.id, `web.roles.${action}`);
      if (!m) return reply;
      const me = ctx.staff!.member;
      const role = (ROLES as readonly string[]).includes(body.role ?? '') ? (body.role as Role) : undefined;
      // Being a worker is the member's own (they joined); it is not taken away here.
      if (!role || (action === 'revoke' && role === 'worker')) return sendMember(ctx, reply, m, { problem: ctx.t('web-people:roles.bad_role') }, 422);
      const unit = typeof body.unit === 'string' && body.unit !== '' ? body.unit : undefined;
      const organisation = (ORGANISATIONS as readonly string[]).includes(body.organisation ?? '') ? (body.organisation as Organisation) : undefined;
      if (!mayGrant(me.roles, role)) {
        await app.services.audit.record({ actor: me._id, action: 'access.denied', target: m._id, details: { role, attempted: `web.roles.${action}`, reason: 'role above own' }, at: ctx.now });
        return sendMember(ctx, reply, m, { problem: ctx.t('web-people:roles.refused_rank') }, 403);
      }
      // A grant is held at a unit of the scope; a revoke of a scoped role names the grant's unit (the whole tree's grants are not this person's to drop).
      const needsUnit = action === 'grant' || isScopedRole(role);
      if (needsUnit && !unit) return sendMember(ctx, reply, m, { problem: ctx.t('web-people:roles.refused_unit') }, 422);
      if (unit && !(await app.services.access.allows(me, STAFF_ROLES, unit, ctx.now, `web.roles.${action}`))) return notFound(app, ctx, reply);
      const result = await changeRole({ models: app.models, audit: app.services.audit, revokeCadreRole: (id, at) => app.services.concerns.revokeCadreRole(id, at) }, m, { role, unitId: unit, organisation, revoke: action === 'revoke' }, me._id, ctx.now);
      if (result.cadreEnded) {
        await deliverNotices(app.services.contacts, app.outbox, result.cadreEnded.notices);
        const fresh = (await app.models.Member.findById(m._id).lean<MemberDoc>()) ?? m;
        return sendMember(ctx, reply, fresh, { notice: ctx.t('web-people:roles.cadre_ended', { ended: result.cadreEnded.ended, rerouted: result.cadreEnded.rerouted }) });
      }
      return reply.code(303).header('location', `/web/people/roles/${encodeURIComponent(m._id)}?done=${action === 'grant' ? 'granted' : 'revoked'}`).send();
    });
  }
}
