import { describe, expect, it } from 'vitest';
import type { OrgUnitDoc } from '../db.js';
import { validateSurvey } from './definition.js';
import type { SurveyDoc, SurveyResponseDoc } from './models.js';
import { computeResults, type SurveyResults } from './results.js';
import { suppress } from './suppression.js';

const unit = (_id: string, ancestors: string[]): OrgUnitDoc => ({ _id, name: _id, kind: 'unit', parentId: ancestors[ancestors.length - 1], ancestors, aliases: [] });
const units = new Map([unit('hcm', []), unit('vsip1', ['hcm']), unit('pt', ['hcm', 'vsip1']), unit('hs', ['hcm', 'vsip1']), unit('st', ['hcm'])].map((u) => [u._id, u]));

const definition = validateSurvey({
  id: 'nha-o',
  title: { vi: 'Nhà ở' },
  opensAt: '2026-11-01T00:00:00+07:00',
  closesAt: '2026-12-01T00:00:00+07:00',
  anonymous: true,
  profile: ['gender'],
  questions: [
    { id: 'housing', type: 'single', text: { vi: 'Ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] },
    { id: 'rent', type: 'number', required: false, min: 0, max: 20000, text: { vi: 'Tiền trọ?' }, showIf: { question: 'housing', anyOf: ['tro'] } },
    { id: 'overtime', type: 'number', required: false, min: 0, max: 80, text: { vi: 'Tăng ca?' } },
  ],
});
const survey: SurveyDoc = { _id: 'nha-o', definition, kind: 'survey', opensAt: definition.opensAt, closesAt: definition.closesAt, importedAt: definition.opensAt };

let n = 0;
/** `count` responses at a unit, all with the same answers. */
const responses = (count: number, orgUnitId: string, answers: Record<string, unknown>, gender?: string): SurveyResponseDoc[] =>
  Array.from({ length: count }, () => ({ _id: `r${++n}`, surveyId: 'nha-o', orgUnitId, ...(gender ? { gender } : {}), answers: JSON.stringify(answers), day: '2026-11-20' }));

const results = (list: SurveyResponseDoc[]) => computeResults({ survey, responses: list, units, audienceSize: 100 });
const group = (r: SurveyResults, kind: keyof SurveyResults['breakdowns'], key: string) => r.breakdowns[kind].find((g) => g.key === key)!;
const counts = (r: SurveyResults, kind: keyof SurveyResults['breakdowns'], key: string, q = 'housing') => group(r, kind, key).questions[q]?.options?.map((o) => o.count);

describe('results of an anonymous survey', () => {
  it('are withheld until 5 people have answered, saying how many more are needed', () => {
    const one = results(responses(1, 'pt', { housing: 'ktx', overtime: 12 }));
    expect(one).toMatchObject({ respondents: 1, questions: [], breakdowns: { orgUnit: [], ageBand: [], gender: [] }, withheld: { needed: 4 } });
    expect(JSON.stringify(one)).not.toContain('ktx');
    const five = results(responses(5, 'pt', { housing: 'ktx' }));
    expect(five.withheld).toBeUndefined();
    expect(five.questions[0]!.options!.map((o) => o.count)).toEqual([0, 5]);
  });
});

describe('small cells in breakdowns, also by subtraction', () => {
  it('8 respondents, 7 in boarding rooms, 1 in a dormitory: the dormitory is hidden, and "7 in boarding rooms" is not shown either', () => {
    const r = results([...responses(7, 'pt', { housing: 'tro' }), ...responses(1, 'pt', { housing: 'ktx' }), ...responses(5, 'hs', { housing: 'tro' }), ...responses(5, 'hs', { housing: 'ktx' })]);
    // The overall figures are the survey's results.
    expect(r.questions[0]!.options!.map((o) => o.count)).toEqual([12, 6]);
    expect(group(r, 'orgUnit', 'pt').respondents).toBe(8);
    expect(counts(r, 'orgUnit', 'pt')).toEqual([null, null]);
    expect(group(r, 'orgUnit', 'pt').questions.housing).toMatchObject({ answered: null });
    // Nor can it be worked out: KCN VSIP I (18) minus Hoa Sen (5 and 5) would leave 7 and 1.
    expect(counts(r, 'orgUnit', 'vsip1')).toEqual([12, 6]);
    expect(counts(r, 'orgUnit', 'hs')).toEqual([null, null]);
  });

  it('hides a group whose size is the difference between its parent and the groups shown beside it', () => {
    const r = results([...responses(8, 'pt', { housing: 'tro' }), ...responses(3, 'hs', { housing: 'tro' })]);
    expect(group(r, 'orgUnit', 'vsip1').respondents).toBe(11);
    expect(group(r, 'orgUnit', 'hs').respondents).toBeNull();
    // 11 − 8 would tell Hoa Sen's 3, and subtracting Phúc Thịnh's answers would tell theirs.
    expect(group(r, 'orgUnit', 'pt')).toMatchObject({ respondents: null, questions: {} });
  });

  it('looks through zeros: 1 dormitory overall and 0 among men would tell the hidden woman', () => {
    const r = results([...responses(7, 'pt', { housing: 'tro' }, 'female'), ...responses(1, 'pt', { housing: 'ktx' }, 'female'), ...responses(5, 'hs', { housing: 'tro' }, 'male')]);
    expect(r.questions[0]!.options!.map((o) => o.count)).toEqual([12, 1]);
    expect(counts(r, 'gender', 'female')).toEqual([null, null]);
    expect(counts(r, 'gender', 'male')).toEqual([null, null]);
  });

  it('hides a question asked after an answer wherever that answer is hidden, and a mean of fewer than 5', () => {
    const r = results([
      ...responses(7, 'pt', { housing: 'tro', rent: 1500, overtime: 10 }),
      ...responses(1, 'pt', { housing: 'ktx' }),
      ...responses(2, 'pt', { housing: 'ktx', overtime: 40 }),
      ...responses(5, 'st', { housing: 'ktx', overtime: 8 }),
    ]);
    const pt = group(r, 'orgUnit', 'pt');
    expect(pt.respondents).toBe(10);
    expect(counts(r, 'orgUnit', 'pt')).toEqual([null, null]);
    // 7 answered the rent: that would be the 7 in boarding rooms.
    expect(pt.questions.rent).toEqual({ answered: null, mean: null });
    // 9 answered overtime at Phúc Thịnh: shown with its mean.
    expect(pt.questions.overtime).toEqual({ answered: 9, mean: 16.67 });
  });

  it('hides the smallest group under a parent whose own members would be left fewer than 5', () => {
    const cells = (n: number) => ({ q: { answered: n } });
    const s = suppress({
      root: { respondents: 30, cells: cells(30) },
      groups: [
        { key: 'a', respondents: 20, cells: cells(20) },
        { key: 'a1', parent: 'a', respondents: 9, cells: cells(9) },
        { key: 'a2', parent: 'a', respondents: 8, cells: cells(8) },
        { key: 'b', respondents: 10, cells: cells(10) },
      ],
      questions: [{ id: 'q' }],
      min: 5,
    });
    // 3 people belong to "a" itself: 20 − 9 − 8 would count them; with a2 hidden, 11 are left.
    expect([...s.groups]).toEqual(['a2']);
    expect([...s.tallies]).toEqual([]);
  });
});
