/**
 * Reading the audit log (the web console's audit page and its CSV export): entries filtered by
 * actor, action, target and period, newest first, a page at a time. Every filter value is matched
 * as a plain string, never read as a query operator.
 */
import type { AuditDoc, Models } from '../db.js';

/**
 * Actions that revealed who a reporter is: the relay looking up a reporter's chat
 * (`concern.reporter.read`, core/concerns/reporter-vault.ts) and a cadre shown a named or
 * consenting reporter (`concern.reporter.viewed`). The audit page highlights them.
 */
export const IDENTITY_VIEW_ACTIONS: readonly string[] = ['concern.reporter.read', 'concern.reporter.viewed'];

/** Whether an entry records a view of a reporter's identity. */
export const isIdentityView = (action: string) => IDENTITY_VIEW_ACTIONS.includes(action);

/** What to look for; every field optional. `action` ending in `*` matches actions starting with the rest ("concern.*"). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** From this instant (inclusive). */
  from?: Date;
  /** Before this instant (exclusive). */
  until?: Date;
}

/** One page of entries, newest first. */
export interface AuditPage {
  entries: AuditDoc[];
  /** 1-based. */
  page: number;
  hasNext: boolean;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The query of a filter: strings compared as strings (`{ $eq }`), so `{"$gt": ""}` is only text. */
export function auditQuery(f: AuditFilter): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (f.actor) q.actor = { $eq: String(f.actor) };
  if (f.target) q.target = { $eq: String(f.target) };
  if (f.action) {
    const action = String(f.action);
    q.action = action.endsWith('*') ? { $regex: `^${escapeRegex(action.slice(0, -1))}` } : { $eq: action };
  }
  if (f.from || f.until) q.at = { ...(f.from ? { $gte: f.from } : {}), ...(f.until ? { $lt: f.until } : {}) };
  return q;
}

export class AuditReader {
  constructor(private readonly models: Models) {}

  /** Page `page` (1-based) of `pageSize` entries matching the filter, newest first. */
  async page(filter: AuditFilter, page: number, pageSize: number): Promise<AuditPage> {
    const p = Math.max(1, Math.floor(page));
    const docs = await this.models.Audit.find(auditQuery(filter))
      .sort({ at: -1, _id: -1 })
      .skip((p - 1) * pageSize)
      .limit(pageSize + 1)
      .lean();
    return { entries: docs.slice(0, pageSize), page: p, hasNext: docs.length > pageSize };
  }

  /** Up to `limit` entries matching the filter, newest first (the CSV export), and whether more matched. */
  async all(filter: AuditFilter, limit: number): Promise<{ entries: AuditDoc[]; truncated: boolean }> {
    const docs = await this.models.Audit.find(auditQuery(filter)).sort({ at: -1, _id: -1 }).limit(limit + 1).lean();
    return { entries: docs.slice(0, limit), truncated: docs.length > limit };
  }
}
