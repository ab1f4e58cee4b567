/**
 * The concerns page's query string read into a filter: each field one string (a repeated or
 * nested parameter counts as its first plain value, an object as nothing), trimmed and cut to a
 * sane length, then checked against what it may be — a status, a category of the policy, a
 * level number, a unit id (checked against the org tree and the person's scope by the page).
 * A value that is none of these is dropped and reported; nothing is ever read as a query operator.
 */
import type { ConcernFilter } from '../../core/concerns/concern-reader.js';
import { CONCERN_STATUSES, type ConcernStatus } from '../../core/concerns/models.js';
import { MAX_PAGE } from './audit-filter.js';

const MAX_CHARS = 200;
/** Levels offered in the filter (1 = where a concern was first routed). */
export const MAX_LEVEL = 6;

/** What the form shows back (levels as shown to people: from 1). */
export interface ConcernForm {
  status: string;
  category: string;
  unit: string;
  level: string;
  flagged: string;
  overdue: string;
}

export interface ParsedConcernQuery {
  form: ConcernForm;
  /** Everything but the units, which the page resolves against the tree and the scope. */
  filter: Omit<ConcernFilter, 'unitIds'>;
  page: number;
  /** Values dropped: the form field and what was given. */
  problems: { field: keyof ConcernForm; value: string }[];
}

/** One plain string from a query value (string, array of them, or anything else). */
function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, MAX_CHARS) : '';
}

/** Reads the query; `categories` are the policy's category ids. */
export function parseConcernQuery(query: unknown, categories: readonly string[]): ParsedConcernQuery {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const form: ConcernForm = { status: one(q.status), category: one(q.category), unit: one(q.unit), level: one(q.level), flagged: one(q.flagged), overdue: one(q.overdue) };
  const problems: ParsedConcernQuery['problems'] = [];
  const filter: ParsedConcernQuery['filter'] = {};
  const drop = (field: keyof ConcernForm) => {
    problems.push({ field, value: form[field] });
    form[field] = '';
  };
  if (form.status) {
    if (form.status === 'open' || (CONCERN_STATUSES as readonly string[]).includes(form.status)) filter.status = form.status as ConcernStatus | 'open';
    else drop('status');
  }
  if (form.category) {
    if (categories.includes(form.category)) filter.category = form.category;
    else drop('category');
  }
  if (form.level) {
    const n = /^\d{1,2}$/.test(form.level) ? Number(form.level) : NaN;
    if (n >= 1 && n <= MAX_LEVEL) filter.level = n - 1;
    else drop('level');
  }
  if (form.flagged) {
    if (form.flagged === '1') filter.flagged = true;
    else drop('flagged');
  }
  if (form.overdue) {
    if (form.overdue === '1') filter.overdue = true;
    else drop('overdue');
  }
  const n = Number.parseInt(one(q.page), 10);
  const page = Number.isFinite(n) ? Math.min(Math.max(n, 1), MAX_PAGE) : 1;
  return { form, filter, page, problems };
}

/** The query string of a filter (only the fields given) and a page. */
export function concernSearch(form: ConcernForm, page?: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v) p.set(k, v);
  if (page && page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}
