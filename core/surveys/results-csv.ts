/**
 * Survey results as one CSV table (the shared writer, core/csv-writer.ts: UTF-8 with BOM so Excel
 * shows Vietnamese, CRLF lines, formula-like text defused), in long format — one row per
 * number — so it pivots easily. Suppressed figures (about fewer than 5 people, or computable
 * from shown ones: see suppression.ts) are written "suppressed"; an anonymous survey with fewer
 * than 5 respondents has a "withheld" row saying how many more are needed, and no answers.
 */
import { toCsv, type CsvCell } from '../csv-writer.js';
import { textIn } from './definition.js';
import type { QuestionTally, SurveyResults } from './results.js';

const HEADER = ['section', 'group_kind', 'group', 'respondents', 'question', 'question_text', 'option', 'option_text', 'count', 'percent', 'mean'];

const suppressed = 'suppressed';

/** The CSV text of a survey's results, in one language for the texts. */
export function resultsToCsv(r: SurveyResults, locale = 'vi'): string {
  const rows: CsvCell[][] = [HEADER];
  const qText = new Map(r.questions.map((q) => [q.id, textIn(q.text, locale)]));
  const tallyRows = (section: string, kind: string, group: string, respondents: number | string, qid: string, t: QuestionTally) => {
    if (t.options) {
      for (const o of t.options) rows.push([section, kind, group, respondents, qid, qText.get(qid), o.id, textIn(o.text, locale), o.count ?? suppressed, o.pct ?? suppressed, '']);
    }
    if (t.mean !== undefined) rows.push([section, kind, group, respondents, qid, qText.get(qid), '', '', t.answered ?? suppressed, '', t.answered === null ? suppressed : (t.mean ?? '')]);
  };
  rows.push(['summary', '', '', r.respondents, '', '', 'audience', '', r.audienceSize, r.responseRate === null ? '' : Math.round(r.responseRate * 1000) / 10, '']);
  rows.push(['summary', '', '', r.respondents, '', '', 'responses', '', r.responses, '', '']);
  if (r.withheld) rows.push(['withheld', '', '', r.respondents, '', '', 'needed', '', r.withheld.needed, '', '']);
  for (const q of r.questions) {
    if (q.type === 'text') {
      for (const a of q.texts ?? []) rows.push(['text', '', a.memberId ?? '', '', q.id, qText.get(q.id), '', a.text, '', '', '']);
    } else tallyRows('overall', '', 'all', r.respondents, q.id, q);
  }
  for (const [kind, groups] of Object.entries(r.breakdowns)) {
    for (const g of groups) {
      const name = g.name ?? g.key;
      if (g.respondents === null) {
        rows.push(['breakdown', kind, name, suppressed, '', '', '', '', '', '', '']);
        continue;
      }
      for (const [qid, t] of Object.entries(g.questions)) tallyRows('breakdown', kind, name, g.respondents, qid, t);
    }
  }
  for (const [section, list] of [['inspection_branch', r.inspection?.branches ?? []], ['inspection_parent', r.inspection?.parents ?? []]] as const) {
    for (const u of list) {
      rows.push([section, u.kind, u.name, u.inspections, 'score', '', '', '', u.branches, '', u.score ?? '']);
      // Branch meetings held in the year before the inspection closed: count = meetings held, then check-ins with the attendance rate.
      if (u.meetings) {
        rows.push([section, u.kind, u.name, u.inspections, 'meetings_held', '', '', '', u.meetings.held, '', '']);
        rows.push([section, u.kind, u.name, u.inspections, 'meetings_present', '', 'members', '', u.meetings.present, u.meetings.attendanceRate === null ? '' : Math.round(u.meetings.attendanceRate * 1000) / 10, u.meetings.members]);
      }
      for (const [qid, t] of Object.entries(u.questions)) tallyRows(section, u.kind, u.name, u.inspections, qid, t);
    }
  }
  return toCsv(rows);
}
