/**
 * Survey definitions are data (JSON or YAML), validated here with zod plus cross-question rules
 * (unique ids, skip rules that point to an earlier question and to options it really has).
 * Every problem is reported with its exact path, e.g. `questions[3].showIf.question: unknown question "q9"`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROLES } from '../db.js';

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected an id of lower-case letters, digits, _ or - (at most 64)');

/** A text in every language the bot speaks; Vietnamese is required, English falls back to it. */
const localized = z.object({ vi: z.string().trim().min(1), en: z.string().trim().min(1).optional() }).strict();
export type LocalizedText = z.infer<typeof localized>;

const option = z
  .object({
    id,
    text: localized,
    /** Multiple choice: this option ("Chưa có nhu cầu") cannot be chosen together with others. */
    exclusive: z.boolean().optional(),
    /** Single choice: the bracket of numbers this option stands for (an age band), so "22" picks "18–24". */
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();

const showIf = z
  .object({
    question: z.string(),
    /** Option ids (choice questions) or values (scale/number) that make the question show. */
    anyOf: z.array(z.union([z.string(), z.number()])).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict()
  .refine((s) => s.anyOf !== undefined || s.min !== undefined || s.max !== undefined, { message: 'give anyOf, min or max' });

const question = z
  .object({
    id,
    type: z.enum(['single', 'multiple', 'scale', 'number', 'text']),
    text: localized,
    required: z.boolean().default(true),
    options: z.array(option).min(2).max(20).optional(),
    /** Meaning of 1 and 5 on a scale question. */
    scaleLow: localized.optional(),
    scaleHigh: localized.optional(),
    /** Bounds of a number question. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** What a number question counts, so "10 tiếng" or "1,5 triệu" are read: hours, or money in thousands of đồng. */
    unit: z.enum(['hours', 'thousand_dong']).optional(),
    showIf: showIf.optional(),
  })
  .strict();

const isoDate = z.union([z.date(), z.string()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `expected a date and time such as 2026-12-01T00:00:00+07:00, got "${String(v)}"` });
    return z.NEVER;
  }
  return d;
});

/** Optional questions about the respondent, stored with the response only. */
export const PROFILE_FIELDS = ['ageBand', 'gender'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export const AGE_BANDS = ['under18', '18_24', '25_30', '31_35', 'over35'] as const;
/** The ages each band stands for, so a typed age picks its band. */
export const AGE_BAND_RANGES: Record<(typeof AGE_BANDS)[number], { min?: number; max?: number }> = {
  under18: { max: 17 },
  '18_24': { min: 18, max: 24 },
  '25_30': { min: 25, max: 30 },
  '31_35': { min: 31, max: 35 },
  over35: { min: 36 },
};
export const GENDERS = ['female', 'male', 'other'] as const;

export const surveySchema = z
  .object({
    id,
    kind: z.enum(['survey', 'inspection']).default('survey'),
    title: localized,
    intro: localized.optional(),
    /** Said after the last answer: what happens with the answers. */
    closing: localized.optional(),
    opensAt: isoDate,
    closesAt: isoDate,
    anonymous: z.boolean(),
    audience: z
      .object({
        /** Roots of org subtrees whose members are asked (none: everyone). */
        orgUnits: z.array(z.string()).optional(),
        roles: z.array(z.enum(ROLES)).optional(),
      })
      .strict()
      .default({}),
    /** Inspections: which kinds of unit a cadre may inspect. */
    inspection: z.object({ subjectKinds: z.array(z.string()).min(1) }).strict().optional(),
    profile: z.array(z.enum(PROFILE_FIELDS)).default([]),
    /** A started but unfinished survey gets one reminder after this many minutes (0: none). */
    reminderAfterMinutes: z.number().min(0).default(24 * 60),
    questions: z.array(question).min(1).max(100),
  })
  .strict();

export type SurveyDefinition = z.infer<typeof surveySchema>;
export type Question = z.infer<typeof question>;

/** A definition that failed validation; `problems` are `path: message` lines. */
export class SurveyDefinitionError extends Error {
  override name = 'SurveyDefinitionError';
  constructor(readonly problems: string[]) {
    super(`the survey definition is invalid:\n  ${problems.join('\n  ')}`);
  }
}

/** `questions[3].showIf.question` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Rules zod cannot see: unique ids, options where needed, skip rules pointing backwards. */
function crossCheck(def: SurveyDefinition): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  def.questions.forEach((q, i) => {
    const at = `questions[${i}]`;
    const first = seen.get(q.id);
    if (first !== undefined) problems.push(`${at}.id: duplicate question id "${q.id}" (also questions[${first}])`);
    else seen.set(q.id, i);
    const needsOptions = q.type === 'single' || q.type === 'multiple';
    if (needsOptions && !q.options) problems.push(`${at}.options: a ${q.type} choice question needs at least 2 options`);
    if (!needsOptions && q.options) problems.push(`${at}.options: only single and multiple choice questions have options`);
    if (q.options) {
      const ids = new Set<string>();
      q.options.forEach((o, j) => {
        if (ids.has(o.id)) problems.push(`${at}.options[${j}].id: duplicate option id "${o.id}"`);
        ids.add(o.id);
        if (o.exclusive && q.type !== 'multiple') problems.push(`${at}.options[${j}].exclusive: only options of a multiple choice question can be exclusive`);
        if ((o.min !== undefined || o.max !== undefined) && q.type !== 'single') problems.push(`${at}.options[${j}].min: only options of a single choice question stand for a range of numbers`);
        if (o.min !== undefined && o.max !== undefined && o.min > o.max) problems.push(`${at}.options[${j}].min: min ${o.min} is above max ${o.max}`);
      });
    }
    if (q.unit && q.type !== 'number') problems.push(`${at}.unit: only number questions have a unit`);
    if (q.min !== undefined && q.max !== undefined && q.min > q.max) problems.push(`${at}.min: min ${q.min} is above max ${q.max}`);
    if (q.showIf) {
      const target = q.showIf.question;
      const j = def.questions.findIndex((x) => x.id === target);
      if (j < 0) problems.push(`${at}.showIf.question: unknown question "${target}"`);
      else if (j >= i) problems.push(`${at}.showIf.question: "${target}" is not an earlier question (a question can only depend on answers given before it)`);
      else {
        const t = def.questions[j]!;
        if (t.type === 'text') problems.push(`${at}.showIf.question: "${target}" is a free-text question; skip rules need a choice, scale or number question`);
        const optionIds = new Set(t.options?.map((o) => o.id));
        q.showIf.anyOf?.forEach((v, k) => {
          if (t.options && !optionIds.has(String(v))) problems.push(`${at}.showIf.anyOf[${k}]: "${v}" is not an option of "${target}" (options: ${[...optionIds].join(', ')})`);
          if (t.type === 'scale' && !(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5)) problems.push(`${at}.showIf.anyOf[${k}]: "${v}" is not a value 1–5 of scale question "${target}"`);
        });
      }
    }
  });
  if (def.closesAt <= def.opensAt) problems.push('closesAt: the survey closes before it opens');
  if (def.kind === 'inspection' && !def.inspection) problems.push('inspection: an inspection needs inspection.subjectKinds (the kinds of unit inspected)');
  if (def.kind === 'inspection' && def.anonymous) problems.push('anonymous: an inspection is answered by cadres in their role and cannot be anonymous');
  return problems;
}

/** Validates parsed data into a definition, or throws SurveyDefinitionError listing every problem with its path. */
export function validateSurvey(data: unknown): SurveyDefinition {
  const parsed = surveySchema.safeParse(data);
  if (!parsed.success) throw new SurveyDefinitionError(parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new SurveyDefinitionError(problems);
  return parsed.data;
}

/** Parses a JSON or YAML file's text and validates it. */
export function parseSurveyFile(content: string, format: 'json' | 'yaml'): SurveyDefinition {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(content) : parseYaml(content);
  } catch (err) {
    throw new SurveyDefinitionError([`(file): not valid ${format.toUpperCase()}: ${(err as Error).message.split('\n')[0]}`]);
  }
  return validateSurvey(data);
}

/** The text in a language, falling back to Vietnamese. */
export function textIn(text: LocalizedText, locale: string): string {
  return (locale === 'en' ? text.en : undefined) ?? text.vi;
}
