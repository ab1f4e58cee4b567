/**
 * "You said, we did" in chat, for one resolved concern:
 * - the lead cadre, on a resolved concern in their inbox, writes a short anonymised summary of
 *   the outcome (steps added to flows/cadre.ts); the reporter is asked through the sealed relay;
 * - the reporter, on that concern in "my concerns", reads the summary and agrees or declines
 *   (steps added to flows/concern.ts). Only an agreed note reaches the secretariat to publish.
 */
import { NotAssigneeError } from '../core/concerns/errors.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { tooShort } from '../core/concerns/text-minimums.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { FeedbackInputError, feedbackErrorText } from '../core/feedback/feedback-errors.js';
import { explain } from './concern-intake.js';

const cadreCode = (ctx: FlowContext) => String(ctx.state.data.cadreCode ?? '');
const reporterCode = (ctx: FlowContext) => String(ctx.state.data.concernCode ?? '');

/** Says why a request was refused; rethrows anything unexpected. */
function refused(ctx: FlowContext, err: unknown): void {
  if (err instanceof FeedbackInputError) ctx.reply(feedbackErrorText(ctx.t, err));
  else if (err instanceof NotAssigneeError) ctx.reply(ctx.t('cadre:refused_not_assignee', { code: cadreCode(ctx) }));
  else throw err;
}

/** The cadre's side: the choice on a resolved concern's page, and the step that writes the summary. */
export const outcomeProposalChoice = (ctx: FlowContext) => ({ id: 'share_outcome', label: ctx.t('feedback:cadre.choice_share') });

export const outcomeProposalSteps: Record<string, Step> = {
  share_outcome: {
    acceptsText: true,
    enter(ctx) {
      ctx.reply(ctx.t('feedback:cadre.prompt', { code: cadreCode(ctx) }));
    },
    async input(ctx, { text }) {
      if (tooShort(text)) {
        ctx.reply(ctx.t('feedback:cadre.prompt', { code: cadreCode(ctx) }));
        return;
      }
      try {
        const { notices } = await ctx.services.feedback.proposeOutcome(ctx.member!._id, cadreCode(ctx), text!, ctx.locale, ctx.now, ctx.inbound.eventId);
        const reached = await notifyInTurn(ctx, notices);
        ctx.reply(ctx.t(reached.length ? 'feedback:cadre.proposed' : 'feedback:cadre.proposed_unreached', { code: cadreCode(ctx) }));
      } catch (err) {
        refused(ctx, err);
      }
      return ctx.jump('cadre', 'item');
    },
  },
};

/** The reporter's side: the choice on their concern's page while a note waits for them, and the answer. */
export async function outcomeConsentChoice(ctx: FlowContext, code: string) {
  return (await ctx.services.feedback.awaitingConsent(code)) ? { id: 'outcome_consent', label: ctx.t('feedback:reporter.choice') } : undefined;
}

export const outcomeConsentSteps: Record<string, Step> = {
  outcome_consent: {
    async enter(ctx) {
      const note = await ctx.services.feedback.awaitingConsent(reporterCode(ctx));
      if (!note) {
        ctx.reply(ctx.t('feedback:error.bad_state'));
        return ctx.jump('concern', 'detail');
      }
      ctx.ask(ctx.t('feedback:reporter.ask', { code: reporterCode(ctx), summary: note.summary }), [
        { id: 'yes', label: ctx.t('feedback:reporter.yes') },
        { id: 'no', label: ctx.t('feedback:reporter.no') },
      ]);
    },
    async input(ctx, { choice }) {
      const agree = choice!.id === 'yes';
      try {
        await ctx.services.feedback.answerConsent(ctx.member!._id, reporterCode(ctx), agree, ctx.now);
        ctx.reply(ctx.t(agree ? 'feedback:reporter.agreed' : 'feedback:reporter.declined'));
      } catch (err) {
        if (err instanceof FeedbackInputError) ctx.reply(feedbackErrorText(ctx.t, err));
        else explain(ctx, err);
      }
      return ctx.jump('concern', 'detail');
    },
  },
};
