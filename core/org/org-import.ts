/**
 * Org-tree import: read units from a CSV or JSON file, validate each row, and merge them into
 * org_units with `ancestors` computed over the merged tree (the file on top of what is stored).
 * The org tree is data (DOMAIN.md), so kinds are a vocabulary here, never levels with rules.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Models, OrgUnitDoc } from '../db.js';
import { vnDayStartOf } from '../vn-time.js';

/** Kinds of unit a file may use; the tree's shape is data, so no kind implies a level. */
export const ORG_KINDS = [
  'city_youth_union',
  'province_youth_union',
  'district_youth_union', // legacy: the district level ended in HCMC on 2025-07-01
  'ward_youth_union',
  'commune_youth_union',
  'enterprise_youth_union',
  'industrial_zone',
  'industrial_cluster',
  'enterprise',
  'youth_union_branch',
  'youth_federation',
  'youth_federation_branch',
  'womens_union',
  'womens_union_branch',
  'trade_union',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Organisations a unit can belong to ("chi hội" alone is ambiguous, so branches store it). */
export const ORGANISATIONS = ['youth_union', 'youth_federation', 'womens_union', 'trade_union'] as const;
export type Organisation = (typeof ORGANISATIONS)[number];

/** Columns of the CSV format (and keys of a JSON entry), in their usual order. */
export const ORG_FILE_COLUMNS = ['code', 'name', 'kind', 'organisation', 'parent', 'aliases', 'valid_from', 'valid_to'] as const;

/** One validated unit from a file; `line` is where it came from, for messages. */
export interface OrgRow {
  line: number;
  code: string;
  name: string;
  kind: OrgKind;
  organisation?: Organisation;
  parent?: string;
  aliases: string[];
  validFrom?: Date;
  validTo?: Date;
}

/** A row left out of an import; line 0 means the file as a whole. */
export interface RejectedRow {
  line: number;
  reason: string;
}

/** What an import did: counts of units written or left alone, and the rows it refused. */
export interface OrgImportResult {
  created: number;
  /** Units whose stored record changed, including descendants whose ancestors moved. */
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
}

const CODE_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CODE_RULE = 'use 1–64 characters a–z, 0–9, ".", "_" or "-", starting with a letter or digit';

const blankToUndefined = (v: unknown) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v);

const textError = (field: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `${field} is missing` : `${field} must be text`);

const codeField = (field: string) =>
  z
    .string({ error: textError(field) })
    .trim()
    .toLowerCase()
    .refine((v) => CODE_RE.test(v), { error: (iss) => `${field} ${JSON.stringify(iss.input)} is not a valid code: ${CODE_RULE}` });

const dateField = (field: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${field} must be text in the form YYYY-MM-DD` })
      .trim()
      .refine((v) => vnDayStartOf(v) !== undefined, { error: (iss) => `${field} ${JSON.stringify(iss.input)} is not a date in the form YYYY-MM-DD` })
      // Dates in files are calendar days in Vietnam: the ward reform took effect at midnight
      // local time on 1 July 2025, not at 07:00.
      .transform((v) => vnDayStartOf(v)!)
      .optional(),
  );

const rowSchema = z
  .strictObject({
    code: codeField('code'),
    name: z
      .string({ error: textError('name') })
      .trim()
      .min(1, 'name is empty')
      .max(200, 'name is longer than 200 characters'),
    kind: z.enum(ORG_KINDS, {
      error: (iss) => `${blankToUndefined(iss.input) === undefined ? 'kind is missing' : `kind ${JSON.stringify(iss.input)} is not known`} (expected one of ${ORG_KINDS.join(', ')})`,
    }),
    organisation: z.preprocess(
      blankToUndefined,
      z.enum(ORGANISATIONS, { error: (iss) => `organisation ${JSON.stringify(iss.input)} is not known (expected one of ${ORGANISATIONS.join(', ')})` }).optional(),
    ),
    parent: z.preprocess(blankToUndefined, codeField('parent').optional()),
    aliases: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(';') : (blankToUndefined(v) ?? [])),
      z
        .array(z.string({ error: 'aliases must be text' }).trim().max(200, 'an alias is longer than 200 characters'), { error: 'aliases must be a list of text or text separated by ";"' })
        .transform((list) => [...new Set(list.filter((a) => a.length > 0))]),
    ),
    valid_from: dateField('valid_from'),
    valid_to: dateField('valid_to'),
  }, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (expected ${ORG_FILE_COLUMNS.join(', ')})` : 'the entry must be an object') })
  .refine((r) => !r.valid_from || !r.valid_to || r.valid_from < r.valid_to, {
    error: 'valid_from must be before valid_to',
  });

function toRow(raw: unknown, line: number): OrgRow | RejectedRow {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return { line, reason: parsed.error.issues.map((i) => i.message).join('; ') };
  const r = parsed.data;
  return {
    line,
    code: r.code,
    name: r.name,
    kind: r.kind,
    ...(r.organisation ? { organisation: r.organisation } : {}),
    ...(r.parent ? { parent: r.parent } : {}),
    aliases: r.aliases,
    ...(r.valid_from ? { validFrom: r.valid_from } : {}),
    ...(r.valid_to ? { validTo: r.valid_to } : {}),
  };
}

function split(results: (OrgRow | RejectedRow)[]): { rows: OrgRow[]; rejected: RejectedRow[] } {
  const rows: OrgRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const r of results) {
    if ('code' in r) rows.push(r);
    else rejected.push(r);
  }
  return { rows, rejected };
}

function parseJson(content: string): (OrgRow | RejectedRow)[] {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (err) {
    return [{ line: 0, reason: `the file is not valid JSON (${(err as Error).message}); nothing was imported` }];
  }
  const entries = Array.isArray(data) ? data : (data as { units?: unknown } | null)?.units;
  if (!Array.isArray(entries)) return [{ line: 0, reason: 'expected a JSON array of units or an object { "units": [...] }; nothing was imported' }];
  return entries.map((entry, i) => toRow(entry, i + 1));
}

const lineBreaks = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;
/** A record's raw text without the blank lines skipped before it and its own line end. */
const trimBreaks = (raw: string) => raw.replace(/^(?:\r\n|\r|\n)+/, '').replace(/(?:\r\n|\r|\n)$/, '');

function parseCsv(content: string): (OrgRow | RejectedRow)[] {
  let records: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    records = parse(content, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true, // a short or long row is one bad row, reported below, not a bad file
      relax_quotes: true, // hand-edited names like Công ty "An Phát" need not be quoted
      skip_empty_lines: true,
      skip_records_with_empty_values: true, // spreadsheets export blank rows as ",,,,"
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number; raw?: unknown };
    const line = (e.lines ?? 0) - (typeof e.raw === 'string' ? lineBreaks(trimBreaks(e.raw)) : 0);
    // csv-parse names the line where it gave up (the end of the file, for an open quote);
    // the operator needs the line where the broken row starts.
    const what = e.code === 'CSV_QUOTE_NOT_CLOSED' ? `a quoted field in the row starting on line ${line} is never closed` : e.message;
    return [{ line, reason: `the file is not valid CSV (${what}); nothing was imported` }];
  }
  const [head, ...body] = records;
  if (!head) return [];
  const columns = head.record.map((c) => c.trim().toLowerCase());
  const headLine = head.info.lines;
  const unknown = columns.filter((c) => !(ORG_FILE_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) {
    return [{ line: headLine, reason: `unknown column ${unknown.map((c) => JSON.stringify(c)).join(', ')} in the header (expected ${ORG_FILE_COLUMNS.join(',')}); nothing was imported` }];
  }
  const missing = ['code', 'name', 'kind'].filter((c) => !columns.includes(c));
  if (missing.length > 0) return [{ line: headLine, reason: `the header lacks the column ${missing.join(', ')}; nothing was imported` }];
  return body.map(({ record, raw, info }) => {
    // info.lines is where the record ends; quoted fields may span lines, and raw also carries
    // the blank lines skipped before it, so count back to where the record starts.
    const line = info.lines - lineBreaks(trimBreaks(raw));
    const extra = record.slice(columns.length);
    if (record.length < columns.length || extra.some((v) => v.trim() !== '')) {
      return { line, reason: `the row has ${record.length} fields but the header has ${columns.length}` };
    }
    return toRow(Object.fromEntries(columns.map((c, i) => [c, record[i] ?? ''])), line);
  });
}

/** Reads a CSV or JSON org file into validated rows and the rows refused, with their lines. */
export function parseOrgFile(content: string, format: 'json' | 'csv'): { rows: OrgRow[]; rejected: RejectedRow[] } {
  return split(format === 'json' ? parseJson(content) : parseCsv(content));
}

type Placement = { ok: true; ancestors: string[] } | { ok: false; reason: string; direct: boolean };

/**
 * Places every unit (file rows over stored units) in the tree: ancestors root-first, or why it
 * cannot be placed. `direct` failures are the row's own fault (missing parent, cycle); the others
 * only inherit a failure from above and may succeed once the faulty rows are left out.
 */
function placeAll(rows: Map<string, OrgRow>, stored: Map<string, OrgUnitDoc>, rejectedAt: Map<string, number>): Map<string, Placement> {
  const parentOf = (id: string) => (rows.has(id) ? rows.get(id)!.parent : stored.get(id)?.parentId);
  const exists = (id: string) => rows.has(id) || stored.has(id);
  const placed = new Map<string, Placement>();

  for (const start of new Set([...rows.keys(), ...stored.keys()])) {
    if (placed.has(start)) continue;
    // Walk up until a placed unit, a root, a missing parent or a cycle; then place the path top-down.
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let cur: string | undefined = start;
    while (cur !== undefined && !placed.has(cur)) {
      const seenAt = onPath.get(cur);
      if (seenAt !== undefined) {
        const cycle = path.slice(seenAt);
        const reason = `the parent links form a cycle: ${[...cycle, cur].join(' → ')}`;
        for (const id of cycle) placed.set(id, { ok: false, reason, direct: true });
        break;
      }
      onPath.set(cur, path.length);
      path.push(cur);
      const parent = parentOf(cur);
      if (parent === undefined) {
        placed.set(cur, { ok: true, ancestors: [] });
        break;
      }
      if (!exists(parent)) {
        const at = rejectedAt.get(parent);
        placed.set(
          cur,
          rows.has(cur)
            ? { ok: false, direct: true, reason: at !== undefined ? `parent "${parent}" was rejected (line ${at})` : `parent "${parent}" is neither in the file nor in the database` }
            : // A stored unit whose parent has gone is not this import's to judge: keep what it has.
              { ok: true, ancestors: stored.get(cur)?.ancestors ?? [] },
        );
        break;
      }
      cur = parent;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const id = path[i]!;
      if (placed.has(id)) continue;
      const parent = parentOf(id)!;
      const above = placed.get(parent)!;
      placed.set(id, above.ok ? { ok: true, ancestors: [...above.ancestors, parent] } : { ok: false, direct: false, reason: `its parent "${parent}" cannot be placed (${above.reason})` });
    }
  }
  return placed;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) => (a ?? []).length === b.length && b.every((v, i) => a?.[i] === v);
const sameDate = (a: Date | null | undefined, b: Date | undefined) => (a ?? undefined)?.getTime() === b?.getTime();

function sameUnit(stored: OrgUnitDoc, next: OrgUnitDoc): boolean {
  return (
    stored.name === next.name &&
    stored.kind === next.kind &&
    (stored.organisation ?? undefined) === next.organisation &&
    (stored.parentId ?? undefined) === next.parentId &&
    sameList(stored.ancestors, next.ancestors) &&
    sameList(stored.aliases, next.aliases) &&
    sameDate(stored.validFrom, next.validFrom) &&
    sameDate(stored.validTo, next.validTo)
  );
}

const OPTIONAL_FIELDS = ['organisation', 'parentId', 'validFrom', 'validTo'] as const;

function updateOf(next: OrgUnitDoc, stored: OrgUnitDoc | undefined) {
  const $set: Record<string, unknown> = { name: next.name, kind: next.kind, ancestors: next.ancestors, aliases: next.aliases };
  const $unset: Record<string, ''> = {};
  for (const f of OPTIONAL_FIELDS) {
    // A row describes the whole unit: a field left blank in the file is removed from the record.
    if (next[f] !== undefined) $set[f] = next[f];
    else if (stored?.[f] !== undefined && stored[f] !== null) $unset[f] = '';
  }
  return Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
}

/**
 * Inserts new units in one command. FerretDB v1 (SQLite) does not use its _id index, so each
 * single upsert scans the collection: 3,000 new units took ~11 s one by one (growing with the
 * square of the tree) and ~0.2 s as one insertMany.
 */
async function createAll(models: Models, docs: OrgUnitDoc[]): Promise<void> {
  if (docs.length === 0) return;
  // lean: the rows are validated already; drop undefined fields, which the driver would store as null.
  const plain = docs.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as OrgUnitDoc);
  try {
    await models.OrgUnit.insertMany(plain, { ordered: false, lean: true });
  } catch {
    // Someone created some of these meanwhile (duplicate _id) or the write failed part-way:
    // upserting every unit of the batch reaches the same end state, and rethrows a real outage.
    for (const { _id, ...fields } of plain) await models.OrgUnit.updateOne({ _id }, { $set: fields }, { upsert: true });
  }
}

/**
 * Merges rows into org_units: refuses duplicate codes, unknown parents and cycles, computes
 * every unit's ancestors over file + database, and writes only what changed (so re-importing
 * the same file writes nothing). `opts.now` is the import time; no rule depends on it yet.
 */
export async function importOrgTree(models: Models, rows: OrgRow[], opts: { now?: Date; onProgress?: (done: number, total: number) => void } = {}): Promise<OrgImportResult> {
  // One read of the whole tree: on FerretDB every query, even by _id, scans the collection.
  const stored = new Map((await models.OrgUnit.find({}).lean<OrgUnitDoc[]>()).map((u) => [u._id, u]));
  const rejected: RejectedRow[] = [];
  const rejectedAt = new Map<string, number>();
  const reject = (row: OrgRow, reason: string) => {
    rejected.push({ line: row.line, reason });
    if (!rejectedAt.has(row.code)) rejectedAt.set(row.code, row.line);
  };

  const byCode = new Map<string, OrgRow[]>();
  for (const row of rows) {
    const group = byCode.get(row.code);
    if (group) group.push(row);
    else byCode.set(row.code, [row]);
  }
  const accepted = new Map<string, OrgRow>();
  for (const [code, group] of byCode) {
    // Which copy is right is unknown, so none is imported.
    if (group.length > 1) for (const row of group) reject(row, `duplicate code "${code}" (lines ${group.map((r) => r.line).join(', ')}); codes must be unique`);
    else accepted.set(code, group[0]!);
  }

  // Leaving a row out changes the tree its children see, so place again until nothing moves.
  let placed: Map<string, Placement>;
  for (;;) {
    placed = placeAll(accepted, stored, rejectedAt);
    const failed = [...accepted.values()].filter((r) => !placed.get(r.code)!.ok);
    const direct = failed.filter((r) => (placed.get(r.code) as { direct: boolean }).direct);
    const out = direct.length > 0 ? direct : failed;
    if (out.length === 0) break;
    for (const row of out) {
      reject(row, (placed.get(row.code) as { reason: string }).reason);
      accepted.delete(row.code);
    }
  }

  // Indexed by depth (ancestors.length), so parents are written before their children.
  const creates: OrgUnitDoc[][] = [];
  const updates: { id: string; update: object }[][] = [];
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for (const row of accepted.values()) {
    const { ancestors } = placed.get(row.code) as { ancestors: string[] };
    const next: OrgUnitDoc = {
      _id: row.code,
      name: row.name,
      kind: row.kind,
      organisation: row.organisation,
      parentId: row.parent,
      ancestors,
      aliases: row.aliases,
      validFrom: row.validFrom,
      validTo: row.validTo,
    };
    const before = stored.get(row.code);
    if (!before) {
      created++;
      (creates[ancestors.length] ??= []).push(next);
    } else if (sameUnit(before, next)) {
      unchanged++;
    } else {
      updated++;
      (updates[ancestors.length] ??= []).push({ id: row.code, update: updateOf(next, before) });
    }
  }
  // Stored units not in the file move with their ancestors when a unit above them moved.
  for (const [id, before] of stored) {
    if (accepted.has(id)) continue;
    const p = placed.get(id);
    if (p?.ok && !sameList(before.ancestors, p.ancestors)) {
      updated++;
      (updates[p.ancestors.length] ??= []).push({ id, update: { $set: { ancestors: p.ancestors } } });
    }
  }

  // No transactions (FerretDB): going level by level, a reader never meets a unit whose parent
  // is not stored yet, and an interrupted import is finished by running it again.
  const total = creates.reduce((n, l) => n + (l?.length ?? 0), 0) + updates.reduce((n, l) => n + (l?.length ?? 0), 0);
  let written = 0;
  const onProgress = total > 0 ? opts.onProgress : undefined;
  onProgress?.(0, total);
  for (let depth = 0; depth < Math.max(creates.length, updates.length); depth++) {
    await createAll(models, creates[depth] ?? []);
    written += creates[depth]?.length ?? 0;
    onProgress?.(written, total);
    // One at a time: FerretDB's SQLite serialises writes, and concurrent ones measured slower.
    for (const { id, update } of updates[depth] ?? []) {
      await models.OrgUnit.updateOne({ _id: id }, update, { upsert: true });
      onProgress?.(++written, total);
    }
  }

  rejected.sort((a, b) => a.line - b.line);
  return { created, updated, unchanged, rejected };
}
