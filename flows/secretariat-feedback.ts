/**
 * "You said, we did" in the secretariat's area (flows/secretariat.ts), within the reader's scope:
 * the outcome notes their reporters agreed to (publish to the unit's workers, or set aside) and
 * the closed surveys still without feedback (the draft of what was heard is shown; what they type
 * next is what will be done, and both go to everyone the survey invited). The same service as the
 * CLI and the web page (core/feedback/feedback-service.ts); refusals in words.
 */
import { BroadcastInputError, broadcastErrorText } from '../core/broadcasts/broadcast-errors.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { FeedbackInputError, feedbackErrorText } from '../core/feedback/feedback-errors.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';
import { textIn } from '../core/surveys/definition.js';
import { actorOf } from './secretariat-compose.js';

const NOTES_SHOWN = 8;
const SURVEYS_SHOWN = 5;

/** Says why it was refused; rethrows anything unexpected. */
function refused(ctx: FlowContext, err: unknown): void {
  if (err instanceof FeedbackInputError) ctx.reply(feedbackErrorText(ctx.t, err));
  else if (err instanceof BroadcastInputError) ctx.reply(broadcastErrorText(ctx.t, err));
  else throw err;
}

/** What waits in the reader's scope: agreed notes, and closed surveys without feedback whose whole audience is theirs. */
async function waiting(ctx: FlowContext) {
  const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
  const notes = await ctx.services.feedback.list({ kind: 'outcome', status: 'ready', ...(scope.whole ? {} : { unitIds: scope.unitIds ?? [] }) });
  const surveys = [];
  for (const s of (await ctx.services.surveys.list()).reverse()) {
    if (s.kind !== 'survey' || s.closesAt.getTime() > ctx.now.getTime()) continue;
    const roots = s.definition.audience.orgUnits ?? [];
    if (!scope.whole && (roots.length === 0 || !roots.every((u) => scope.has(u)))) continue;
    if (!(await ctx.services.feedback.get(`sf-${s._id}`))) surveys.push(s);
  }
  return { notes, surveys, scope };
}

export const feedbackSteps: Record<string, Step> = {
  feedback: {
    async enter(ctx) {
      const { notes, surveys } = await waiting(ctx);
      const choices = [
        ...notes.slice(0, NOTES_SHOWN).map((n) => ({ id: `note:${n._id}`, label: ctx.t('feedback:chat.note_item', { category: ctx.t(`concern:category.${n.category}`), summary: n.summary!.slice(0, 60) }) })),
        ...surveys.slice(0, SURVEYS_SHOWN).map((s) => ({ id: `survey:${s._id}`, label: ctx.t('feedback:chat.survey_item', { title: textIn(s.definition.title, ctx.locale) }) })),
        { id: 'back', label: ctx.t('secretariat:choice_back') },
      ];
      ctx.ask(ctx.t(notes.length || surveys.length ? 'feedback:chat.title' : 'feedback:chat.nothing', { notes: notes.length, surveys: surveys.length }), choices);
    },
    input(ctx, { choice }) {
      const id = choice!.id;
      if (id === 'back') return ctx.jump('secretariat', 'main');
      ctx.state.data.feedbackTarget = id.slice(id.indexOf(':') + 1);
      return ctx.go('secretariat', id.startsWith('note:') ? 'feedback_note' : 'feedback_survey');
    },
  },

  feedback_note: {
    async enter(ctx) {
      const note = await ctx.services.feedback.get(String(ctx.state.data.feedbackTarget ?? ''));
      const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
      if (!note || note.kind !== 'outcome' || !scope.has(note.unitId)) {
        ctx.reply(ctx.t('feedback:error.unknown_note', { id: '' }));
        return ctx.jump('secretariat', 'feedback');
      }
      ctx.ask(ctx.t('feedback:chat.note', { category: ctx.t(`concern:category.${note.category}`), unit: await ctx.services.concerns.unitName(note.unitId!, ctx.now), summary: note.summary }), [
        { id: 'publish', label: ctx.t('feedback:web.publish') },
        { id: 'set_aside', label: ctx.t('feedback:web.set_aside') },
        { id: 'back', label: ctx.t('secretariat:choice_back') },
      ]);
    },
    async input(ctx, { choice }) {
      const id = String(ctx.state.data.feedbackTarget ?? '');
      if (choice!.id !== 'back') {
        try {
          if (choice!.id === 'publish') await ctx.services.feedback.publishOutcome(id, actorOf(ctx), ctx.now);
          else await ctx.services.feedback.setAside(id, actorOf(ctx), ctx.now);
          ctx.reply(ctx.t(choice!.id === 'publish' ? 'feedback:web.done.publish' : 'feedback:web.done.set-aside'));
        } catch (err) {
          refused(ctx, err);
        }
      }
      return ctx.jump('secretariat', 'feedback');
    },
  },

  feedback_survey: {
    acceptsText: true,
    async enter(ctx) {
      const surveyId = String(ctx.state.data.feedbackTarget ?? '');
      const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
      let heard: string;
      try {
        heard = await ctx.services.feedback.draftHeard(surveyId, ctx.locale, scope.whole ? undefined : scope.unitIds);
      } catch (err) {
        refused(ctx, err);
        return ctx.jump('secretariat', 'feedback');
      }
      ctx.state.data.feedbackHeard = heard;
      ctx.ask(ctx.t('feedback:chat.survey', { heard }), [{ id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    async input(ctx, { choice, text }) {
      if (choice?.id === 'back' || !text) return ctx.jump('secretariat', 'feedback');
      const surveyId = String(ctx.state.data.feedbackTarget ?? '');
      try {
        await ctx.services.feedback.publishSurvey({ surveyId, heard: String(ctx.state.data.feedbackHeard ?? ''), doing: text, locale: ctx.locale }, actorOf(ctx), ctx.now);
        ctx.reply(ctx.t('feedback:web.done.survey'));
      } catch (err) {
        refused(ctx, err);
        if (err instanceof FeedbackInputError && err.code === 'text_too_long') return;
      }
      delete ctx.state.data.feedbackHeard;
      return ctx.jump('secretariat', 'feedback');
    },
  },
};
