/** A compact summary of a survey's results in chat, for the secretariat (the full tables go to CSV via the admin CLI). */
import type { Flow, FlowContext } from '../core/engine/flow.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';
import { textIn } from '../core/surveys/definition.js';
import { MIN_CELL, type InspectionRollup, type SurveyResults } from '../core/surveys/results.js';

/** The summary text: response rate, each question's counts or mean, inspection scores; for an anonymous survey under MIN_CELL respondents, how many more are needed. */
export function summarize(ctx: Pick<FlowContext, 't' | 'locale'>, r: SurveyResults): string {
  const { t, locale } = ctx;
  // Numbers as the reader writes them (decimal comma and "12,5 %" in Vietnamese): the formats live in locales.
  const num = (x: number | null | undefined) => (x === null || x === undefined ? t('survey:results_no_value') : t('survey:results_number', { value: x }));
  const pct = (x: number | null) => (x === null ? t('survey:results_no_value') : t('survey:results_percent', { value: x }));
  const rate = r.responseRate === null ? null : Math.round(r.responseRate * 1000) / 10;
  const lines = [t('survey:results_header', { title: textIn(r.title, locale), respondents: r.respondents, audience: r.audienceSize, rate: pct(rate) })];
  if (r.withheld) {
    lines.push('', t('survey:results_withheld', { respondents: r.respondents, min: MIN_CELL, needed: r.withheld.needed }));
    return lines.join('\n');
  }
  if (r.kind === 'inspection') lines.push(t('survey:results_forms', { responses: r.responses }));
  r.questions.forEach((q, i) => {
    lines.push('', t('survey:results_question', { n: i + 1, text: textIn(q.text, locale), answered: q.answered }));
    if (q.type === 'single' || q.type === 'multiple') {
      for (const o of q.options ?? []) lines.push(t('survey:results_option', { text: textIn(o.text, locale), count: o.count ?? t('survey:results_suppressed'), pct: pct(o.pct) }));
    }
    if (q.mean !== undefined && q.mean !== null) lines.push(t('survey:results_mean', { mean: num(q.mean) }));
    if (q.type === 'text') lines.push(t('survey:results_texts', { count: q.texts?.length ?? 0 }));
  });
  if (r.inspection) {
    const unitLine = (u: InspectionRollup) =>
      t('survey:results_unit_line', { name: u.name, score: num(u.score), inspections: u.inspections }) +
      (u.meetings ? t('survey:results_unit_meetings', { held: u.meetings.held, rate: pct(u.meetings.attendanceRate === null ? null : Math.round(u.meetings.attendanceRate * 1000) / 10) }) : '');
    lines.push('', t('survey:results_branches'), ...r.inspection.branches.slice(0, 15).map(unitLine));
    lines.push('', t('survey:results_parents'), ...r.inspection.parents.slice(0, 10).map(unitLine));
  }
  lines.push('', t('survey:results_more', { id: r.surveyId }));
  return lines.join('\n');
}

export const surveyResultsFlow: Flow = {
  name: 'survey-results',
  roles: ['secretariat'],
  steps: {
    pick: {
      async enter(ctx) {
        const surveys = await ctx.services.surveys.list();
        if (surveys.length === 0) {
          ctx.reply(ctx.t('survey:results_none'));
          return ctx.home();
        }
        const choices = surveys.slice(-9).map((s) => ({ id: s._id, label: textIn(s.definition.title, ctx.locale) }));
        choices.push({ id: 'menu', label: ctx.t('survey:to_menu') });
        ctx.ask(ctx.t('survey:results_pick'), choices);
      },
      async input(ctx, input) {
        if (input.choice!.id === 'menu') return ctx.home();
        // A ward or zone sees the responses of its own subtree; the city level sees them all.
        const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
        const results = await ctx.services.surveys.results(input.choice!.id, scope.whole ? {} : { within: scope.unitIds ?? [] });
        if (!results) return ctx.repeat();
        await ctx.services.audit.record({ actor: ctx.member!._id, action: 'survey.results_viewed', target: results.surveyId, idempotencyKey: ctx.inbound.eventId, at: ctx.now });
        ctx.reply(summarize(ctx, results));
        return ctx.repeat();
      },
    },
  },
};
