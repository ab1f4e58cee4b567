/**
 * Reading concerns for the secretariat's list (the web console's concerns page and its CSV
 * export): filtered by status, category, concerned units, level, flagged and overdue, newest
 * first, a page at a time, without the heavy fields (description, events, photos). Every filter
 * value is matched as a plain string or number, never read as a query operator. Also the SLA
 * state of a concern as of an instant, the one rule the list, the filter and the detail share.
 */
import { OPEN_STATUSES, type ConcernDoc, type ConcernModels, type ConcernStatus } from './models.js';

/** What to look for; every field optional. */
export interface ConcernFilter {
  /** One status, or `open` for every open one. */
  status?: ConcernStatus | 'open';
  category?: string;
  /** The concerned units allowed (a subtree, cut to the reader's scope); undefined = every unit. */
  unitIds?: readonly string[];
  /** 0 where it was first routed, +1 per escalation. */
  level?: number;
  flagged?: boolean;
  /** Open, and its first-response deadline (not yet responded at this level) or resolution deadline has passed at `now`. */
  overdue?: boolean;
}

/** The fields a list row shows. */
export type ConcernListItem = Pick<
  ConcernDoc,
  '_id' | 'category' | 'orgUnitId' | 'levelUnitId' | 'level' | 'assigneeId' | 'flagged' | 'urgent' | 'status' | 'firstResponseDue' | 'resolutionDue' | 'respondedAt' | 'resolvedAt' | 'slaOutcomes' | 'createdAt'
>;

/** One page of concerns, newest first. */
export interface ConcernPage {
  concerns: ConcernListItem[];
  /** 1-based. */
  page: number;
  hasNext: boolean;
}

/** Where a concern stands against its deadlines at an instant. */
export type SlaState =
  | { kind: 'overdue_first_response'; due: Date }
  | { kind: 'overdue_resolution'; due: Date }
  | { kind: 'due_first_response'; due: Date }
  | { kind: 'due_resolution'; due: Date }
  | { kind: 'resolved_met' }
  | { kind: 'resolved_late' }
  | { kind: 'closed' };

const LIST_FIELDS: Record<keyof ConcernListItem, 1> = {
  _id: 1,
  category: 1,
  orgUnitId: 1,
  levelUnitId: 1,
  level: 1,
  assigneeId: 1,
  flagged: 1,
  urgent: 1,
  status: 1,
  firstResponseDue: 1,
  resolutionDue: 1,
  respondedAt: 1,
  resolvedAt: 1,
  slaOutcomes: 1,
  createdAt: 1,
};

const isOpen = (status: string) => (OPEN_STATUSES as string[]).includes(status);

/**
 * The SLA state of a concern at `now`: for an open one, the first-response deadline while this
 * level has not responded, then the resolution deadline — passed (overdue) or still ahead; for a
 * resolved one, whether every deadline it met was met; otherwise (withdrawn) closed.
 */
export function slaState(c: Pick<ConcernDoc, 'status' | 'firstResponseDue' | 'resolutionDue' | 'respondedAt' | 'slaOutcomes'>, now: Date): SlaState {
  if (c.status === 'resolved') return (c.slaOutcomes ?? []).every((o) => o.met) ? { kind: 'resolved_met' } : { kind: 'resolved_late' };
  if (!isOpen(c.status)) return { kind: 'closed' };
  const first = !c.respondedAt && c.firstResponseDue ? new Date(c.firstResponseDue) : undefined;
  const resolution = c.resolutionDue ? new Date(c.resolutionDue) : undefined;
  if (first && first <= now) return { kind: 'overdue_first_response', due: first };
  if (resolution && resolution <= now) return { kind: 'overdue_resolution', due: resolution };
  if (first) return { kind: 'due_first_response', due: first };
  if (resolution) return { kind: 'due_resolution', due: resolution };
  return { kind: 'closed' };
}

/** Whether a state is a passed deadline. */
export const isOverdue = (s: SlaState) => s.kind === 'overdue_first_response' || s.kind === 'overdue_resolution';

/** The query of a filter at `now`: strings compared as strings (`{ $eq }`), so `{"$gt": ""}` is only text. */
export function concernQuery(f: ConcernFilter, now: Date): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.status === 'open') and.push({ status: { $in: OPEN_STATUSES } });
  else if (f.status) and.push({ status: { $eq: String(f.status) } });
  if (f.category) and.push({ category: { $eq: String(f.category) } });
  if (f.unitIds) and.push({ orgUnitId: { $in: f.unitIds.map(String) } });
  if (f.level !== undefined && Number.isInteger(f.level)) and.push({ level: { $eq: Number(f.level) } });
  if (f.flagged) and.push({ flagged: { $eq: true } });
  if (f.overdue) {
    // As slaState: the first-response deadline counts until this level responded (respondedAt is
    // absent or null then), the resolution deadline always; `<=` as there.
    and.push({ status: { $in: OPEN_STATUSES } });
    and.push({ $or: [{ firstResponseDue: { $lte: now }, respondedAt: { $eq: null } }, { resolutionDue: { $lte: now } }] });
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

export class ConcernReader {
  constructor(private readonly cm: ConcernModels) {}

  /** Page `page` (1-based) of `pageSize` concerns matching the filter at `now`, newest first. */
  async page(filter: ConcernFilter, now: Date, page: number, pageSize: number): Promise<ConcernPage> {
    const p = Math.max(1, Math.floor(page));
    const docs = await this.cm.Concern.find(concernQuery(filter, now), LIST_FIELDS)
      .sort({ createdAt: -1, _id: -1 })
      .skip((p - 1) * pageSize)
      .limit(pageSize + 1)
      .lean<ConcernListItem[]>();
    return { concerns: docs.slice(0, pageSize), page: p, hasNext: docs.length > pageSize };
  }

  /** Up to `limit` concerns matching the filter at `now`, newest first (the CSV export), and whether more matched. */
  async all(filter: ConcernFilter, now: Date, limit: number): Promise<{ concerns: ConcernListItem[]; truncated: boolean }> {
    const docs = await this.cm.Concern.find(concernQuery(filter, now), LIST_FIELDS).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).lean<ConcernListItem[]>();
    return { concerns: docs.slice(0, limit), truncated: docs.length > limit };
  }
}
