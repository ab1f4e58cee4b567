/** Staff screens speak to staff: "anh/chị", no command lines, no cron, Vietnamese numbers. */
import { describe, expect, it } from 'vitest';
import { readLocaleFiles, Translations } from '../core/i18n.js';
import type { SurveyResults } from '../core/surveys/results.js';
import { summarize } from './survey-results.js';

const resources = readLocaleFiles();

/** Every string of a namespace, with its key. */
function strings(lng: string, ns: string): [string, string][] {
  const walk = (o: unknown, prefix: string): [string, string][] =>
    typeof o === 'string' ? [[prefix, o]] : Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k));
  return walk(resources[lng]![ns], '');
}

/** What the secretariat reads: its own area, broadcast wording (the footer goes to workers) and survey results. */
const staffStrings = (lng: string) => [
  // The engine's own wording on staff screens (core/engine/turn.ts `say`).
  ...strings(lng, 'common').filter(([k]) => k.endsWith('_staff')),
  ...strings(lng, 'secretariat'),
  ...strings(lng, 'review'),
  // Collective cases: what the lead and the secretariat read (the `worker` part speaks to workers).
  ...strings(lng, 'cases').filter(([k]) => k.startsWith('staff.')),
  ...strings(lng, 'broadcasts').filter(([k]) => k !== 'footer'),
  ...strings(lng, 'survey').filter(([k]) => k.startsWith('results')),
];

describe('staff wording', () => {
  it('addresses the secretariat as "anh/chị", never "bạn"', () => {
    for (const [key, text] of staffStrings('vi')) expect(text, key).not.toMatch(/(^|[^\p{L}])bạn([^\p{L}]|$)/iu);
  });

  it('never tells staff in chat to run a command, nor to write cron', () => {
    for (const lng of ['vi', 'en']) {
      for (const [key, text] of staffStrings(lng)) {
        expect(text, `${lng} ${key}`).not.toMatch(/npm run|admin --/);
        expect(text, `${lng} ${key}`).not.toMatch(/\bcron\b|5 trường|5-field/i);
      }
    }
  });

  it('writes survey result numbers as the reader does: "12,5 %" and "3,25" in Vietnamese', () => {
    const i18n = new Translations('vi');
    const results: SurveyResults = {
      surveyId: 'sv-1',
      title: { vi: 'Đời sống công nhân', en: 'Workers’ lives' },
      kind: 'survey',
      anonymous: true,
      respondents: 5,
      responses: 5,
      audienceSize: 40,
      responseRate: 0.125,
      questions: [
        { id: 'q1', type: 'single', text: { vi: 'Nhà trọ', en: 'Lodging' }, answered: 5, options: [{ id: 'a', text: { vi: 'Ổn', en: 'Fine' }, count: 5, pct: 62.5 }, { id: 'b', text: { vi: 'Chật', en: 'Cramped' }, count: null, pct: null }] },
        { id: 'q2', type: 'scale', text: { vi: 'Mức hài lòng', en: 'Satisfaction' }, answered: 5, mean: 3.25 },
      ],
      breakdowns: { orgUnit: [], ageBand: [], gender: [] },
    };
    const vi = summarize({ t: i18n.for('vi'), locale: 'vi' }, results);
    expect(vi).toContain('(tỉ lệ 12,5 %)');
    expect(vi).toContain('• Ổn: 5 (62,5 %)');
    expect(vi).toContain('• Chật: <5 (–)');
    expect(vi).toContain('Trung bình: 3,25');
    expect(vi).not.toMatch(/\d\.\d/);
    const en = summarize({ t: i18n.for('en'), locale: 'en' }, results);
    expect(en).toContain('(rate 12.5%)');
    expect(en).toContain('Mean: 3.25');
  });
});
