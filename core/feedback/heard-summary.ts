/**
 * The first draft of "what we heard" after a survey closes, written from the results as
 * suppressed for publication: the response rate, then each choice question's most chosen answers
 * with their shares, and each number question's mean. Cells the results withhold (too few people)
 * stay out; free-text answers never appear (a sentence can identify its writer); an anonymous
 * survey under the minimum of respondents says only that there were too few to publish.
 */
import type { Translate } from '../i18n.js';
import { textIn } from '../surveys/definition.js';
import type { SurveyResults } from '../surveys/results.js';

/** How many answers of a choice question the draft names. */
const TOP_OPTIONS = 2;
/** Questions the draft covers (the secretariat edits it; a broadcast message must stay short). */
const MAX_QUESTIONS = 8;

/** The draft in `locale`, one line per question. */
export function heardSummary(r: SurveyResults, t: Translate, locale: string): string {
  const pct = (x: number) => t('survey:results_percent', { value: x });
  const rate = r.responseRate === null ? null : Math.round(r.responseRate * 1000) / 10;
  const lines = [t('feedback:heard.header', { count: r.respondents, title: textIn(r.title, locale), rate: rate === null ? '—' : pct(rate) })];
  if (r.withheld) return [...lines, t('feedback:heard.withheld')].join('\n');
  for (const q of r.questions) {
    if (lines.length > MAX_QUESTIONS) break;
    const question = textIn(q.text, locale);
    if (q.type === 'single' || q.type === 'multiple') {
      const shown = (q.options ?? []).filter((o) => o.pct !== null && (o.count ?? 0) > 0).sort((a, b) => b.pct! - a.pct!).slice(0, TOP_OPTIONS);
      if (shown.length === 0) continue;
      const answers = shown.map((o) => t('feedback:heard.option', { text: textIn(o.text, locale), pct: pct(o.pct!) })).join(t('feedback:heard.separator'));
      lines.push(t('feedback:heard.question', { question, answers }));
    } else if (q.mean !== undefined && q.mean !== null) {
      lines.push(t('feedback:heard.mean', { question, mean: t('survey:results_number', { value: q.mean }) }));
    }
  }
  return lines.join('\n');
}
