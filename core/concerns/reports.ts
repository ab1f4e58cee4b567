/**
 * Reports for the secretariat: open and resolved concerns by category, concerned unit and
 * level; SLA hit rate; median first-response and resolution times; CSV export. Aggregated in
 * code (FerretDB's $group has only $sum/$count, and medians need the values).
 */
import { toCsv } from '../csv-writer.js';
import { OPEN_STATUSES, type ConcernDoc, type ConcernModels } from './models.js';

/** One group's figures. */
export interface ReportRow {
  category: string;
  orgUnitId: string;
  level: number;
  open: number;
  resolved: number;
  flagged: number;
  slaMet: number;
  slaTotal: number;
  /** Met deadlines / decided deadlines, or null when none was decided yet. */
  slaHitRate: number | null;
  medianFirstResponseMinutes: number | null;
  medianResolutionMinutes: number | null;
}

export interface ConcernReport {
  rows: ReportRow[];
  /** All concerns together (category `*`). */
  total: ReportRow;
}

/** What a report reads of a concern. */
export type Fields = Pick<ConcernDoc, 'category' | 'orgUnitId' | 'level' | 'status' | 'flagged' | 'slaOutcomes' | 'createdAt' | 'firstResponseAt' | 'resolvedAt'>;

/** The middle value (mean of the two middle ones for an even count), or null. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One group's figures from its concerns: the one definition of the SLA hit rate (met / decided deadlines) and the medians (the dashboard uses it too). */
export function summarise(category: string, orgUnitId: string, level: number, list: readonly Fields[]): ReportRow {
  const outcomes = list.flatMap((c) => c.slaOutcomes ?? []);
  const met = outcomes.filter((o) => o.met).length;
  const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
  const firsts = list.filter((c) => c.firstResponseAt).map((c) => c.firstResponseAt!.getTime() - c.createdAt.getTime());
  const resolutions = list.filter((c) => c.status === 'resolved' && c.resolvedAt).map((c) => c.resolvedAt!.getTime() - c.createdAt.getTime());
  const mf = median(firsts);
  const mr = median(resolutions);
  return {
    category,
    orgUnitId,
    level,
    open: list.filter((c) => OPEN_STATUSES.includes(c.status)).length,
    resolved: list.filter((c) => c.status === 'resolved').length,
    flagged: list.filter((c) => c.flagged).length,
    slaMet: met,
    slaTotal: outcomes.length,
    slaHitRate: outcomes.length ? Math.round((met / outcomes.length) * 1000) / 1000 : null,
    medianFirstResponseMinutes: mf === null ? null : minutes(mf),
    medianResolutionMinutes: mr === null ? null : minutes(mr),
  };
}

/** Builds the report over every concern. */
export async function buildConcernReport(cm: ConcernModels): Promise<ConcernReport> {
  const all = await cm.Concern.find({}, { category: 1, orgUnitId: 1, level: 1, status: 1, flagged: 1, slaOutcomes: 1, createdAt: 1, firstResponseAt: 1, resolvedAt: 1 }).lean<Fields[]>();
  const groups = new Map<string, Fields[]>();
  for (const c of all) {
    const key = JSON.stringify([c.category, c.orgUnitId, c.level]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const rows = [...groups.entries()]
    .map(([key, list]) => {
      const [category, unit, level] = JSON.parse(key) as [string, string, number];
      return summarise(category, unit, level, list);
    })
    .sort((a, b) => a.category.localeCompare(b.category) || a.orgUnitId.localeCompare(b.orgUnitId) || a.level - b.level);
  return { rows, total: summarise('*', '*', -1, all) };
}

const COLUMNS: (keyof ReportRow)[] = ['category', 'orgUnitId', 'level', 'open', 'resolved', 'flagged', 'slaMet', 'slaTotal', 'slaHitRate', 'medianFirstResponseMinutes', 'medianResolutionMinutes'];
const HEADER = ['category', 'org_unit', 'level', 'open', 'resolved', 'flagged', 'sla_met', 'sla_total', 'sla_hit_rate', 'median_first_response_min', 'median_resolution_min'];

/**
 * The report as CSV for Excel (the shared writer, core/csv-writer.ts: BOM, CRLF, formula-like
 * text defused): one row per category × unit × level (level counts from 0), then the total (`*`).
 */
export function reportToCsv(r: ConcernReport): string {
  return toCsv([HEADER, ...[...r.rows, r.total].map((row) => COLUMNS.map((k) => (k === 'level' && row.level < 0 ? '*' : row[k])))]);
}
