import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSurveyFile, SurveyDefinitionError } from './definition.js';
import { checkDefinitionText, parsePath } from './definition-source.js';

const YAML = `id: demo
title: { vi: Khảo sát thử }
opensAt: 2026-11-01T00:00:00+07:00
closesAt: 2026-12-01T00:00:00+07:00
anonymous: true
questions:
  - id: housing
    type: single
    text: { vi: Bạn đang ở đâu? }
    options:
      - { id: tro, text: { vi: Nhà trọ } }
      - { id: ktx, text: { vi: Ký túc xá } }
  - id: rent
    type: number
    text: { vi: Tiền trọ? }
    showIf: { question: q9, anyOf: [tro] }
  - id: skills
    type: multiple
    text: { vi: Bạn muốn học gì? }
    choices: [a, b]
`;

/** The CLI's verdict on the same text: the problems it prints. */
function cliProblems(text: string, format: 'json' | 'yaml'): string[] {
  try {
    parseSurveyFile(text, format);
    return [];
  } catch (err) {
    return (err as SurveyDefinitionError).problems;
  }
}

describe('survey definitions checked with their lines', () => {
  it('reads paths back', () => {
    expect(parsePath('questions[3].showIf.anyOf[0]')).toEqual(['questions', 3, 'showIf', 'anyOf', 0]);
    expect(parsePath('(root)')).toEqual([]);
  });

  it('gives every problem of the CLI with the line it is about', () => {
    const r = checkDefinitionText(YAML);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // An unknown key points at the key; a missing required key at its mapping.
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { line: 20, path: 'questions[2]', message: 'Unrecognized key: "choices"' },
      ]),
    );
    expect(r.problems.map((p) => `${p.path}: ${p.message}`).sort()).toEqual(cliProblems(YAML, 'yaml').sort());
  });

  it('points cross-question problems at their line', () => {
    const fixed = YAML.replace('    choices: [a, b]\n', '    options:\n      - { id: a, text: { vi: A } }\n      - { id: b, text: { vi: B } }\n');
    const r = checkDefinitionText(fixed);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ line: 16, path: 'questions[1].showIf.question', message: 'unknown question "q9"' }]);
    expect(checkDefinitionText(fixed.replace('q9', 'housing')).ok).toBe(true);
  });

  it('names the line of a missing key’s mapping and of a wrong type', () => {
    const r = checkDefinitionText(YAML.replace('    type: number\n', '').replace('anonymous: true', 'anonymous: "yes"'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContainEqual({ line: 5, path: 'anonymous', message: expect.stringContaining('boolean') });
    expect(r.problems).toContainEqual({ line: 13, path: 'questions[1].type', message: expect.any(String) });
  });

  it('gives the line of a YAML syntax error', () => {
    const r = checkDefinitionText('id: x\nquestions:\n  - id: a\n    type: [single\n  - b: 1\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ path: '(file)', line: expect.any(Number) });
    expect(r.problems[0]!.message).toMatch(/^not valid YAML: /);
    expect(r.problems[0]!.message).not.toContain('\n');
  });

  it('reads JSON (with tabs) as the CLI does, with lines too', () => {
    const def = JSON.parse(JSON.stringify({ id: 'j', title: { vi: 'J' }, opensAt: '2026-11-01T00:00:00+07:00', closesAt: '2026-12-01T00:00:00+07:00', anonymous: false, questions: [{ id: 'a', type: 'scale', text: { vi: 'A?' } }, { id: 'b', type: 'single', text: { vi: 'B?' } }] }));
    const text = JSON.stringify(def, null, '\t');
    const r = checkDefinitionText(text);
    expect(r).toMatchObject({ ok: false, format: 'json' });
    if (r.ok) return;
    // A missing key: the line where questions[1] opens.
    const line = text.split('\n').findIndex((l, i, all) => l === '\t\t{' && all[i + 1]!.includes('"b"')) + 1;
    expect(r.problems).toEqual([{ line, path: 'questions[1].options', message: 'a single choice question needs at least 2 options' }]);
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(cliProblems(text, 'json'));
    // Broken JSON named as JSON: the line of the error.
    const broken = checkDefinitionText('{\n  "id": "x",\n  "title": }\n', 'json');
    expect(broken).toMatchObject({ ok: false, problems: [{ line: 3, path: '(file)' }] });
  });

  it('accepts the sample surveys, as the CLI does', () => {
    for (const f of ['tam-tu-nguyen-vong.yaml', 'kiem-tra-chi.yaml']) {
      const text = readFileSync(new URL(`./sample/${f}`, import.meta.url), 'utf8');
      const r = checkDefinitionText(text);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.definition).toEqual(parseSurveyFile(text, 'yaml'));
    }
  });
});

describe('the line of a JSON error', () => {
  it('is found from what Node says', async () => {
    const { jsonErrorLine } = await import('./definition-source.js');
    const lineOf = (text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        return jsonErrorLine(text, err as Error);
      }
    };
    expect(lineOf('{\n  "id": "x",\n  "title": }\n')).toBe(3);
    expect(lineOf('{\n  "id": "x",\n  "questions": [1, 2,]\n}')).toBe(3);
    expect(lineOf('{\n  "id": "x",\n')).toBe(3);
    expect(lineOf('{"a" 1}')).toBe(1);
  });
});
