/**
 * Survey results computed in one pass over the responses: per-question counts and
 * percentages, breakdowns by org unit subtree, age band and gender with small cells suppressed
 * (also by subtraction: see suppression.ts), free-text answers, response rate, and for
 * inspections the roll-up per inspected branch and per parent unit. An anonymous survey shows
 * nothing but its counts until MIN_CELL people have answered.
 */
import type { OrgUnitDoc } from '../db.js';
import { questionsOf, type AnswerValue, type AskedQuestion } from './answers.js';
import type { LocalizedText } from './definition.js';
import type { RollupMeetings } from './meeting-rollup.js';
import { answersOf, type SurveyDoc, type SurveyResponseDoc } from './models.js';
import { suppress, tallyKey, type Cells, type SuppressionGroup } from './suppression.js';

/** No figure shown in a breakdown is about fewer people than this (nor an anonymous survey's results). */
export const MIN_CELL = 5;

/** One option's tally; `count` and `pct` are null when suppressed. */
export interface OptionCount {
  id: string;
  text: LocalizedText;
  count: number | null;
  pct: number | null;
}

/** One question's tally, overall or within a group. */
export interface QuestionTally {
  /** Null when the group's tally is suppressed: then every count, percent and mean is null too. */
  answered: number | null;
  options?: OptionCount[];
  mean?: number | null;
  min?: number;
  max?: number;
  median?: number;
}

export interface QuestionResult extends QuestionTally {
  id: string;
  type: AskedQuestion['type'];
  text: LocalizedText;
  /** Free-text answers; with the member id only for named surveys. */
  texts?: { text: string; memberId?: string }[];
}

/** One group of a breakdown (an org subtree, an age band, a gender). */
export interface BreakdownGroup {
  key: string;
  name?: string;
  /** Respondents in the group; null when the whole group is suppressed (small, or computable from the others). */
  respondents: number | null;
  questions: Record<string, QuestionTally>;
}

/** Roll-up of inspections about one unit (a branch, or a parent unit over its branches). */
export interface InspectionRollup {
  unitId: string;
  name: string;
  kind: string;
  parentId?: string;
  /** Inspections answered about this unit (or branches under it). */
  inspections: number;
  /** Branches inspected (1 for a branch). */
  branches: number;
  /** Mean of the 1–5 scale answers, null without any. */
  score: number | null;
  questions: Record<string, QuestionTally>;
  /** Branch meetings held and their attendance (core/surveys/meeting-rollup.ts), when any were held. */
  meetings?: RollupMeetings;
}

export interface SurveyResults {
  surveyId: string;
  title: LocalizedText;
  kind: 'survey' | 'inspection';
  anonymous: boolean;
  /** Unique people who answered (a cadre inspecting three branches counts once). */
  respondents: number;
  /** Responses (forms) stored: equal to respondents for surveys, one per branch for inspections. */
  responses: number;
  audienceSize: number;
  /** respondents / audience (0–1), null with an empty audience. */
  responseRate: number | null;
  questions: QuestionResult[];
  breakdowns: { orgUnit: BreakdownGroup[]; ageBand: BreakdownGroup[]; gender: BreakdownGroup[] };
  /**
   * An anonymous survey with fewer than MIN_CELL respondents: no answers are shown (no
   * questions, no breakdowns) until `needed` more people have answered.
   */
  withheld?: { needed: number };
  inspection?: { branches: InspectionRollup[]; parents: InspectionRollup[] };
}

/** Running tally of one question. */
class Acc {
  answered = 0;
  counts = new Map<string, number>();
  sum = 0;
  n = 0;
  add(v: AnswerValue): void {
    this.answered++;
    if (typeof v === 'number') {
      this.sum += v;
      this.n++;
      this.counts.set(String(v), (this.counts.get(String(v)) ?? 0) + 1);
    } else if (Array.isArray(v)) {
      for (const x of v) this.counts.set(x, (this.counts.get(x) ?? 0) + 1);
    } else {
      this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    }
  }
}

class GroupAcc {
  respondents = 0;
  q = new Map<string, Acc>();
  scoreSum = 0;
  scoreN = 0;
  subjects = new Set<string>();
  acc(id: string): Acc {
    let a = this.q.get(id);
    if (!a) this.q.set(id, (a = new Acc()));
    return a;
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function scaleOptions(): { id: string; text: LocalizedText }[] {
  return [1, 2, 3, 4, 5].map((v) => ({ id: String(v), text: { vi: String(v) } }));
}

const optionsOf = (q: AskedQuestion) => (q.type === 'scale' ? scaleOptions() : q.type === 'single' || q.type === 'multiple' ? q.options : undefined);

/** Turns an accumulator into a tally; `hidden`: every figure null (suppressed). */
function tally(q: AskedQuestion, a: Acc | undefined, hidden = false): QuestionTally {
  const answered = a?.answered ?? 0;
  const out: QuestionTally = { answered: hidden ? null : answered };
  const opts = optionsOf(q);
  if (opts) {
    out.options = opts.map((o) => {
      const c = a?.counts.get(o.id) ?? 0;
      return { id: o.id, text: o.text, count: hidden ? null : c, pct: hidden ? null : answered ? round((100 * c) / answered) : 0 };
    });
  }
  if (q.type === 'scale' || q.type === 'number') out.mean = !hidden && a && a.n ? round(a.sum / a.n, 2) : null;
  return out;
}

/** The figures of a tally that suppression looks at: how many answered, and each option's count. */
function cellsOf(q: AskedQuestion, a: Acc | undefined): Cells {
  const cells: Cells = { answered: a?.answered ?? 0 };
  for (const o of optionsOf(q) ?? []) cells[`option:${o.id}`] = a?.counts.get(o.id) ?? 0;
  return cells;
}

/** Computes everything from the survey's responses and the org tree. */
export function computeResults(input: { survey: SurveyDoc; responses: SurveyResponseDoc[]; units: Map<string, OrgUnitDoc>; audienceSize: number }): SurveyResults {
  const { survey, responses, units, audienceSize } = input;
  const def = survey.definition;
  const questions = questionsOf(def).filter((q) => !q.profile);
  const overall = new GroupAcc();
  const numbers = new Map<string, number[]>();
  const texts = new Map<string, { text: string; memberId?: string }[]>();
  const groups = { orgUnit: new Map<string, GroupAcc>(), ageBand: new Map<string, GroupAcc>(), gender: new Map<string, GroupAcc>() };
  const subjects = new Map<string, GroupAcc>();
  const groupOf = (m: Map<string, GroupAcc>, key: string) => {
    let g = m.get(key);
    if (!g) m.set(key, (g = new GroupAcc()));
    return g;
  };

  for (const r of responses) {
    const targets: GroupAcc[] = [overall];
    const unit = r.orgUnitId ? units.get(r.orgUnitId) : undefined;
    for (const key of unit ? [...unit.ancestors, unit._id] : ['_none']) targets.push(groupOf(groups.orgUnit, key));
    targets.push(groupOf(groups.ageBand, r.ageBand ?? '_none'));
    targets.push(groupOf(groups.gender, r.gender ?? '_none'));
    let scoreSum = 0;
    let scoreN = 0;
    const subjectTargets: GroupAcc[] = [];
    if (r.subjectUnitId) {
      const s = units.get(r.subjectUnitId);
      for (const key of s ? [r.subjectUnitId, ...s.ancestors] : [r.subjectUnitId]) subjectTargets.push(groupOf(subjects, key));
    }
    for (const g of targets) g.respondents++;
    for (const g of subjectTargets) {
      g.respondents++;
      g.subjects.add(r.subjectUnitId!);
    }
    const answers = answersOf(r);
    for (const q of questions) {
      const v = answers[q.id];
      if (v === undefined || v === null) continue;
      if (q.type === 'text') {
        const list = texts.get(q.id) ?? [];
        list.push(def.anonymous ? { text: String(v) } : { text: String(v), memberId: r.memberId });
        texts.set(q.id, list);
        overall.acc(q.id).add('_');
        continue;
      }
      if (q.type === 'number') {
        const list = numbers.get(q.id) ?? [];
        list.push(Number(v));
        numbers.set(q.id, list);
      }
      if (q.type === 'scale') {
        scoreSum += Number(v);
        scoreN++;
      }
      for (const g of targets) g.acc(q.id).add(v);
      for (const g of subjectTargets) g.acc(q.id).add(v);
    }
    if (scoreN > 0) {
      for (const g of subjectTargets) {
        g.scoreSum += scoreSum / scoreN;
        g.scoreN++;
      }
    }
  }

  const questionResults: QuestionResult[] = questions.map((q) => {
    const base: QuestionResult = { id: q.id, type: q.type, text: q.text, ...tally(q, overall.q.get(q.id)) };
    const nums = numbers.get(q.id);
    if (nums?.length) {
      nums.sort((a, b) => a - b);
      base.min = nums[0];
      base.max = nums[nums.length - 1];
      const mid = nums.length >> 1;
      base.median = nums.length % 2 ? nums[mid] : (nums[mid - 1]! + nums[mid]!) / 2;
    }
    if (q.type === 'text') {
      const list = texts.get(q.id) ?? [];
      // Anonymous answers are listed in text order, so their order says nothing about who or when.
      base.texts = def.anonymous ? [...list].sort((a, b) => a.text.localeCompare(b.text, 'vi')) : list;
    }
    return base;
  });

  const tallied = questions.filter((q) => q.type !== 'text');
  const tallyIds = new Set(tallied.map((q) => q.id));
  const cellsByQuestion = (g: GroupAcc) => Object.fromEntries(tallied.map((q) => [q.id, cellsOf(q, g.q.get(q.id))]));
  const rootCells = cellsByQuestion(overall);
  const breakdown = (m: Map<string, GroupAcc>, named: boolean): BreakdownGroup[] => {
    const parentOf = (key: string): string | undefined => {
      const unit = named ? units.get(key) : undefined;
      return unit?.ancestors.length ? unit.ancestors[unit.ancestors.length - 1] : undefined;
    };
    const groupsIn: SuppressionGroup[] = [...m.entries()].map(([key, g]) => ({ key, parent: parentOf(key), respondents: g.respondents, cells: cellsByQuestion(g) }));
    const hidden = suppress({
      root: { respondents: overall.respondents, cells: rootCells },
      groups: groupsIn,
      questions: tallied.map((q) => ({ id: q.id, dependsOn: q.showIf && tallyIds.has(q.showIf.question) ? q.showIf.question : undefined })),
      min: MIN_CELL,
    });
    const list = [...m.entries()].map(([key, g]) => {
      const suppressed = hidden.groups.has(key);
      const qs: Record<string, QuestionTally> = {};
      if (!suppressed) for (const q of tallied) qs[q.id] = tally(q, g.q.get(q.id), hidden.tallies.has(tallyKey(key, q.id)));
      const unit = named ? units.get(key) : undefined;
      return { key, name: unit?.name, respondents: suppressed ? null : g.respondents, questions: qs, depth: unit?.ancestors.length ?? 99 };
    });
    list.sort((a, b) => a.depth - b.depth || (a.name ?? a.key).localeCompare(b.name ?? b.key, 'vi'));
    return list.map(({ depth: _depth, ...g }) => g);
  };

  // Anonymous responses are one per person by construction; named ones may be several per person (inspections).
  const unique = def.anonymous ? responses.length : new Set(responses.map((r) => r.memberId ?? r._id)).size;
  if (def.anonymous && unique < MIN_CELL) {
    // With so few, every figure is about one person or a handful: show none of their answers.
    return {
      surveyId: survey._id,
      title: def.title,
      kind: def.kind,
      anonymous: true,
      respondents: unique,
      responses: overall.respondents,
      audienceSize,
      responseRate: audienceSize > 0 ? round(unique / audienceSize, 4) : null,
      questions: [],
      breakdowns: { orgUnit: [], ageBand: [], gender: [] },
      withheld: { needed: MIN_CELL - unique },
    };
  }
  const result: SurveyResults = {
    surveyId: survey._id,
    title: def.title,
    kind: def.kind,
    anonymous: def.anonymous,
    respondents: unique,
    responses: overall.respondents,
    audienceSize,
    responseRate: audienceSize > 0 ? round(unique / audienceSize, 4) : null,
    questions: questionResults,
    breakdowns: { orgUnit: breakdown(groups.orgUnit, true), ageBand: breakdown(groups.ageBand, false), gender: breakdown(groups.gender, false) },
  };

  if (def.kind === 'inspection') {
    const rollups = [...subjects.entries()].map(([unitId, g]): InspectionRollup & { depth: number } => {
      const u = units.get(unitId);
      const qs: Record<string, QuestionTally> = {};
      for (const q of questions) if (q.type !== 'text') qs[q.id] = tally(q, g.q.get(q.id));
      return { unitId, name: u?.name ?? unitId, kind: u?.kind ?? '?', parentId: u?.parentId, inspections: g.respondents, branches: g.subjects.size, score: g.scoreN ? round(g.scoreSum / g.scoreN, 2) : null, questions: qs, depth: u?.ancestors.length ?? 99 };
    });
    const subjectIds = new Set(responses.map((r) => r.subjectUnitId).filter(Boolean));
    const strip = ({ depth: _d, ...r }: InspectionRollup & { depth: number }) => r;
    rollups.sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name, 'vi'));
    result.inspection = {
      branches: rollups.filter((r) => subjectIds.has(r.unitId)).map(strip),
      parents: rollups.filter((r) => !subjectIds.has(r.unitId)).map(strip),
    };
  }
  return result;
}
