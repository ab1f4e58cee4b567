import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseSurveyFile, SurveyDefinitionError, validateSurvey } from './definition.js';

const base = {
  id: 'demo',
  title: { vi: 'Khảo sát thử', en: 'Demo' },
  opensAt: '2026-11-01T00:00:00+07:00',
  closesAt: '2026-12-31T00:00:00+07:00',
  anonymous: true,
  questions: [
    { id: 'q1', type: 'single', text: { vi: 'Bạn ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'nha', text: { vi: 'Nhà riêng' } }] },
    { id: 'q2', type: 'scale', text: { vi: 'Hài lòng?' } },
    { id: 'q3', type: 'number', text: { vi: 'Bao nhiêu?' }, min: 0, max: 10 },
    { id: 'q4', type: 'text', text: { vi: 'Góp ý' }, required: false, showIf: { question: 'q1', anyOf: ['tro'] } },
  ],
};

function problemsOf(data: unknown): string[] {
  try {
    validateSurvey(data);
  } catch (err) {
    if (err instanceof SurveyDefinitionError) return err.problems;
    throw err;
  }
  return [];
}

const withQuestion = (i: number, patch: Record<string, unknown>) => ({ ...base, questions: base.questions.map((q, j) => (j === i ? { ...q, ...patch } : q)) });

describe('survey definitions', () => {
  it('accepts a good definition with defaults filled in', () => {
    const def = validateSurvey(base);
    expect(def.kind).toBe('survey');
    expect(def.questions[0]!.required).toBe(true);
    expect(def.questions[3]!.required).toBe(false);
    expect(def.opensAt).toEqual(new Date('2026-10-31T17:00:00Z'));
  });

  it('rejects a skip rule pointing to an unknown question, with its exact path', () => {
    expect(problemsOf(withQuestion(3, { showIf: { question: 'q9', anyOf: ['tro'] } }))).toEqual(['questions[3].showIf.question: unknown question "q9"']);
  });

  it('rejects a skip rule pointing forward or to an option that does not exist', () => {
    expect(problemsOf(withQuestion(0, { showIf: { question: 'q2', anyOf: [3] } }))).toEqual([
      'questions[0].showIf.question: "q2" is not an earlier question (a question can only depend on answers given before it)',
    ]);
    expect(problemsOf(withQuestion(3, { showIf: { question: 'q1', anyOf: ['ktx'] } }))).toEqual(['questions[3].showIf.anyOf[0]: "ktx" is not an option of "q1" (options: tro, nha)']);
    expect(problemsOf(withQuestion(3, { showIf: { question: 'q1' } }))).toEqual(['questions[3].showIf: give anyOf, min or max']);
  });

  it('rejects a duplicate question id, naming both places', () => {
    expect(problemsOf(withQuestion(2, { id: 'q1' }))).toContain('questions[2].id: duplicate question id "q1" (also questions[0])');
  });

  it('names the path of schema errors: wrong type, missing Vietnamese text, bad dates', () => {
    expect(problemsOf(withQuestion(1, { type: 'slider' }))[0]).toMatch(/^questions\[1\]\.type: /);
    expect(problemsOf(withQuestion(0, { text: { en: 'Where?' } }))[0]).toMatch(/^questions\[0\]\.text\.vi: /);
    expect(problemsOf({ ...base, closesAt: 'next year' })).toEqual(['closesAt: expected a date and time such as 2026-12-01T00:00:00+07:00, got "next year"']);
    expect(problemsOf({ ...base, closesAt: '2026-10-01T00:00:00+07:00' })).toEqual(['closesAt: the survey closes before it opens']);
    expect(problemsOf(withQuestion(0, { options: undefined }))).toEqual(['questions[0].options: a single choice question needs at least 2 options']);
  });

  it('puts exclusive options, number brackets and units only where they mean something', () => {
    const opts = (extra: Record<string, unknown>) => [{ id: 'tro', text: { vi: 'Nhà trọ' }, ...extra }, { id: 'nha', text: { vi: 'Nhà riêng' } }];
    expect(problemsOf(withQuestion(0, { options: opts({ exclusive: true }) }))).toEqual(['questions[0].options[0].exclusive: only options of a multiple choice question can be exclusive']);
    expect(problemsOf(withQuestion(0, { type: 'multiple', options: opts({ exclusive: true }) }))).toEqual([]);
    expect(problemsOf(withQuestion(0, { options: opts({ min: 30, max: 18 }) }))).toEqual(['questions[0].options[0].min: min 30 is above max 18']);
    expect(problemsOf(withQuestion(2, { unit: 'hours' }))).toEqual([]);
    expect(problemsOf(withQuestion(1, { unit: 'hours' }))).toEqual(['questions[1].unit: only number questions have a unit']);
  });

  it('reads YAML and reports unreadable files', () => {
    const yaml = 'id: y\ntitle: { vi: Thử }\nopensAt: 2026-11-01T00:00:00+07:00\nclosesAt: 2026-12-01T00:00:00+07:00\nanonymous: false\nquestions:\n  - { id: a, type: text, text: { vi: Góp ý } }\n';
    expect(parseSurveyFile(yaml, 'yaml').questions[0]!.id).toBe('a');
    expect(() => parseSurveyFile('{ not json', 'json')).toThrow(/not valid JSON/);
  });

  it('ships two valid sample surveys: the aspirations survey and the branch inspection', async () => {
    const tamTu = parseSurveyFile(await readFile(new URL('./sample/tam-tu-nguyen-vong.yaml', import.meta.url), 'utf8'), 'yaml');
    expect(tamTu).toMatchObject({ anonymous: true, kind: 'survey', profile: ['ageBand', 'gender'] });
    expect(tamTu.questions.map((q) => q.id)).toEqual(expect.arrayContaining(['housing', 'wage_enough', 'skills', 'childcare', 'culture', 'meeting_time']));
    const check = parseSurveyFile(await readFile(new URL('./sample/kiem-tra-chi.yaml', import.meta.url), 'utf8'), 'yaml');
    expect(check).toMatchObject({ kind: 'inspection', anonymous: false, inspection: { subjectKinds: expect.arrayContaining(['youth_union_branch', 'womens_union_branch']) } });
  });
});
