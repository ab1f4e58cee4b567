/**
 * Cadre assignments from CSV (`member_id,org_unit,organisation,categories,conflict_units,active`;
 * member_id may be a member id or one of their chats, `<channel>:<platform user id>`):
 * categories and conflict units separated by `;` (empty or `*` categories = all). A row with
 * `active` false ends the assignment, and that cadre's open concerns are re-routed.
 * An assignment routing can never reach is imported with a warning: a unit that is not a
 * workplace, under one or above one (the rule is `CadreRouter.reaches`), or an organisation
 * responsible for none of the categories it covers.
 */
import { parse } from 'csv-parse/sync';
import type { Models } from '../db.js';
import type { ConcernService } from './concern-service.js';
import { ORGANISATIONS, type Organisation } from './models.js';
import type { RowProblem } from '../members/member-import.js';
import type { Notice } from './notices.js';

/** One usable row. */
export interface CadreRow {
  line: number;
  memberId: string;
  orgUnitId: string;
  organisation: Organisation;
  categories: string[];
  conflictUnitIds: string[];
  active: boolean;
}

export interface Rejected {
  line: number;
  reason: string;
  /** The reason as a code and its values, for pages in the reader's language (web-people:problems.*). */
  problems?: RowProblem[];
}

const REQUIRED = ['member_id', 'org_unit', 'organisation'];
const list = (v: string | undefined) => (v ?? '').split(/[;|]/).map((s) => s.trim()).filter(Boolean);

/** Parses the file; rows that cannot be understood are rejected with a line number and reason. */
export function parseCadreCsv(content: string, categories: string[]): { rows: CadreRow[]; rejected: Rejected[] } {
  let records: { record: string[]; line: number }[];
  try {
    records = (parse(content, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[]).map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (err) {
    return { rows: [], rejected: [{ line: 1, reason: `the file is not valid CSV (${(err as Error).message}); nothing was imported`, problems: [{ code: 'not_csv', params: { detail: (err as Error).message } }] }] };
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], rejected: [{ line: 1, reason: 'the file is empty', problems: [{ code: 'empty' }] }] };
  const columns = head.record.map((c) => c.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) return { rows: [], rejected: [{ line: 1, reason: `the header lacks ${missing.join(', ')} (expected member_id,org_unit,organisation,categories,conflict_units,active)`, problems: [{ code: 'missing_column', params: { columns: missing.join(', '), expected: 'member_id, org_unit, organisation, categories, conflict_units, active' } }] }] };
  const rows: CadreRow[] = [];
  const rejected: Rejected[] = [];
  for (const { record, line } of body) {
    const f = Object.fromEntries(columns.map((c, i) => [c, (record[i] ?? '').trim()]));
    const organisation = f.organisation as Organisation;
    const cats = list(f.categories).filter((c) => c !== '*');
    const unknownCats = cats.filter((c) => !categories.includes(c));
    const active = (f.active ?? '').toLowerCase();
    if (!f.member_id || !f.org_unit) rejected.push({ line, reason: 'member_id and org_unit are required', problems: [{ code: 'member_unit_required' }] });
    else if (!ORGANISATIONS.includes(organisation)) rejected.push({ line, reason: `organisation "${f.organisation}" is not one of ${ORGANISATIONS.join(', ')}`, problems: [{ code: 'organisation_unknown', params: { organisation: f.organisation ?? '', expected: ORGANISATIONS.join(', ') } }] });
    else if (unknownCats.length) rejected.push({ line, reason: `unknown categories ${unknownCats.join(', ')} (known: ${categories.join(', ')})`, problems: [{ code: 'categories_unknown', params: { categories: unknownCats.join(', '), expected: categories.join(', ') } }] });
    else if (active && !['true', 'false', 'yes', 'no', '1', '0', 'ended'].includes(active)) rejected.push({ line, reason: `active "${f.active}" should be true or false`, problems: [{ code: 'active_bad', params: { value: f.active ?? '' } }] });
    else rows.push({ line, memberId: f.member_id, orgUnitId: f.org_unit, organisation, categories: cats, conflictUnitIds: list(f.conflict_units), active: !['false', 'no', '0', 'ended'].includes(active) });
  }
  return { rows, rejected };
}

/** Why routing could never give this assignment a concern (empty when it can). */
async function unreachable(concerns: ConcernService, r: CadreRow, at: Date): Promise<string[]> {
  const out: string[] = [];
  if (!(await concerns.router.reaches(r.orgUnitId, at))) {
    out.push(`org unit ${r.orgUnitId} is not a workplace, nor under one, nor above one, so no concern is ever routed there: assign the cadre at the enterprise, its own union or branch, or a unit above it`);
  }
  const rules = concerns.policy.categories;
  const covered = r.categories.length ? r.categories : Object.keys(rules);
  if (!covered.some((c) => rules[c]?.organisations.includes(r.organisation))) {
    out.push(`${r.organisation} is not responsible for ${r.categories.length ? r.categories.join(', ') : 'any category'} in the concerns policy, so no concern is ever routed to this assignment`);
  }
  return out;
}

/** Applies parsed rows: members and units must exist. Returns counts, warnings about assignments routing never reaches, and the notices of re-routed concerns. */
export async function importCadres(
  models: Models,
  concerns: ConcernService,
  rows: CadreRow[],
  at: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<{ created: number; updated: number; ended: number; rerouted: number; rejected: Rejected[]; warnings: Rejected[]; notices: Notice[] }> {
  const out = { created: 0, updated: 0, ended: 0, rerouted: 0, rejected: [] as Rejected[], warnings: [] as Rejected[], notices: [] as Notice[] };
  let done = 0;
  if (rows.length > 0) onProgress?.(0, rows.length);
  for (const r of rows) {
    if (done > 0) onProgress?.(done, rows.length);
    done++;
    // A chat (`zalo:…`, `telegram:…`) names its member, as in grant-role: operators know chats, not member ids.
    const memberId = r.memberId.includes(':') ? (await models.ChannelIdentity.findById(r.memberId).lean())?.memberId : r.memberId;
    if (!memberId || !(await models.Member.exists({ _id: memberId, status: 'active' }))) {
      out.rejected.push({ line: r.line, reason: `no active member ${r.memberId}`, problems: [{ code: 'no_member', params: { member: r.memberId } }] });
      continue;
    }
    if (!(await models.OrgUnit.exists({ _id: r.orgUnitId }))) {
      out.rejected.push({ line: r.line, reason: `no org unit ${r.orgUnitId}: import the org tree first`, problems: [{ code: 'org_unit_missing', params: { unit: r.orgUnitId } }] });
      continue;
    }
    const _id = `${memberId}:${r.orgUnitId}:${r.organisation}`;
    const existed = await concerns.cm.CadreAssignment.exists({ _id });
    const result = await concerns.upsertAssignment({ _id, memberId, orgUnitId: r.orgUnitId, organisation: r.organisation, categories: r.categories, conflictUnitIds: r.conflictUnitIds, active: r.active }, at);
    if (!r.active) out.ended++;
    else if (existed) out.updated++;
    else out.created++;
    if (r.active) out.warnings.push(...(await unreachable(concerns, r, at)).map((reason) => ({ line: r.line, reason })));
    out.rerouted += result.rerouted;
    out.notices.push(...result.notices);
  }
  if (rows.length > 0) onProgress?.(rows.length, rows.length);
  // Concerns that had nobody anywhere may have someone now.
  if (rows.some((r) => r.active)) {
    const flagged = await concerns.routeFlagged(at);
    out.rerouted += flagged.rerouted;
    out.notices.push(...flagged.notices);
  }
  return out;
}
