/**
 * The audit page's query string read into a filter: each field one string (a repeated or nested
 * parameter counts as its first plain value, an object as nothing), trimmed and cut to a sane
 * length; dates are Vietnam days "YYYY-MM-DD", `to` inclusive. Nothing here is ever read as a
 * query operator: the values reach AuditReader as strings.
 */
import type { AuditFilter } from '../../core/audit/audit-reader.js';
import { vnDayStartOf } from '../../core/vn-time.js';

const MAX_CHARS = 200;
/** Pages beyond this are not offered (skip costs grow with the page). */
export const MAX_PAGE = 1000;

/** What the form shows back, as typed. */
export interface AuditForm {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
}

export interface ParsedAuditQuery {
  form: AuditForm;
  filter: AuditFilter;
  page: number;
  /** Dates that could not be read (`bad_date`), or a period that ends before it starts (`bad_range`). */
  problems: { kind: 'bad_date' | 'bad_range'; value?: string }[];
}

/** One plain string from a query value (string, array of them, or anything else). */
function one(v: unknown): string {
  const s = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  return typeof s === 'string' ? s.trim().slice(0, MAX_CHARS) : '';
}

export function parseAuditQuery(query: unknown): ParsedAuditQuery {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const form: AuditForm = { actor: one(q.actor), action: one(q.action), target: one(q.target), from: one(q.from), to: one(q.to) };
  const problems: ParsedAuditQuery['problems'] = [];
  const filter: AuditFilter = {};
  if (form.actor) filter.actor = form.actor;
  if (form.action) filter.action = form.action;
  if (form.target) filter.target = form.target;
  if (form.from) {
    const from = vnDayStartOf(form.from);
    if (from) filter.from = from;
    else problems.push({ kind: 'bad_date', value: form.from });
  }
  if (form.to) {
    const to = vnDayStartOf(form.to);
    if (to) filter.until = new Date(to.getTime() + 24 * 3600_000);
    else problems.push({ kind: 'bad_date', value: form.to });
  }
  if (filter.from && filter.until && filter.from >= filter.until) problems.push({ kind: 'bad_range' });
  const n = Number.parseInt(one(q.page), 10);
  const page = Number.isFinite(n) ? Math.min(Math.max(n, 1), MAX_PAGE) : 1;
  return { form, filter, page, problems };
}

/** The query string of a filter (only the fields given) and a page. */
export function auditSearch(form: AuditForm, page?: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v) p.set(k, v);
  if (page && page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}
