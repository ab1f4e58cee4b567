/**
 * Taking a survey or an inspection: the surveys open for me, (inspections: which branch),
 * one question at a time with progress "câu 3/8", `quay lại` to change the previous answer,
 * leave and resume later, a check before sending, and a closing message.
 *
 * Progress lives in the conversation (the draft under DRAFTS) until it is sent — for
 * anonymous surveys nowhere else. The global word "back" pops the conversation history, so
 * while a question is shown the history ends with the `previous` step, which steps the draft
 * back one question.
 */
import type { Flow, FlowContext } from '../core/engine/flow.js';
import type { Choice } from '../core/engine/types.js';
import type { OrgUnitDoc } from '../core/db.js';
import { cleanAnswers, isVisible, nextQuestion, parseAnswer, progressOf, questionsOf, SKIP_ID, type AnswerValue, type Answers, type AskedQuestion } from '../core/surveys/answers.js';
import { textIn } from '../core/surveys/definition.js';
import type { SurveyDoc } from '../core/surveys/models.js';
import { isOpen } from '../core/surveys/survey-service.js';
import { fold } from '../core/text-normalize.js';

/** A survey in progress, kept in the conversation until it is sent. */
interface Draft {
  surveyId: string;
  subject?: string;
  answers: Answers;
  /** Questions answered before `current`, in order (for going back). */
  path: string[];
  current: string;
  reminded?: boolean;
}

type Step = { flow: string; step: string };

/** `Draft.current` once every question is answered and the person is asked to send. */
const CONFIRM = '_confirm';

/** The person's drafts, by draftKey, kept in the conversation's data under DRAFTS. */
const DRAFTS = 'surveyDrafts';
const noDrafts = (): Record<string, Draft> => ({});
const draftKey = (surveyId: string, subject?: string) => (subject ? `${surveyId}|${subject}` : surveyId);
/** The draft of the survey being taken. */
const activeDraft = (ctx: FlowContext): Draft | undefined => {
  const key = ctx.state.data.surveyActive as string | undefined;
  return key ? ctx.draft(DRAFTS, noDrafts)[key] : undefined;
};

/** Leaves the survey being taken and forgets its draft. */
function discardActive(ctx: FlowContext): void {
  const key = ctx.state.data.surveyActive as string | undefined;
  if (key) delete ctx.draft(DRAFTS, noDrafts)[key];
  delete ctx.state.data.surveyActive;
  delete ctx.state.data.surveyBase;
}

/** While inside a survey, "back" leads to the `previous` step (or out, before the first answer). */
function setBackTarget(ctx: FlowContext, draft: Draft): void {
  const base = (ctx.state.data.surveyBase as Step[] | undefined) ?? [];
  ctx.state.history = draft.path.length > 0 ? [...base, { flow: 'survey', step: 'previous' }] : [...base];
}

/** Refuses politely when the survey has closed, and forgets the draft. */
function refuseClosed(ctx: FlowContext, survey: SurveyDoc | null): Promise<void> {
  ctx.reply(ctx.t('survey:closed', { title: survey ? textIn(survey.definition.title, ctx.locale) : '' }));
  discardActive(ctx);
  return ctx.home();
}

async function memberUnit(ctx: FlowContext): Promise<OrgUnitDoc | undefined> {
  return ctx.member?.orgUnitId ? ctx.services.org.get(ctx.member.orgUnitId, ctx.now) : undefined;
}

/** Whether a draft holds at least one answer (a survey only opened is not "in progress"). */
const started = (d: Draft) => d.path.length > 0 || d.current === CONFIRM;

/** Opens a survey (for an inspection: about `subject`), resuming a draft when there is one. */
async function start(ctx: FlowContext, survey: SurveyDoc, subject?: string): Promise<void> {
  const key = draftKey(survey._id, subject);
  const all = questionsOf(survey.definition);
  const drafts = ctx.draft(DRAFTS, noDrafts);
  let draft = drafts[key];
  if (draft && started(draft) && (draft.current === CONFIRM || all.some((q) => q.id === draft!.current))) {
    ctx.reply(ctx.t('survey:resumed'));
  } else {
    const first = nextQuestion(all, {}, -1)!;
    draft = { surveyId: survey._id, subject, answers: {}, path: [], current: first.id };
    drafts[key] = draft;
    const def = survey.definition;
    const intro = def.intro ? textIn(def.intro, ctx.locale) : '';
    // How many questions, counted as the progress counts them ("Câu 1/14"); "up to" when skip rules may leave some out.
    const count = ctx.t(all.some((q) => q.showIf) ? 'survey:intro_count_up_to' : 'survey:intro_count', { count: progressOf(all, {}, first.id).total });
    ctx.reply([ctx.t(def.anonymous ? 'survey:intro_anonymous' : 'survey:intro_named', { title: textIn(def.title, ctx.locale) }) + '\n' + count, intro].filter(Boolean).join('\n\n'));
  }
  ctx.state.data.surveyActive = key;
  ctx.state.data.surveyBase = [...ctx.state.history, { flow: ctx.state.flow, step: ctx.state.step }];
  return ctx.jump('survey', draft.current === CONFIRM ? 'confirm' : 'question');
}

/** Choices of a question, labelled in the person's language. */
function choicesOf(ctx: FlowContext, q: AskedQuestion): Choice[] {
  if (q.type === 'scale') {
    // Without words of its own, a scale is one of satisfaction, every point named so it can be typed ("hài lòng").
    if (!q.scaleLow && !q.scaleHigh) return [1, 2, 3, 4, 5].map((n) => ({ id: `s${n}`, label: `${n} – ${ctx.t(`survey:scale_${n}`)}` }));
    const low = q.scaleLow ? textIn(q.scaleLow, ctx.locale) : ctx.t('survey:scale_1');
    const high = q.scaleHigh ? textIn(q.scaleHigh, ctx.locale) : ctx.t('survey:scale_5');
    return [1, 2, 3, 4, 5].map((n) => ({ id: `s${n}`, label: n === 1 ? `1 – ${low}` : n === 5 ? `5 – ${high}` : String(n) }));
  }
  if (q.type !== 'single' && q.type !== 'multiple') return [];
  const choices = q.options!.map((o) => ({ id: o.id, label: q.profile ? ctx.t(`survey:profile.${q.profile}.${o.id}`) : textIn(o.text, ctx.locale) }));
  if (!q.required) choices.push({ id: SKIP_ID, label: ctx.t('survey:skip') });
  return choices;
}

function questionText(ctx: FlowContext, q: AskedQuestion): string {
  return q.profile ? ctx.t(`survey:profile.${q.profile}.question`) : textIn(q.text, ctx.locale);
}

/** The previous answer in words (named surveys only: anonymous answers are never echoed back into stored replies). */
function describeAnswer(ctx: FlowContext, q: AskedQuestion, v: AnswerValue): string {
  if (q.type === 'single' || q.type === 'multiple') {
    const labels = new Map(choicesOf(ctx, q).map((c) => [c.id, c.label]));
    return (Array.isArray(v) ? v : [String(v)]).map((x) => labels.get(x) ?? x).join(', ');
  }
  return String(v);
}

const skipWords = (ctx: FlowContext) => ctx.services.i18n.inAllLanguages('survey:skip_words').flatMap((w) => w.split('|')).map(fold).filter(Boolean);

async function loadActive(ctx: FlowContext): Promise<{ draft: Draft; survey: SurveyDoc } | { draft?: undefined; survey: SurveyDoc | null }> {
  const draft = activeDraft(ctx);
  const survey = draft ? await ctx.services.surveys.get(draft.surveyId) : null;
  return draft && survey ? { draft, survey } : { survey };
}

export const surveyFlow: Flow = {
  name: 'survey',
  /** "hủy" inside a survey discards the draft (and its reminder): nothing is kept to resume. */
  async cancel(ctx) {
    const draft = activeDraft(ctx);
    if (!draft || !['question', 'previous', 'confirm'].includes(ctx.state.step)) return;
    discardActive(ctx);
    if (ctx.member) await ctx.services.surveys.cancelReminder(draft.surveyId, ctx.member._id, draft.subject);
    ctx.reply(ctx.t('survey:draft_discarded'));
  },
  steps: {
    list: {
      async enter(ctx) {
        const open = await ctx.services.surveys.openFor(ctx.member!, await memberUnit(ctx), ctx.now);
        // Drafts of surveys that closed (or were answered from another app) are of no more use: forget them.
        const drafts = ctx.draft(DRAFTS, noDrafts);
        for (const [key, d] of Object.entries(drafts)) if (!open.some((s) => s._id === d.surveyId)) delete drafts[key];
        // Invited by a link to a survey answered already (from another app, or before erasing and consenting again): say so.
        const invited = ctx.state.data.surveyInvite as string | undefined;
        delete ctx.state.data.surveyInvite;
        const invitedAnswered = !!invited && !open.some((s) => s._id === invited) && (await ctx.services.surveys.hasAnswered(invited, ctx.member!._id));
        if (invitedAnswered) ctx.reply(ctx.t('survey:already_answered'));
        if (open.length === 0) {
          if (!invitedAnswered) ctx.reply(ctx.t('survey:none_open'));
          return ctx.home();
        }
        const choices = open.map((s) => {
          const title = textIn(s.definition.title, ctx.locale);
          const inProgress = Object.values(drafts).some((d) => d.surveyId === s._id && started(d));
          return { id: s._id, label: inProgress ? ctx.t('survey:in_progress_label', { title }) : title };
        });
        choices.push({ id: 'menu', label: ctx.t('survey:to_menu') });
        ctx.ask(ctx.t('survey:list_title', { count: open.length }), choices);
      },
      async input(ctx, input) {
        if (input.choice!.id === 'menu') return ctx.home();
        const survey = await ctx.services.surveys.get(input.choice!.id);
        if (!survey || !isOpen(survey, ctx.now)) return refuseClosed(ctx, survey);
        if (survey.kind === 'inspection') {
          ctx.state.data.surveyPending = survey._id;
          delete ctx.state.data.surveySubjectQuery;
          return ctx.go('survey', 'subject');
        }
        if (await ctx.services.surveys.hasAnswered(survey._id, ctx.member!._id)) {
          ctx.reply(ctx.t('survey:already_answered'));
          return ctx.repeat();
        }
        return start(ctx, survey);
      },
    },

    subject: {
      acceptsText: true,
      async enter(ctx) {
        const survey = await ctx.services.surveys.get(String(ctx.state.data.surveyPending));
        if (!survey) return ctx.home();
        const kinds = survey.definition.inspection?.subjectKinds ?? [];
        const mine = ctx.member?.orgUnitId;
        const all = await ctx.services.org.activeOfKinds(kinds, ctx.now);
        const underMe = mine ? all.filter((u) => u.ancestors.includes(mine) || u._id === mine) : [];
        const query = fold(String(ctx.state.data.surveySubjectQuery ?? ''));
        let units = underMe.length > 0 ? underMe : all;
        if (query) units = all.filter((u) => query.split(' ').every((t) => fold(u.name).includes(t)));
        units.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
        if (units.length === 0) ctx.reply(ctx.t('survey:subject_none', { query: String(ctx.state.data.surveySubjectQuery ?? '').slice(0, 60) }));
        ctx.ask(ctx.t('survey:subject_question', { title: textIn(survey.definition.title, ctx.locale) }), units.slice(0, 9).map((u) => ({ id: u._id, label: u.name })));
      },
      async input(ctx, input) {
        if (!input.choice) {
          ctx.state.data.surveySubjectQuery = (input.text ?? '').slice(0, 60);
          return ctx.repeat();
        }
        const survey = await ctx.services.surveys.get(String(ctx.state.data.surveyPending));
        if (!survey || !isOpen(survey, ctx.now)) return refuseClosed(ctx, survey);
        if (await ctx.services.surveys.hasAnswered(survey._id, ctx.member!._id, input.choice.id)) {
          ctx.reply(ctx.t('survey:already_inspected', { name: input.choice.label }));
          return ctx.repeat();
        }
        // surveyPending stays: "back" from the first question returns to this step.
        delete ctx.state.data.surveySubjectQuery;
        return start(ctx, survey, input.choice.id);
      },
    },

    question: {
      acceptsText: true,
      async enter(ctx) {
        const { draft, survey } = await loadActive(ctx);
        if (!draft) return ctx.home();
        if (!isOpen(survey, ctx.now)) return refuseClosed(ctx, survey);
        const all = questionsOf(survey.definition);
        const q = all.find((x) => x.id === draft.current);
        // The definition was replaced and this question is gone: start the survey again from the list.
        if (!q) {
          discardActive(ctx);
          return ctx.jump('survey', 'list');
        }
        const { n, total } = progressOf(all, draft.answers, q.id);
        const lines = [ctx.t('survey:progress', { n, total }) + ' ' + questionText(ctx, q)];
        if (q.type === 'scale') {
          const low = q.scaleLow ? textIn(q.scaleLow, ctx.locale) : ctx.t('survey:scale_1');
          const high = q.scaleHigh ? textIn(q.scaleHigh, ctx.locale) : ctx.t('survey:scale_5');
          lines.push(ctx.t('survey:scale_how', { low, high }));
        }
        if (q.type === 'multiple') lines.push(ctx.t('survey:multiple_how'));
        if (q.type === 'number') lines.push(ctx.t('survey:number_how', { context: q.unit }));
        if (q.type === 'text') lines.push(ctx.t('survey:text_how'));
        if (!q.required) lines.push(ctx.t('survey:optional'));
        const previous = draft.answers[q.id];
        if (previous !== undefined && !survey.definition.anonymous) lines.push(ctx.t('survey:previous_answer', { answer: describeAnswer(ctx, q, previous) }));
        // Said once, at the second question, where going back first makes sense.
        if (draft.path.length === 1 && !ctx.repeating) lines.push(ctx.t('survey:back_hint'));
        const choices = choicesOf(ctx, q);
        if (choices.length > 0) ctx.ask(lines.join('\n'), choices);
        else ctx.reply(lines.join('\n'));
        setBackTarget(ctx, draft);
      },
      async input(ctx, input) {
        const { draft, survey } = await loadActive(ctx);
        if (!draft) return ctx.home();
        if (!isOpen(survey, ctx.now)) return refuseClosed(ctx, survey);
        const all = questionsOf(survey.definition);
        const index = all.findIndex((x) => x.id === draft.current);
        const q = all[index];
        if (!q) {
          discardActive(ctx);
          return ctx.jump('survey', 'list');
        }
        const parsed = parseAnswer(q, { text: input.text, picked: input.choice }, ctx.state.choices, skipWords(ctx));
        if (parsed.kind === 'invalid') {
          ctx.reply(ctx.t(parsed.hint, parsed.vars));
          return ctx.repeat();
        }
        if (parsed.kind === 'skip') delete draft.answers[q.id];
        else draft.answers[q.id] = parsed.value;
        if (!draft.reminded) {
          draft.reminded = true;
          await ctx.services.surveys.scheduleReminder(survey, ctx.member!._id, draft.subject, ctx.now, ctx.identity._id);
        }
        draft.path.push(q.id);
        const next = nextQuestion(all, draft.answers, index);
        if (!next) {
          draft.current = CONFIRM;
          return ctx.jump('survey', 'confirm');
        }
        draft.current = next.id;
        return ctx.jump('survey', 'question');
      },
    },

    previous: {
      async enter(ctx) {
        const draft = activeDraft(ctx);
        if (!draft) return ctx.home();
        const previous = draft.path.pop();
        if (previous) draft.current = previous;
        return ctx.jump('survey', 'question');
      },
      input(ctx) {
        return ctx.repeat();
      },
    },

    confirm: {
      async enter(ctx) {
        const { draft, survey } = await loadActive(ctx);
        if (!draft) return ctx.home();
        if (!isOpen(survey, ctx.now)) return refuseClosed(ctx, survey);
        // What was asked — the questions shown, skipped ones included — as the progress counted them.
        const all = questionsOf(survey.definition);
        const answers = cleanAnswers(all, draft.answers);
        const asked = all.filter((q) => isVisible(q, answers));
        const skipped = asked.filter((q) => answers[q.id] === undefined).length;
        ctx.ask(ctx.t(skipped > 0 ? 'survey:confirm_skipped' : 'survey:confirm', { count: asked.length, skipped }), [
          { id: 'send', label: ctx.t('survey:send') },
          { id: 'change', label: ctx.t('survey:change') },
        ]);
        setBackTarget(ctx, draft);
      },
      async input(ctx, input) {
        if (input.choice!.id === 'change') return ctx.back();
        const { draft, survey } = await loadActive(ctx);
        if (!draft) return ctx.home();
        const outcome = await ctx.services.surveys.submit({ survey, member: ctx.member!, answers: draft.answers, subject: draft.subject, locale: ctx.locale, now: ctx.now });
        if (outcome === 'closed') return refuseClosed(ctx, survey);
        discardActive(ctx);
        if (outcome === 'duplicate') {
          ctx.reply(ctx.t('survey:already_answered'));
          return ctx.home();
        }
        const def = survey.definition;
        const closing = [ctx.t(def.kind === 'inspection' ? 'survey:thanks_inspection' : def.anonymous ? 'survey:thanks_anonymous' : 'survey:thanks_named')];
        if (def.closing) closing.push(textIn(def.closing, ctx.locale));
        ctx.reply(closing.join('\n\n'));
        return ctx.home();
      },
    },
  },
};
