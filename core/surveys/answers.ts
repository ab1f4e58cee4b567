/**
 * The questions a person is asked (the definition's questions plus the optional profile
 * questions), skip logic, and reading a typed or tapped answer into a value.
 */
import { matchChoice } from '../engine/choice-match.js';
import type { Choice } from '../engine/types.js';
import { fold } from '../text-normalize.js';
import { AGE_BAND_RANGES, AGE_BANDS, GENDERS, type ProfileField, type Question, type SurveyDefinition } from './definition.js';
import { readNumber } from './number-answer.js';

/** An answer: option id (single), option ids (multiple), 1–5 (scale), a number, or text. */
export type AnswerValue = string | string[] | number;
export type Answers = Record<string, AnswerValue>;

/** A question as asked: a definition question, or a profile question (labels from locales). */
export type AskedQuestion = Question & { profile?: ProfileField };

/** Id of the profile question for a field, e.g. `_ageBand`. */
export const profileQuestionId = (f: ProfileField) => `_${f}`;

/** Every question of a survey in order, profile questions last (optional, skippable). */
export function questionsOf(def: SurveyDefinition): AskedQuestion[] {
  const profile: AskedQuestion[] = def.profile.map((f) => ({
    id: profileQuestionId(f),
    type: 'single',
    required: false,
    profile: f,
    text: { vi: f },
    options: f === 'ageBand' ? AGE_BANDS.map((o) => ({ id: o, text: { vi: o }, ...AGE_BAND_RANGES[o] })) : GENDERS.map((o) => ({ id: o, text: { vi: o } })),
  }));
  return [...def.questions, ...profile];
}

/** Whether a question shows, given the answers so far (its skip rule looks at an earlier answer). */
export function isVisible(q: AskedQuestion, answers: Answers): boolean {
  const rule = q.showIf;
  if (!rule) return true;
  const v = answers[rule.question];
  if (v === undefined) return false;
  const values = Array.isArray(v) ? v : [v];
  return values.some((x) => {
    if (rule.anyOf && !rule.anyOf.some((a) => String(a) === String(x))) return false;
    if (typeof x === 'number' && rule.min !== undefined && x < rule.min) return false;
    if (typeof x === 'number' && rule.max !== undefined && x > rule.max) return false;
    return true;
  });
}

/** The first visible question after position `after` (-1 for the start), or undefined at the end. */
export function nextQuestion(all: AskedQuestion[], answers: Answers, after: number): AskedQuestion | undefined {
  for (let i = after + 1; i < all.length; i++) if (isVisible(all[i]!, answers)) return all[i];
  return undefined;
}

/**
 * Progress "question n of total". A question whose skip rule depends on a question not yet
 * answered still counts (it may come), so the total shrinks as answers skip questions rather
 * than growing as they open them.
 */
export function progressOf(all: AskedQuestion[], answers: Answers, current: string): { n: number; total: number } {
  const byId = new Map(all.map((q) => [q.id, q]));
  const mayShow = (q: AskedQuestion): boolean => {
    if (!q.showIf) return true;
    if (answers[q.showIf.question] !== undefined) return isVisible(q, answers);
    const target = byId.get(q.showIf.question);
    return !!target && mayShow(target);
  };
  const counted = all.filter((q) => q.id === current || mayShow(q));
  return { n: counted.findIndex((q) => q.id === current) + 1, total: counted.length };
}

/** Keeps only answers of questions still visible (after someone went back and changed an earlier answer). */
export function cleanAnswers(all: AskedQuestion[], answers: Answers): Answers {
  const out: Answers = {};
  for (const q of all) if (answers[q.id] !== undefined && isVisible(q, out)) out[q.id] = answers[q.id]!;
  return out;
}

/** What an answer turned out to be; `invalid` carries the locale key of a hint and its values. */
export type ParsedAnswer = { kind: 'answer'; value: AnswerValue } | { kind: 'skip' } | { kind: 'invalid'; hint: string; vars?: Record<string, unknown> };

/** Id of the "skip" choice offered with optional choice questions. */
export const SKIP_ID = '_skip';

/** The option whose range of numbers holds a typed number ("22", "22 tuổi" → "18–24"), if exactly one does. */
function bracketOf(q: AskedQuestion, text: string): string | undefined {
  const m = /^(\d{1,3})(?: ?(?:tuoi|t|years?(?: old)?))?$/.exec(fold(text));
  if (!m) return undefined;
  const n = Number(m[1]);
  const fits = (q.options ?? []).filter((o) => (o.min !== undefined || o.max !== undefined) && (o.min ?? -Infinity) <= n && n <= (o.max ?? Infinity));
  return fits.length === 1 ? fits[0]!.id : undefined;
}

/**
 * Reads an answer. `choices` are the choices shown (labels in the person's language, for
 * matching typed labels without diacritics); `picked` is what the engine already matched;
 * `skipWords` are the folded words meaning "skip" in any language.
 */
export function parseAnswer(q: AskedQuestion, input: { text?: string; picked?: Choice }, choices: Choice[], skipWords: string[]): ParsedAnswer {
  const text = input.text?.trim() ?? '';
  if (input.picked?.id === SKIP_ID || (!input.picked && skipWords.includes(fold(text)))) {
    return q.required ? { kind: 'invalid', hint: 'survey:hint_required' } : { kind: 'skip' };
  }
  switch (q.type) {
    case 'single': {
      if (input.picked) return { kind: 'answer', value: input.picked.id };
      const m = matchChoice(choices.filter((c) => c.id !== SKIP_ID), text);
      if (m.kind === 'match') return { kind: 'answer', value: m.choice.id };
      const bracket = bracketOf(q, text);
      if (bracket) return { kind: 'answer', value: bracket };
      // The hint counts what was shown, "Bỏ qua" included.
      return { kind: 'invalid', hint: 'survey:hint_single', vars: { max: Math.max(choices.length, q.options!.length) } };
    }
    case 'multiple': {
      if (input.picked) return { kind: 'answer', value: [input.picked.id] };
      const options = choices.filter((c) => c.id !== SKIP_ID);
      // "1, 3", "1 3" or "nha tro, luong": numbers may be separated by spaces, labels by commas.
      const parts = /^[\d\s,;.]+$/.test(text) ? text.split(/[\s,;.]+/) : text.split(/[,;]+/);
      const picked = new Set<string>();
      for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
        const m = matchChoice(options, part);
        if (m.kind !== 'match') return { kind: 'invalid', hint: 'survey:hint_multiple', vars: { max: options.length, part: part.slice(0, 40) } };
        picked.add(m.choice.id);
      }
      if (picked.size === 0) return { kind: 'invalid', hint: 'survey:hint_multiple', vars: { max: options.length, part: text.slice(0, 40) } };
      // "Chưa có nhu cầu" and "Nâng cao tay nghề" together contradict each other.
      const exclusive = q.options!.find((o) => o.exclusive && picked.has(o.id));
      if (exclusive && picked.size > 1) {
        return { kind: 'invalid', hint: 'survey:hint_exclusive', vars: { option: options.find((o) => o.id === exclusive.id)?.label ?? exclusive.id } };
      }
      return { kind: 'answer', value: options.filter((o) => picked.has(o.id)).map((o) => o.id) };
    }
    case 'scale': {
      // A tapped or matched point ("s4"), its number, or its words ("hài lòng").
      let raw = input.picked?.id ?? text;
      if (!input.picked && !/^\d+$/.test(text)) {
        const m = matchChoice(choices.filter((c) => c.id !== SKIP_ID), text);
        if (m.kind === 'match') raw = m.choice.id;
      }
      const n = Number(raw.replace(/^s/, ''));
      if (Number.isInteger(n) && n >= 1 && n <= 5) return { kind: 'answer', value: n };
      return { kind: 'invalid', hint: 'survey:hint_scale' };
    }
    case 'number': {
      const n = readNumber(text, q.unit);
      if (n === undefined) return { kind: 'invalid', hint: 'survey:hint_number', vars: { min: q.min ?? 0, max: q.max ?? '…', context: q.unit } };
      if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max)) {
        return { kind: 'invalid', hint: 'survey:hint_number_range', vars: { min: q.min ?? '…', max: q.max ?? '…', context: q.unit } };
      }
      return { kind: 'answer', value: n };
    }
    case 'text': {
      if (!text) return { kind: 'invalid', hint: 'survey:hint_text' };
      return { kind: 'answer', value: text.slice(0, 1000) };
    }
  }
}
