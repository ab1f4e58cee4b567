/**
 * The monthly report for the steering committee (báo cáo Ban chỉ đạo), for one org unit and the
 * units under it and one calendar month in Vietnam time. This module gathers the figures; the
 * printable page is bots/web/steering-report-html.ts, the PDF core/reports/pdf.ts. Every figure
 * comes from the reader that owns its rule — none is computed a second time here:
 *
 * - members reached and concerns: the dashboard (`DashboardReader.read`, core/reports/dashboard.ts)
 *   for the month: broadcasts that started sending in it addressed to the unit or a unit under it
 *   (one to everyone counts for the city level only), active members at the end of the month, and
 *   concerns raised in it by category with the concern report's SLA figures;
 * - meetings held and attendance: `meetingFigures` (core/meetings), per unit of the meeting;
 * - surveys and inspections whose answering period overlaps the month: `SurveyService.results`,
 *   with the survey results' own small-cell suppression — the unit's respondents are shown exactly
 *   when its line of the results' org-unit breakdown is (core/surveys/suppression.ts);
 * - collective cases about the subtree formed in the month (`summariseCases`, core/cases);
 * - the cadre-force gaps (`CadreReviewService.review`, core/concerns/cadre-review*.ts) at the
 *   month's end, with cadre assignments as they stand when the report is made.
 *
 * The current month may be reported before it ends: figures then run until `asOf` and the report
 * says "so far". A month that has not begun is refused (`parseReportMonth`).
 */
import type { CaseReportRow } from '../cases/case-service.js';
import { summariseCases } from '../cases/case-service.js';
import type { Organisation } from '../concerns/models.js';
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import type { Services } from '../engine/services.js';
import { DEFAULT_TZ, type Jobs } from '../jobs.js';
import { meetingFigures, attendanceRate } from '../meetings/meeting-service.js';
import { scopeOf, type ResolvedScope } from '../members/access-scope.js';
import type { LocalizedText } from '../surveys/definition.js';
import { formatVnTime, vnInstant, vnParts } from '../vn-time.js';
import type { BroadcastFigures, ConcernFigures, DashboardPeriod, MemberFigures } from './dashboard.js';

/** The queue, Job Scheduler and job of the monthly sending (workers/steering-reports.ts). */
export const STEERING_QUEUE = 'steering-reports';
export const STEERING_SCHEDULER = 'steering-monthly';
export const STEERING_JOB = 'steering.send';
/** The 1st of each month at 07:00, Vietnam time: the previous month's report to each unit's secretariat. */
export const STEERING_CRON = '0 7 1 * *';
/** The job carries nothing: it reports the month before the one it runs in. */
export type SteeringJob = Record<string, never>;

/** Registers the monthly Job Scheduler (idempotent: registering again keeps one). */
export async function scheduleSteeringReports(jobs: Jobs): Promise<void> {
  await jobs.repeat(STEERING_QUEUE, STEERING_SCHEDULER, { cron: STEERING_CRON, tz: DEFAULT_TZ }, STEERING_JOB, {});
}

/** The report's address in the web console (bots/web/steering-report-page.ts), for the monthly message and the page's links. */
export function steeringReportPath(unitId: string, month: string, o: { pdf?: boolean; lang?: string } = {}): string {
  const q = new URLSearchParams({ unit: unitId, month });
  if (o.lang) q.set('lang', o.lang);
  return `/web/reports/steering${o.pdf ? '.pdf' : ''}?${q.toString()}`;
}

/** A calendar month in Vietnam time: `from` (its first day's start) inclusive, `until` (the next month's) exclusive. */
export interface ReportMonth {
  /** "YYYY-MM". */
  month: string;
  year: number;
  /** 1–12. */
  number: number;
  from: Date;
  until: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The month `number` (1–12) of `year`. */
export function monthOf(year: number, number: number): ReportMonth {
  const next = number === 12 ? { y: year + 1, m: 1 } : { y: year, m: number + 1 };
  return { month: `${year}-${pad(number)}`, year, number, from: vnInstant(year, number, 1)!, until: vnInstant(next.y, next.m, 1)! };
}

/** The month before the one `now` falls in (Vietnam time): what the scheduled report covers. */
export function previousMonth(now: Date): ReportMonth {
  const p = vnParts(now);
  return p.month === 1 ? monthOf(p.year - 1, 12) : monthOf(p.year, p.month - 1);
}

/** The month `now` falls in (Vietnam time). */
export function currentMonth(now: Date): ReportMonth {
  const p = vnParts(now);
  return monthOf(p.year, p.month);
}

/** Why a month cannot be reported: not "YYYY-MM", or not begun yet. */
export type MonthProblem = 'malformed' | 'future';

/**
 * Reads "YYYY-MM" (2000–2999). A month that has not begun at `now` is refused; the current one is
 * allowed and marked `soFar` (its figures run until `now`); a past one is complete.
 */
export function parseReportMonth(text: string, now: Date): { month: ReportMonth; soFar: boolean } | { problem: MonthProblem } {
  const m = /^(2\d{3})-(0[1-9]|1[0-2])$/.exec(text.trim());
  if (!m) return { problem: 'malformed' };
  const month = monthOf(Number(m[1]), Number(m[2]));
  if (month.from.getTime() > now.getTime()) return { problem: 'future' };
  return { month, soFar: now.getTime() < month.until.getTime() };
}

/** A survey (or its figures for the unit) in the report. */
export interface SteeringSurvey {
  id: string;
  title: LocalizedText;
  anonymous: boolean;
  opensAt: Date;
  closesAt: Date;
  /** Closed by the report's `asOf`. */
  closed: boolean;
  /** Members of the unit's subtree it was meant for (active, with its roles), as the results count them. */
  audience: number;
  /** People in the subtree who answered; null when the results hide that figure (a small cell). */
  respondents: number | null;
  /** respondents / audience (0–1); null when either is unknown or the audience is empty. */
  responseRate: number | null;
}

/** An inspection's figures about branches in the unit's subtree. */
export interface SteeringInspection {
  id: string;
  title: LocalizedText;
  opensAt: Date;
  closesAt: Date;
  closed: boolean;
  /** Forms answered about units in the subtree. */
  inspections: number;
  /** Branches inspected. */
  branches: number;
  /** Mean of the 1–5 scale answers over the subtree, null without any. */
  score: number | null;
  /** Each inspected branch: its forms and score (shallowest first, then by name). */
  rows: { unitId: string; name: string; inspections: number; score: number | null }[];
}

/** Meetings held in the month and their attendance, for the subtree and per unit of the meetings. */
export interface SteeringMeetings {
  held: number;
  present: number;
  members: number;
  attendanceRate: number | null;
  byUnit: { unitId: string; held: number; present: number; members: number; attendanceRate: number | null }[];
}

/** Collective cases about the subtree. */
export interface SteeringCases {
  /** Formed in the month, by category (status as it stands when the report is made), and their total. */
  formed: { rows: CaseReportRow[]; total: CaseReportRow };
  /** Resolved in the month (whenever formed). */
  resolvedInMonth: number;
  /** Formed before the month's end and not resolved by it. */
  openAtEnd: number;
}

/** The cadre force of the subtree and its gaps (the cadre-force review at the month's end). */
export interface SteeringCadres {
  at: Date;
  idleDays: number;
  /** Cadres with an active assignment in the subtree, and how many routing may give concerns to. */
  cadres: number;
  eligible: number;
  byOrganisation: Record<Organisation, number>;
  /** Eligible cadres per category, in policy order. */
  byCategory: { category: string; cadres: number }[];
  /** Categories no eligible cadre assigned in the subtree covers (help may still come from above). */
  categoriesWithoutCadre: string[];
  /** Workplaces in force in the subtree that were checked. */
  workplaces: number;
  /** Workplaces where routing finds nobody for some categories (policy order), most first. */
  gaps: { unitId: string; categories: string[] }[];
  /** Eligible cadres who have not acted in `idleDays`. */
  idle: { memberId: string; name: string }[];
}

/** Everything the steering committee's monthly report shows for one unit. */
export interface SteeringReport {
  unitId: string;
  unitName: string;
  month: ReportMonth;
  /** The month is not over: figures until `asOf`. */
  soFar: boolean;
  /** Where the figures stop: the month's end, or the time the report was made when it is not over. */
  asOf: Date;
  generatedAt: Date;
  /** Category ids in policy order. */
  categories: string[];
  reach: { members: MemberFigures; broadcasts: BroadcastFigures['total'] };
  meetings: SteeringMeetings;
  surveys: SteeringSurvey[];
  concerns: ConcernFigures;
  cases: SteeringCases;
  inspections: SteeringInspection[];
  cadres: SteeringCadres;
  /** Names of every unit the report mentions. */
  unitNames: Record<string, string>;
}

/** What the report reads through: the app's services and the models (the org tree, members). */
export type SteeringDeps = Pick<Services, 'org' | 'dashboard' | 'surveys' | 'meetings' | 'cases' | 'concerns'> & { models: Models };

const overlaps = (s: { opensAt: Date; closesAt: Date }, from: Date, until: Date) => s.opensAt.getTime() < until.getTime() && s.closesAt.getTime() > from.getTime();
const inside = (at: Date | undefined, from: Date, until: Date) => at !== undefined && at.getTime() >= from.getTime() && at.getTime() < until.getTime();

export class SteeringReportReader {
  constructor(private readonly d: SteeringDeps) {}

  /** The report of `unitId` (known to exist; the caller checks scope) for `month`, made at `now`. */
  async read(o: { unitId: string; month: ReportMonth; now: Date }): Promise<SteeringReport> {
    const { org, concerns } = this.d;
    const { month, now } = o;
    const soFar = now.getTime() < month.until.getTime();
    const asOf = soFar ? now : month.until;
    // The tree as it stood at the month's end (its last instant).
    const treeAt = new Date(asOf.getTime() - 1);
    const unit = await org.get(o.unitId, treeAt);
    if (!unit) throw new Error(`no org unit ${o.unitId}`);
    const subtree = await org.idsUnder([unit._id], treeAt);
    const within = new Set(subtree);
    const period: DashboardPeriod = { from: month.from, until: month.until };
    const roots = await concerns.review.roots(treeAt);
    // The city level (the one root) reads as the dashboard's whole tree, broadcasts to everyone included.
    const whole = roots.length === 1 && roots[0] === unit._id;
    const scope: ResolvedScope = { whole, units: [unit._id], ...(whole ? {} : { unitIds: subtree }), has: (id) => whole || (id !== undefined && within.has(id)) };
    const [dashboard, meetings, surveys, cases, review] = await Promise.all([
      this.d.dashboard.read({ scope, unitId: whole ? undefined : unit._id, period, now: treeAt }),
      this.meetings(month, asOf, within),
      this.surveys(unit, subtree, month, asOf),
      this.cases(unit._id, month, asOf, treeAt),
      concerns.review.review(unit._id, asOf),
    ]);
    const eligible = review.cadres.filter((c) => c.eligible);
    const gaps = new Map<string, string[]>();
    for (const g of review.gaps) gaps.set(g.unitId, [...(gaps.get(g.unitId) ?? []), g.category]);
    const cadres: SteeringCadres = {
      at: review.at,
      idleDays: review.idleDays,
      cadres: review.cadres.length,
      eligible: eligible.length,
      byOrganisation: review.byOrganisation,
      byCategory: review.byCategory,
      categoriesWithoutCadre: review.categoriesWithoutCadre,
      workplaces: review.workplaces,
      gaps: [...gaps].map(([unitId, categories]) => ({ unitId, categories })).sort((a, b) => b.categories.length - a.categories.length || a.unitId.localeCompare(b.unitId)),
      idle: eligible.filter((c) => c.idle).map((c) => ({ memberId: c.memberId, name: c.name })),
    };
    const named = new Set<string>([unit._id, ...Object.keys(dashboard.unitNames), ...meetings.byUnit.map((m) => m.unitId), ...cadres.gaps.map((g) => g.unitId), ...inspectionsUnits(surveys.inspections)]);
    const unitNames: Record<string, string> = { ...dashboard.unitNames };
    for (const id of named) unitNames[id] ??= (await org.get(id, treeAt))?.name ?? id;
    return {
      unitId: unit._id,
      unitName: unit.name,
      month,
      soFar,
      asOf,
      generatedAt: now,
      categories: dashboard.categories,
      reach: { members: dashboard.members, broadcasts: dashboard.broadcasts.total },
      meetings,
      surveys: surveys.surveys,
      concerns: dashboard.concerns,
      cases,
      inspections: surveys.inspections,
      cadres,
      unitNames,
    };
  }

  /** Meetings held in the month (started before `asOf`) in the subtree, summed, and per unit of the meetings. */
  private async meetings(month: ReportMonth, asOf: Date, within: ReadonlySet<string>): Promise<SteeringMeetings> {
    const figures = await meetingFigures(this.d.meetings.store, month.from, month.until, asOf);
    const byUnit = [...figures].filter(([unitId]) => within.has(unitId)).map(([unitId, f]) => ({ unitId, ...f, attendanceRate: attendanceRate(f) }));
    byUnit.sort((a, b) => b.held - a.held || a.unitId.localeCompare(b.unitId));
    const total = byUnit.reduce((s, f) => ({ held: s.held + f.held, present: s.present + f.present, members: s.members + f.members }), { held: 0, present: 0, members: 0 });
    return { ...total, attendanceRate: attendanceRate(total), byUnit };
  }

  /**
   * Surveys and inspections whose answering period overlaps the month. A survey counts for the
   * unit when some of its audience or respondents lie in the subtree; an inspection when some of
   * its forms are about units there.
   */
  private async surveys(unit: OrgUnitDoc, subtree: string[], month: ReportMonth, asOf: Date): Promise<{ surveys: SteeringSurvey[]; inspections: SteeringInspection[] }> {
    const s = this.d.surveys;
    const list = (await s.list()).filter((x) => overlaps(x, month.from, month.until));
    if (list.length === 0) return { surveys: [], inspections: [] };
    const units = await this.d.models.OrgUnit.find({}).lean<OrgUnitDoc[]>();
    const isRoot = !unit.parentId;
    const surveys: SteeringSurvey[] = [];
    const inspections: SteeringInspection[] = [];
    for (const survey of list) {
      const base = { id: survey._id, title: survey.definition.title, opensAt: survey.opensAt, closesAt: survey.closesAt, closed: survey.closesAt.getTime() <= asOf.getTime() };
      if (survey.kind === 'inspection') {
        const r = await s.results(survey._id, { within: subtree });
        if (!r?.inspection) continue;
        const lines = [...r.inspection.branches, ...r.inspection.parents];
        const own = lines.find((l) => l.unitId === unit._id);
        const rows = r.inspection.branches.filter((b) => b.inspections > 0).map((b) => ({ unitId: b.unitId, name: b.name, inspections: b.inspections, score: b.score }));
        if (!own || own.inspections === 0) continue;
        inspections.push({ ...base, inspections: own.inspections, branches: own.branches, score: own.score, rows });
        continue;
      }
      // The whole survey's results, so the unit's figure is hidden exactly when the results hide its line.
      const r = await s.results(survey._id);
      if (!r) continue;
      let audience: number;
      let respondents: number | null;
      if (isRoot) {
        audience = r.audienceSize;
        respondents = r.respondents;
      } else {
        audience = await s.countAudience(survey.definition, units, subtree);
        const line = r.breakdowns.orgUnit.find((g) => g.key === unit._id);
        // No line: nobody of the subtree answered — unless the results show no breakdown at all (withheld).
        respondents = line ? line.respondents : r.withheld ? null : 0;
      }
      if (audience === 0 && !respondents) continue;
      const responseRate = respondents === null || audience === 0 ? null : Math.round((respondents / audience) * 10_000) / 10_000;
      surveys.push({ ...base, anonymous: survey.definition.anonymous, audience, respondents, responseRate });
    }
    return { surveys, inspections };
  }

  /** Cases about the subtree: formed in the month, resolved in it, and open at its end. */
  private async cases(unitId: string, month: ReportMonth, asOf: Date, treeAt: Date): Promise<SteeringCases> {
    const all = await this.d.cases.list(unitId, treeAt);
    const formed = all.filter((c) => inside(c.createdAt, month.from, month.until));
    return {
      formed: summariseCases(formed),
      resolvedInMonth: all.filter((c) => inside(c.resolvedAt, month.from, month.until)).length,
      openAtEnd: all.filter((c) => c.createdAt.getTime() < asOf.getTime() && !(c.resolvedAt && c.resolvedAt.getTime() < asOf.getTime())).length,
    };
  }

  /**
   * Each unit's secretariat: active members holding the `secretariat` role with a grant at that
   * unit (`scopeOf`, the one reading of grants); a role held without any grant counts at the
   * top unit(s), as access-scope.ts reads it. Units not in force at `at` are left out.
   */
  async secretariats(at: Date): Promise<Map<string, string[]>> {
    const staff = await this.d.models.Member.find({ roles: 'secretariat', status: 'active' }, { roles: 1, grants: 1 }).lean<Pick<MemberDoc, '_id' | 'roles' | 'grants'>[]>();
    const roots = await this.d.concerns.review.roots(at);
    const out = new Map<string, string[]>();
    for (const m of staff.sort((a, b) => a._id.localeCompare(b._id))) {
      for (const granted of scopeOf(m, 'secretariat')) {
        for (const unitId of granted === '*' ? roots : [granted]) {
          if (!(await this.d.org.get(unitId, at))) continue;
          const list = out.get(unitId) ?? [];
          if (!list.includes(m._id)) list.push(m._id);
          out.set(unitId, list);
        }
      }
    }
    return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
  }
}

function inspectionsUnits(list: SteeringInspection[]): string[] {
  return list.flatMap((i) => i.rows.map((r) => r.unitId));
}

/** The key figures in one line each (the chat message, the CLI), in the reader's language. */
export function steeringSummary(t: (key: string, vars?: Record<string, unknown>) => string, r: SteeringReport, locale: string): string {
  const nf = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  const num = (n: number) => nf.format(n);
  const pct = (rate: number | null) => (rate === null ? t('steering:none') : t('steering:percent', { n: num(Math.round(rate * 1000) / 10) }));
  const c = r.concerns;
  const answered = r.surveys.reduce((s, x) => s + (x.respondents ?? 0), 0);
  const lines = [
    t('steering:chat.title', { unit: r.unitName, month: monthLabel(t, r.month) }),
    ...(r.soFar ? [t('steering:so_far', { at: formatVnTime(r.asOf) })] : []),
    t('steering:chat.reach', { active: num(r.reach.members.active), sent: num(r.reach.broadcasts.sent), broadcasts: num(r.reach.broadcasts.broadcasts) }),
    t('steering:chat.meetings', { held: num(r.meetings.held), attendance: pct(r.meetings.attendanceRate) }),
    t('steering:chat.surveys', { surveys: num(r.surveys.length), answered: num(answered) }),
    t('steering:chat.concerns', { total: num(c.total), open: num(c.byCategory.reduce((s, x) => s + x.open, 0)), sla: pct(c.sla.slaHitRate) }),
    t('steering:chat.cases', { formed: num(r.cases.formed.total.cases), open: num(r.cases.openAtEnd) }),
    t('steering:chat.inspections', { forms: num(r.inspections.reduce((s, x) => s + x.inspections, 0)) }),
    t('steering:chat.cadres', { gaps: num(r.cadres.gaps.length), idle: num(r.cadres.idle.length) }),
  ];
  return lines.join('\n');
}

/** "Tháng 11/2026" / "November 2026". */
export function monthLabel(t: (key: string, vars?: Record<string, unknown>) => string, m: ReportMonth): string {
  return t('steering:month_label', { monthName: t(`steering:months.m${m.number}`), year: m.year, number: m.number });
}
