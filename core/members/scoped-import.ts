/**
 * An import started from the web console (members, cadre assignments, the org tree), with the
 * CLI's importers exactly (core/members/member-import.ts, core/concerns/cadre-import.ts,
 * core/org/org-import.ts) and the importer's scope on top: a row whose unit lies outside the
 * person's scope is rejected with a reason, as is a row giving a role above their own or
 * rewriting a member held elsewhere; the org tree is the city level's only. Refusals are audited
 * as one `access.denied` per import (with the count of rows), the import as the CLI audits it,
 * with the person as actor. Run in the background by workers/import-jobs.ts.
 */
import { importCadres, parseCadreCsv } from '../concerns/cadre-import.js';
import { deliverNotices } from '../concerns/notices.js';
import { categoryIds } from '../concerns/policy.js';
import type { MemberDoc, Models } from '../db.js';
import type { Services } from '../engine/services.js';
import type { Clock, Outbox } from '../engine/types.js';
import { isStaff } from '../web-access/web-sign-in.js';
import { STAFF_ROLES, type ResolvedScope } from './access-scope.js';
import { importMembers, parseMemberCsv, type MemberRow, type RowProblem } from './member-import.js';
import { mayGrant } from './role-change.js';
import { importOrgTree, parseOrgFile } from '../org/org-import.js';

export const IMPORT_KINDS = ['members', 'cadres', 'org'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** An import asked for: what, by whom, and the file's text. */
export interface ImportRequest {
  kind: ImportKind;
  /** Who imports: their scope is read again when the job runs. */
  actorId: string;
  /** The file's text. */
  content: string;
  format: 'csv' | 'json';
}

/**
 * A row left out. `reason` is the importer's own words (as the CLI prints them); `key` names one
 * of this page's reasons (scope, roles), with `params`, said in the reader's language.
 */
export interface ImportRejection {
  line: number;
  reason?: string;
  /** The importer's reason as codes, when it gives them (members, cadres): said in the reader's language. */
  problems?: RowProblem[];
  key?: 'out_of_scope' | 'role_above' | 'member_elsewhere' | 'org_city_only' | 'not_staff';
  params?: Record<string, string>;
}

/** What an import did. */
export interface ImportOutcome {
  kind: ImportKind;
  /** Rows read from the file (valid or not). */
  rows: number;
  created: number;
  updated: number;
  unchanged?: number;
  /** Cadre assignments ended, concerns re-routed. */
  ended?: number;
  rerouted?: number;
  rejected: ImportRejection[];
  warnings: ImportRejection[];
}

/** What running an import needs. */
export interface ImportDeps {
  models: Models;
  services: Pick<Services, 'access' | 'concerns' | 'audit' | 'keys' | 'contacts'>;
  outbox: Outbox;
  clock: Clock;
}

const byLine = (a: ImportRejection, b: ImportRejection) => a.line - b.line;

/** Whether an existing member may be rewritten by an importer of `scope`: held (unit and grants) inside it. */
const heldInside = (m: Pick<MemberDoc, 'orgUnitId' | 'grants'>, scope: ResolvedScope) => scope.has(m.orgUnitId) && (m.grants ?? []).every((g) => scope.has(g.unitId));

/** The member rows the importer may write; the others rejected with why. */
async function membersInScope(d: ImportDeps, rows: MemberRow[], actor: MemberDoc, scope: ResolvedScope): Promise<{ rows: MemberRow[]; rejected: ImportRejection[] }> {
  const ok: MemberRow[] = [];
  const rejected: ImportRejection[] = [];
  for (const r of rows) {
    if (!scope.has(r.orgUnitId)) rejected.push({ line: r.line, key: 'out_of_scope', params: { unit: r.orgUnitId } });
    else if (!r.roles.every((role) => mayGrant(actor.roles, role))) rejected.push({ line: r.line, key: 'role_above', params: { roles: r.roles.join(', ') } });
    else {
      if (!scope.whole) {
        // Someone already known: rewriting their roles and unit needs them to be held inside the scope.
        const identity = await d.models.ChannelIdentity.findById(`${r.channel}:${r.platformUserId}`, { memberId: 1 }).lean();
        const existing = identity?.memberId ? await d.models.Member.findById(identity.memberId, { orgUnitId: 1, grants: 1, roles: 1, status: 1 }).lean() : null;
        if (existing?.status === 'active' && (!heldInside(existing, scope) || !existing.roles.every((role) => mayGrant(actor.roles, role)))) {
          rejected.push({ line: r.line, key: 'member_elsewhere' });
          continue;
        }
      }
      ok.push(r);
    }
  }
  return { rows: ok, rejected };
}

/** Runs one import for `data.actorId` (their scope as of now); `onProgress` gets rows done / total. */
export async function runImport(d: ImportDeps, data: ImportRequest, onProgress: (done: number, total: number) => void = () => undefined): Promise<ImportOutcome> {
  const at = d.clock.now();
  const out: ImportOutcome = { kind: data.kind, rows: 0, created: 0, updated: 0, rejected: [], warnings: [] };
  const actor = await d.models.Member.findById(data.actorId).lean();
  if (!actor || !isStaff(actor)) return { ...out, rejected: [{ line: 0, key: 'not_staff' }] };
  const scope = await d.services.access.resolve(actor, STAFF_ROLES, at);
  const target = `web-import:${data.kind}`;
  const denied = async (count: number) => {
    if (count > 0) await d.services.audit.record({ actor: actor._id, action: 'access.denied', target, details: { role: STAFF_ROLES, attempted: `web.import.${data.kind}`, rows: count }, at });
  };

  if (data.kind === 'org') {
    if (!scope.whole) {
      await denied(1);
      return { ...out, rejected: [{ line: 0, key: 'org_city_only' }] };
    }
    const parsed = parseOrgFile(data.content, data.format);
    out.rows = parsed.rows.length + parsed.rejected.length;
    const r = parsed.rows.length ? await importOrgTree(d.models, parsed.rows, { now: at, onProgress }) : { created: 0, updated: 0, unchanged: 0, rejected: [] };
    Object.assign(out, { created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: [...parsed.rejected, ...r.rejected].sort(byLine) });
    await d.services.audit.record({ actor: actor._id, action: 'org.import', target, details: { created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: out.rejected.length }, at });
    return out;
  }

  if (data.kind === 'members') {
    const parsed = parseMemberCsv(data.content);
    out.rows = parsed.rows.length + parsed.rejected.filter((x) => x.line > 0).length;
    const inScope = await membersInScope(d, parsed.rows, actor, scope);
    await denied(inScope.rejected.length);
    const skipped = parsed.rows.length - inScope.rows.length;
    onProgress(skipped, parsed.rows.length);
    const r = inScope.rows.length
      ? await importMembers(d.models, inScope.rows, { now: at, onProgress: (done) => onProgress(skipped + done, parsed.rows.length), erasedMarker: (id) => d.services.keys.marker('erased-identity', id) })
      : { created: 0, updated: 0, rejected: [], cadreRoleRemoved: [] };
    // Rows without the cadre role take it away: as with revoking it, their assignments end and their concerns move on.
    let ended = 0;
    let rerouted = 0;
    for (const memberId of r.cadreRoleRemoved) {
      const e = await d.services.concerns.endCadre(memberId, at);
      await deliverNotices(d.services.contacts, d.outbox, e.notices);
      ended += e.ended;
      rerouted += e.rerouted;
    }
    Object.assign(out, { created: r.created, updated: r.updated, ended, rerouted, rejected: [...parsed.rejected, ...inScope.rejected, ...r.rejected].sort(byLine) });
    await d.services.audit.record({ actor: actor._id, action: 'members.import', target, details: { created: r.created, updated: r.updated, rejected: out.rejected.length }, at });
    return out;
  }

  const concerns = d.services.concerns;
  const parsed = parseCadreCsv(data.content, categoryIds(concerns.policy));
  out.rows = parsed.rows.length + parsed.rejected.length;
  const outside = parsed.rows.filter((r) => !scope.has(r.orgUnitId));
  await denied(outside.length);
  const rows = parsed.rows.filter((r) => scope.has(r.orgUnitId));
  const r = await importCadres(d.models, concerns, rows, at, (done) => onProgress(outside.length + done, parsed.rows.length));
  await deliverNotices(d.services.contacts, d.outbox, r.notices);
  const rejected = [...parsed.rejected, ...outside.map((x): ImportRejection => ({ line: x.line, key: 'out_of_scope', params: { unit: x.orgUnitId } })), ...r.rejected].sort(byLine);
  Object.assign(out, { created: r.created, updated: r.updated, ended: r.ended, rerouted: r.rerouted, rejected, warnings: r.warnings });
  await d.services.audit.record({ actor: actor._id, action: 'concern.cadres_import', target, details: { created: r.created, updated: r.updated, ended: r.ended, rerouted: r.rerouted, rejected: rejected.length, warnings: r.warnings.length }, at });
  return out;
}

