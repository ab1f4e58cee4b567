/**
 * Onboarding: what the bot is for, explicit consent (Law 91/2025: nothing beyond the platform id
 * is stored before the person agrees), language, then the workplace, then the main menu.
 */
import type { Flow, FlowContext, StepInput } from '../core/engine/flow.js';
import { languageChoices } from './language-choices.js';
import { askWorkplace, handleWorkplaceSearch, pickWorkplace, refuseOutOfRange, showWorkplaceMatches } from './workplace-steps.js';

/** After the language: the workplace (confirmed from a poster's deep link, or searched); `back` returns to the language. */
async function askWorkplaceAfterLanguage(ctx: FlowContext): Promise<void> {
  const code = typeof ctx.state.data.startPayload === 'string' ? ctx.state.data.startPayload : undefined;
  const fromPoster = code ? await ctx.services.org.workplaceByCode(code, ctx.now) : undefined;
  if (fromPoster) {
    ctx.state.data.workplaceMatches = [fromPoster._id];
    return ctx.go('onboarding', 'workplace_confirm');
  }
  return ctx.go('onboarding', 'workplace');
}

async function consent(ctx: FlowContext, input: StepInput): Promise<void> {
  switch (input.choice?.id) {
    case 'agree': {
      ctx.member = await ctx.services.members.registerWithConsent({
        identityId: ctx.identity._id,
        eventId: ctx.inbound.eventId,
        channel: ctx.inbound.channel,
        locale: ctx.locale,
        displayName: ctx.inbound.displayName,
        at: ctx.now,
      });
      ctx.reply(ctx.t('onboarding:consent_thanks'));
      // A language chosen at the consent screen ("ngôn ngữ"/"language") is not asked for again.
      if (ctx.state.locale) ctx.state.data.languageChosen = true;
      return ctx.jump('onboarding', 'language');
    }
    case 'details':
      ctx.reply(ctx.t('onboarding:consent_details'));
      return ctx.repeat();
    case 'decline':
      ctx.reply(ctx.t('onboarding:declined'));
      return ctx.jump('onboarding', 'declined');
  }
}

export const onboardingFlow: Flow = {
  name: 'onboarding',
  steps: {
    welcome: {
      needsMember: false,
      enter(ctx) {
        if (!ctx.repeating) ctx.reply(ctx.t('onboarding:welcome'));
        // The consent screen says, in the other language too, how to switch language.
        ctx.ask(`${ctx.t('onboarding:consent_question')}\n\n${ctx.t('onboarding:language_hint')}`, [
          { id: 'agree', label: ctx.t('onboarding:choice_agree') },
          { id: 'decline', label: ctx.t('onboarding:choice_decline') },
          { id: 'details', label: ctx.t('onboarding:choice_details') },
        ]);
      },
      input: consent,
    },
    declined: {
      needsMember: false,
      resting: true,
      enter() {},
      // Declining is respected: the bot stays quiet until the person writes again.
      input: (ctx) => ctx.jump('onboarding', 'welcome'),
      acceptsText: true,
      acceptsMedia: true,
    },
    language: {
      enter(ctx) {
        // Chosen before consenting (and stored with the consent): straight on, once; "back" asks it.
        if (ctx.state.data.languageChosen) {
          delete ctx.state.data.languageChosen;
          return askWorkplaceAfterLanguage(ctx);
        }
        ctx.ask(ctx.t('onboarding:language_question'), languageChoices(ctx));
      },
      async input(ctx, input) {
        const locale = input.choice!.id;
        ctx.setLocale(locale);
        await ctx.services.members.setLocale(ctx.member!._id, locale);
        return askWorkplaceAfterLanguage(ctx);
      },
    },
    workplace_confirm: {
      async enter(ctx) {
        const id = (ctx.state.data.workplaceMatches as string[])[0]!;
        const name = (await ctx.services.org.describe(id, ctx.now)) ?? id;
        ctx.ask(ctx.t('onboarding:workplace_confirm', { name }), [
          { id: 'yes', label: ctx.t('common:yes') },
          { id: 'no', label: ctx.t('onboarding:workplace_other') },
        ]);
      },
      async input(ctx, input) {
        if (input.choice?.id === 'yes') return pickWorkplace(ctx, (ctx.state.data.workplaceMatches as string[])[0]!);
        return ctx.go('onboarding', 'workplace');
      },
    },
    workplace: {
      acceptsText: true,
      enter: askWorkplace,
      input: handleWorkplaceSearch,
    },
    workplace_pick: {
      acceptsText: true,
      enter: showWorkplaceMatches,
      async input(ctx, input) {
        if (input.choice?.id === 'search_again') return ctx.go('onboarding', 'workplace');
        if (input.choice) return pickWorkplace(ctx, input.choice.id);
        if (refuseOutOfRange(ctx, input)) return ctx.repeat();
        // Typing something else is a new search.
        return handleWorkplaceSearch(ctx, input);
      },
    },
  },
};
