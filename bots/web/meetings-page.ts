/**
 * Branch meetings in the web console, through the same service as the chat and the CLI
 * (`services.meetings`; no rule is repeated here):
 * - `GET /web/meetings`: the meetings of the units where the person may organise meetings (the
 *   service's `scopeOf`, one AccessScope check; the city level sees all), newest first, filtered
 *   by status and by unit (with the units under it; a unit outside the scope answers 404, the
 *   refusal audited), each with its slots and their vote counts, the fixed time and attendance;
 * - `GET /web/meetings/<id>`: one meeting; outside the scope the 404 page, the refusal audited as
 *   `access.denied` by the service's `mayOrganise`;
 * - `POST /web/meetings/<id>/fix` (a slot, or the most voted) and `/cancel` (with a confirmation
 *   box), CSRF-checked, calling the service's `fix` and `cancel` with the signed-in member: the
 *   service decides (its organiser roles include the secretariat within scope), and a refusal is
 *   said next to the forms in the person's language (`meetings:problem.<reason>`).
 * Counts only: who voted for what is never read.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import type { OrgUnitDoc } from '../../core/db.js';
import type { ResolvedScope } from '../../core/members/access-scope.js';
import { MeetingError } from '../../core/meetings/meeting-service.js';
import { MEETING_STATUSES, type MeetingDoc, type MeetingStatus } from '../../core/meetings/models.js';
import { csrfRefused } from './auth-routes.js';
import { notFound, PageNames, requireStaff } from './concern-views.js';
import { page } from './layout.js';
import type { UnitOption } from './unit-options.js';
import { detailBody, listBody, meetingView, type MeetingFilterForm } from './meetings-views.js';
import { csrfMatches } from './session-cookie.js';
import { webContext, type WebContext, type WebDeps } from './web-context.js';

type Form = Record<string, string | undefined>;
const HTML = 'text/html; charset=utf-8';
/** A meeting's id as it may appear in a path ("SH-7K3QX"). */
const ID_PATTERN = /^SH-[2-9A-HJ-NP-Z]{5}$/;
const LIST_LIMIT = 50;
const NOTICES = ['fixed', 'cancelled'] as const;

/** One plain string from a query value (a repeated parameter counts as its first string; an object as nothing). */
function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, 200) : '';
}

/**
 * The units the filter offers: the granted ones, and each unit with a meeting in the scope with
 * the units above it that lie in the scope (a zone, its enterprises, their branches), as a tree.
 */
async function unitOptions(app: App, ctx: WebContext, scope: ResolvedScope, meetingUnits: string[]): Promise<UnitOption[]> {
  const found = new Map<string, OrgUnitDoc>();
  const add = async (id: string) => {
    if (found.has(id) || !scope.has(id)) return;
    const u = await app.services.org.get(id, ctx.now);
    if (!u) return;
    found.set(id, u);
    for (const a of u.ancestors) await add(a);
  };
  for (const id of new Set([...scope.units, ...meetingUnits])) await add(id);
  const path = (u: OrgUnitDoc) => [...u.ancestors.filter((a) => found.has(a)).map((a) => found.get(a)!.name), u.name];
  const out = [...found.values()].map((u) => ({ id: u._id, name: u.name, path: path(u) }));
  out.sort((a, b) => {
    for (let i = 0; i < Math.min(a.path.length, b.path.length); i++) if (a.path[i] !== b.path[i]) return a.path[i]!.localeCompare(b.path[i]!, 'vi');
    return a.path.length - b.path.length;
  });
  return out.map((u) => ({ id: u.id, name: u.name, depth: u.path.length - 1 }));
}

export function registerMeetingRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const svc = () => app.services.meetings;

  /** The meeting `id` if it exists and the person may organise its unit (refusal audited); else the 404 page. */
  const inScope = async (ctx: WebContext, reply: FastifyReply, id: string, attempted: string): Promise<MeetingDoc | undefined> => {
    const m = ID_PATTERN.test(id) ? await svc().get(id) : null;
    if (!m || !(await svc().mayOrganise(ctx.staff!.member, m.unitId, ctx.now, attempted))) {
      notFound(app, ctx, reply);
      return undefined;
    }
    return m;
  };

  const sendDetail = async (ctx: WebContext, reply: FastifyReply, m: MeetingDoc, o: { notice?: string; problem?: string; code?: number } = {}) => {
    const view = await meetingView(app, m, await new PageNames(app, ctx.now).unit(m.unitId), ctx.now);
    return reply
      .code(o.code ?? 200)
      .type(HTML)
      .send(page(ctx, { title: `${ctx.t('web-meetings:detail_title')}: ${m.topic}`, current: 'meetings', languages, body: detailBody(ctx, view, o) }));
  };

  web.get<{ Querystring: Record<string, unknown> }>('/meetings', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const t = ctx.t;
    const member = ctx.staff!.member;
    const form: MeetingFilterForm = { status: one(request.query?.status), unit: one(request.query?.unit) };
    const problems: string[] = [];
    if (form.status && !(MEETING_STATUSES as readonly string[]).includes(form.status)) {
      problems.push(t('web-meetings:filter.bad_status', { value: form.status }));
      form.status = '';
    }
    const scope = await svc().scopeOf(member, ctx.now);
    const inScopeIds = scope.whole ? undefined : (scope.unitIds ?? []);
    let unitIds = inScopeIds;
    if (form.unit) {
      // A unit outside the scope is refused as a meeting of it would be (audited), with the 404 page.
      if (!(await svc().mayOrganise(member, form.unit, ctx.now, 'web.meetings'))) return notFound(app, ctx, reply);
      const under = await app.services.org.idsUnder([form.unit], ctx.now);
      if (under.length === 0) problems.push(t('web-meetings:filter.unknown_unit', { value: form.unit }));
      unitIds = scope.whole ? under : under.filter((id) => scope.has(id));
    }
    const statuses = form.status ? [form.status as MeetingStatus] : undefined;
    const found = await svc().store.list({ unitIds, statuses, limit: LIST_LIMIT + 1 });
    const names = new PageNames(app, ctx.now);
    const views = await Promise.all(found.slice(0, LIST_LIMIT).map(async (m) => meetingView(app, m, await names.unit(m.unitId), ctx.now)));
    const units = await unitOptions(app, ctx, scope, [...(await svc().store.list({ unitIds: inScopeIds })).map((m) => m.unitId), ...(unitIds?.length ? [form.unit] : [])]);
    const body = listBody(ctx, { form, units, views, more: found.length > LIST_LIMIT, problems });
    return reply.type(HTML).send(page(ctx, { title: t('web-meetings:title'), current: 'meetings', languages, body }));
  });

  web.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/meetings/:id', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!requireStaff(app, ctx, reply)) return reply;
    const m = await inScope(ctx, reply, request.params.id, 'web.meeting');
    if (!m) return reply;
    const done = one(request.query?.done);
    return sendDetail(ctx, reply, m, { notice: (NOTICES as readonly string[]).includes(done) ? done : undefined });
  });

  for (const action of ['fix', 'cancel'] as const) {
    web.post<{ Params: { id: string }; Body: Form }>(`/meetings/:id/${action}`, async (request, reply) => {
      const ctx = await webContext(deps, request, reply);
      if (!requireStaff(app, ctx, reply)) return reply;
      if (!csrfMatches(ctx.session, request.body?._csrf)) return csrfRefused(deps, ctx, reply);
      const m = await inScope(ctx, reply, request.params.id, `web.meeting.${action}`);
      if (!m) return reply;
      const by = { member: ctx.staff!.member };
      try {
        if (action === 'fix') {
          const slot = request.body?.slot;
          // "most_voted", or a slot's index; anything else reaches the service as no slot at all (it says which exist).
          await svc().fix(m._id, slot === 'most_voted' ? 'most_voted' : /^\d{1,2}$/.test(slot ?? '') ? Number(slot) : -1, by, ctx.now);
        } else {
          if (request.body?.confirm !== 'on') return sendDetail(ctx, reply, m, { problem: ctx.t('web-meetings:cancel_needs_confirm'), code: 422 });
          await svc().cancel(m._id, by, ctx.now);
        }
      } catch (err) {
        if (!(err instanceof MeetingError)) throw err;
        if (err.reason === 'not_allowed' || err.reason === 'not_found') return notFound(app, ctx, reply);
        return sendDetail(ctx, reply, (await svc().get(m._id)) ?? m, { problem: ctx.t(`meetings:problem.${err.reason}`, err.vars), code: 409 });
      }
      return reply.code(303).header('location', `/web/meetings/${m._id}?done=${action === 'fix' ? 'fixed' : 'cancelled'}`).send();
    });
  }
}
