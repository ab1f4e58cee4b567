/**
 * Importing staff and cadres (and their chat identities) from CSV, for the secretariat:
 * columns name, roles, org_unit, channel, platform_user_id and optionally locale. Each bad row
 * is reported with its line number and left out; the good rows are imported.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { ROLES, type Models, type Role, type RoleGrant } from '../db.js';
import { applyGrant, isScopedRole } from './role-grants.js';

/** Columns of the members CSV. */
export const MEMBER_FILE_COLUMNS = ['name', 'roles', 'org_unit', 'channel', 'platform_user_id', 'locale'] as const;
const REQUIRED = ['name', 'roles', 'org_unit', 'channel', 'platform_user_id'];
const CHANNELS = ['telegram', 'zalo', 'console'];

/** One valid row of the file. */
export interface MemberRow {
  line: number;
  name: string;
  roles: Role[];
  orgUnitId: string;
  channel: string;
  platformUserId: string;
  locale: string;
}

/** One thing wrong with a row, as a code and its values: for pages that speak the reader's language (web-people:problems.*). */
export interface RowProblem {
  code: string;
  params?: Record<string, string | number>;
}

/** A row left out, with why (in English, as the CLI prints it, and as codes); line 0 means the whole file. */
export interface RejectedMemberRow {
  line: number;
  reason: string;
  problems?: RowProblem[];
}

/** Reads the CSV into valid rows and rejected rows (with line numbers). */
export function parseMemberCsv(content: string): { rows: MemberRow[]; rejected: RejectedMemberRow[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true }) as unknown as typeof records;
  } catch (err) {
    return { rows: [], rejected: [{ line: (err as { lines?: number }).lines ?? 0, reason: `the file is not valid CSV (${(err as Error).message}); nothing was imported`, problems: [{ code: 'not_csv', params: { detail: (err as Error).message } }] }] };
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], rejected: [{ line: 0, reason: 'the file is empty', problems: [{ code: 'empty' }] }] };
  const columns = head.record.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !(MEMBER_FILE_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (unknown.length > 0 || missing.length > 0) {
    const why = unknown.length > 0 ? `unknown column ${unknown.map((c) => JSON.stringify(c)).join(', ')}` : `missing column ${missing.join(', ')}`;
    const problem = unknown.length > 0 ? { code: 'unknown_column', params: { columns: unknown.join(', '), expected: MEMBER_FILE_COLUMNS.join(', ') } } : { code: 'missing_column', params: { columns: missing.join(', '), expected: MEMBER_FILE_COLUMNS.join(', ') } };
    return { rows: [], rejected: [{ line: head.info.lines, reason: `${why} in the header (expected ${MEMBER_FILE_COLUMNS.join(',')}); nothing was imported`, problems: [problem] }] };
  }
  const rows: MemberRow[] = [];
  const rejected: RejectedMemberRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length !== columns.length) {
      rejected.push({ line, reason: `the row has ${record.length} fields but the header has ${columns.length}`, problems: [{ code: 'field_count', params: { fields: record.length, columns: columns.length } }] });
      continue;
    }
    const v = Object.fromEntries(columns.map((c, i) => [c, (record[i] ?? '').trim()]));
    const problems: string[] = [];
    const codes: RowProblem[] = [];
    const problem = (text: string, code: string, params?: RowProblem['params']) => {
      problems.push(text);
      codes.push(params ? { code, params } : { code });
    };
    if (!v.name) problem('name is empty', 'name_empty');
    else if (v.name.length > 100) problem('name is longer than 100 characters', 'name_long');
    const roles = (v.roles ?? '').split(/[;|\s]+/).filter(Boolean).map((r) => r.toLowerCase());
    if (roles.length === 0) problem('roles is empty', 'roles_empty');
    for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) problem(`role "${r}" is not known (expected ${ROLES.join(', ')})`, 'role_unknown', { role: r, expected: ROLES.join(', ') });
    if (!v.org_unit) problem('org_unit is empty', 'org_unit_empty');
    if (!CHANNELS.includes(v.channel ?? '')) problem(`channel "${v.channel}" is not known (expected ${CHANNELS.join(', ')})`, 'channel_unknown', { channel: v.channel ?? '', expected: CHANNELS.join(', ') });
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v.platform_user_id ?? '')) problem(`platform_user_id "${v.platform_user_id}" must be 1–64 letters, digits, ".", "_" or "-"`, 'platform_user_id_bad', { value: v.platform_user_id ?? '' });
    const locale = v.locale || 'vi';
    if (!['vi', 'en'].includes(locale)) problem(`locale "${locale}" is not vi or en`, 'locale_bad', { locale });
    const identity = `${v.channel}:${v.platform_user_id}`;
    if (problems.length === 0 && seen.has(identity)) problem(`${identity} already appears on line ${seen.get(identity)}`, 'duplicate_identity', { identity, line: seen.get(identity)! });
    if (problems.length > 0) {
      rejected.push({ line, reason: problems.join('; '), problems: codes });
      continue;
    }
    seen.set(identity, line);
    rows.push({ line, name: v.name!, roles: [...new Set(roles)] as Role[], orgUnitId: v.org_unit!.toLowerCase(), channel: v.channel!, platformUserId: v.platform_user_id!, locale });
  }
  return { rows, rejected };
}

/** What an import did. */
export interface MemberImportResult {
  created: number;
  updated: number;
  rejected: RejectedMemberRow[];
  /** Members whose row took the `cadre` role away: the caller ends their assignments (ConcernService.endCadre). */
  cadreRoleRemoved: string[];
}

/**
 * The grants of an imported row: staff roles (secretariat, admin) are held at the row's org_unit,
 * added to those held elsewhere already; grants of roles the row no longer names are dropped.
 * Without this an imported staff role would count as the whole tree.
 */
function importedGrants(existing: RoleGrant[] | undefined, r: Pick<MemberRow, 'roles' | 'orgUnitId'>): RoleGrant[] {
  let grants = (existing ?? []).filter((g) => r.roles.includes(g.role));
  for (const role of r.roles.filter(isScopedRole)) grants = applyGrant({ roles: r.roles, grants }, { role, unitId: r.orgUnitId }).grants;
  return grants;
}

/**
 * Writes the rows: a known chat identity updates its member (name, roles, unit); a new one gets
 * a member (id derived from the identity, so importing twice creates nobody twice). Imported
 * staff are recorded as consenting through the organisation (consent channel "admin-import").
 */
export async function importMembers(
  models: Models,
  rows: MemberRow[],
  opts: { now: Date; onProgress?: (done: number, total: number) => void; /** The erased-identity marker of an identity id (PrivacyKeys). */ erasedMarker: (identityId: string) => string },
): Promise<MemberImportResult> {
  const units = new Set((await models.OrgUnit.find({}, { _id: 1 }).lean()).map((u) => u._id));
  const result: MemberImportResult = { created: 0, updated: 0, rejected: [], cadreRoleRemoved: [] };
  let done = 0;
  for (const r of rows) {
    opts.onProgress?.(done++, rows.length);
    if (!units.has(r.orgUnitId)) {
      result.rejected.push({ line: r.line, reason: `org_unit "${r.orgUnitId}" does not exist: import the org tree first (npm run admin -- import-org)`, problems: [{ code: 'org_unit_missing', params: { unit: r.orgUnitId } }] });
      continue;
    }
    const identityId = `${r.channel}:${r.platformUserId}`;
    const identity = await models.ChannelIdentity.findById(identityId).lean();
    const existing = identity?.memberId ? await models.Member.findById(identity.memberId).lean() : null;
    if (existing && existing.status === 'active') {
      await models.Member.updateOne({ _id: existing._id }, { $set: { displayName: r.name, roles: r.roles, grants: importedGrants(existing.grants, r), orgUnitId: r.orgUnitId } });
      if (existing.roles.includes('cadre') && !r.roles.includes('cadre')) result.cadreRoleRemoved.push(existing._id);
      result.updated++;
      continue;
    }
    // Someone who deleted their data is not brought back with a consent they never gave: they can write to the bot themselves.
    if (await models.ErasedIdentity.exists({ _id: opts.erasedMarker(identityId) })) {
      // The line is enough to find the row: the rejection (kept with a web import for a day) does not repeat the erased person's platform id.
      result.rejected.push({ line: r.line, reason: 'this person deleted their data; an import cannot record consent for them. They can message the bot and agree again themselves', problems: [{ code: 'erased' }] });
      continue;
    }
    const memberId = 'm' + createHash('sha256').update(`import|${identityId}`).digest('hex').slice(0, 20);
    await models.Member.replaceOne(
      { _id: memberId },
      { roles: r.roles, grants: importedGrants(undefined, r), orgUnitId: r.orgUnitId, locale: r.locale, consent: { version: 'import', givenAt: opts.now, channel: 'admin-import' }, status: 'active', broadcastsOptOut: false, displayName: r.name, createdAt: opts.now },
      { upsert: true },
    );
    await models.ChannelIdentity.updateOne(
      { _id: identityId },
      { $set: { memberId }, $setOnInsert: { channel: r.channel, platformUserId: r.platformUserId, chatId: r.platformUserId, createdAt: opts.now } },
      { upsert: true },
    );
    result.created++;
  }
  opts.onProgress?.(rows.length, rows.length);
  return result;
}
