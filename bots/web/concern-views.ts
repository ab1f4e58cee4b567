/**
 * What the concerns list and a concern's page share: who may open them (signed-in staff; a
 * concern only inside their scope, refusals audited, answered 404), how a status, a deadline
 * state and an age read, and names of units and staff looked up once per page. Never a
 * reporter: nothing here reads the sealed reporter records.
 */
import type { FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { type SlaState } from '../../core/concerns/concern-reader.js';
import type { ConcernDoc } from '../../core/concerns/models.js';
import type { Translate } from '../../core/i18n.js';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { formatVnTime } from '../../core/vn-time.js';
import { signInPage } from './home-page.js';
import { messagePage } from './layout.js';
import type { WebContext } from './web-context.js';

const HTML = 'text/html; charset=utf-8';

/** A concern's reference code as it may appear in a path ("PA-7K3Q", six characters after a clash). */
export const CODE_PATTERN = /^PA-[2-9A-Z]{4}(?:[2-9A-Z]{2})?$/;

/** The 404 page (also what a refusal of scope answers, so nothing leaks). */
export function notFound(app: App, ctx: WebContext, reply: FastifyReply): FastifyReply {
  return reply.code(404).type(HTML).send(messagePage(ctx, { title: ctx.t('web:errors.not_found_title'), message: ctx.t('web:errors.not_found'), languages: app.services.i18n.languages }));
}

/** Whether the person is signed-in staff; otherwise the sign-in page (or "session ended") is already sent. */
export function requireStaff(app: App, ctx: WebContext, reply: FastifyReply): boolean {
  if (ctx.staff) return true;
  reply.code(ctx.ended ? 403 : 401).type(HTML).send(signInPage(ctx, app.services.i18n.languages));
  return false;
}

/**
 * The concern `code` if it exists and its concerned unit lies in the person's scope (the one
 * check, `AccessScope.allows`, audited as `access.denied` when it refuses); otherwise the 404
 * page is sent and undefined returned.
 */
export async function concernInScope(app: App, ctx: WebContext, reply: FastifyReply, code: string, attempted: string): Promise<ConcernDoc | undefined> {
  const c = CODE_PATTERN.test(code) ? await app.services.concerns.get(code) : null;
  if (!c || !(await app.services.access.allows(ctx.staff!.member, STAFF_ROLES, c.orgUnitId, ctx.now, attempted))) {
    notFound(app, ctx, reply);
    return undefined;
  }
  return c;
}

/** A status as staff read it. */
export const statusLabel = (t: Translate, status: string) => t(`web:concerns.statuses.${status}`);

/** A category's name (the one the worker chose from). */
export const categoryLabel = (t: Translate, category: string) => t(`concern:category.${category}`);

/** Where a concern stands against its deadlines, in words with Vietnam times. */
export const slaLabel = (t: Translate, s: SlaState) => t(`web:concerns.sla.${s.kind}`, { due: 'due' in s ? formatVnTime(s.due) : '' });

/** How long ago: minutes under an hour, hours under two days, then days. */
export function ageLabel(t: Translate, from: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - new Date(from).getTime()) / 60_000);
  if (minutes < 1) return t('web:concerns.age_just_now');
  if (minutes < 60) return t('web:concerns.age_minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('web:concerns.age_hours', { count: hours });
  return t('web:concerns.age_days', { count: Math.floor(hours / 24) });
}

/** Names of units and staff members for one page, each looked up once. */
export class PageNames {
  private readonly units = new Map<string, Promise<string>>();
  private readonly members = new Map<string, Promise<string>>();
  constructor(private readonly app: App, private readonly now: Date) {}

  /** A unit's name (its id when it is no longer in the tree). */
  unit(id: string): Promise<string> {
    let p = this.units.get(id);
    if (!p) this.units.set(id, (p = this.app.services.org.get(id, this.now).then((u) => u?.name ?? id)));
    return p;
  }

  /** A staff member's (cadre's, secretariat member's) name. Never called with a reporter: concern documents name none. */
  member(id: string): Promise<string> {
    let p = this.members.get(id);
    if (!p) this.members.set(id, (p = this.app.services.members.get(id).then((m) => m?.displayName ?? id)));
    return p;
  }
}
