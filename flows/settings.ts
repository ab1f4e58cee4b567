/** Settings: language, workplace, stop/resume messages, link another app, withdraw consent and delete my data. */
import type { Flow } from '../core/engine/flow.js';
import { LINK_CODE_TTL_SECONDS } from '../core/members/account-links.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { languageChoices } from './language-choices.js';

export const settingsFlow: Flow = {
  name: 'settings',
  steps: {
    main: {
      async enter(ctx) {
        const m = ctx.member!;
        const workplace = m.orgUnitId ? await ctx.services.org.describe(m.orgUnitId, ctx.now) : undefined;
        ctx.ask(
          ctx.t('settings:title', {
            language: ctx.t('common:language_name'),
            workplace: workplace ?? ctx.t('settings:workplace_unset'),
            messages: ctx.t(m.broadcastsOptOut ? 'settings:messages_off' : 'settings:messages_on'),
          }),
          [
            { id: 'language', label: ctx.t('settings:choice_language') },
            { id: 'workplace', label: ctx.t('settings:choice_workplace') },
            { id: 'messages', label: ctx.t(m.broadcastsOptOut ? 'settings:choice_resume' : 'settings:choice_stop') },
            { id: 'link', label: ctx.t('settings:choice_link') },
            { id: 'delete', label: ctx.t('settings:choice_delete') },
            { id: 'menu', label: ctx.t('settings:choice_menu') },
          ],
        );
      },
      async input(ctx, input) {
        switch (input.choice!.id) {
          case 'language':
            return ctx.go('settings', 'language');
          case 'workplace':
            ctx.state.data.returnTo = 'settings';
            return ctx.go('onboarding', 'workplace');
          case 'messages': {
            const optOut = !ctx.member!.broadcastsOptOut;
            await ctx.services.members.setBroadcastsOptOut(ctx.member!._id, optOut);
            ctx.member = { ...ctx.member!, broadcastsOptOut: optOut };
            ctx.reply(ctx.t(optOut ? 'settings:stopped' : 'settings:resumed'));
            return ctx.repeat();
          }
          case 'link': {
            const code = await ctx.services.links.createCode(ctx.member!._id);
            ctx.reply(ctx.t('settings:link_code', { code, minutes: LINK_CODE_TTL_SECONDS / 60 }));
            return ctx.repeat();
          }
          case 'delete':
            return ctx.go('settings', 'confirm_delete');
          default:
            return ctx.home();
        }
      },
    },
    language: {
      // Before consent the choice lives only in the conversation, not in a member record.
      needsMember: false,
      enter(ctx) {
        ctx.ask(ctx.t('settings:language_question'), languageChoices(ctx));
      },
      async input(ctx, input) {
        const locale = input.choice!.id;
        ctx.setLocale(locale);
        if (ctx.member) await ctx.services.members.setLocale(ctx.member._id, locale);
        ctx.reply(ctx.t('settings:language_saved'));
        return ctx.back();
      },
    },
    confirm_delete: {
      enter(ctx) {
        ctx.ask(ctx.t('settings:delete_question'), [
          { id: 'confirm', label: ctx.t('settings:delete_confirm') },
          { id: 'keep', label: ctx.t('settings:delete_keep') },
        ]);
      },
      async input(ctx, input) {
        if (input.choice!.id !== 'confirm') {
          ctx.reply(ctx.t('settings:delete_kept'));
          return ctx.back();
        }
        // Every store's part (survey answers, concerns and sealed links, cadre assignments, records,
        // queued messages, identities…): see core/privacy/member-erasure.ts. Cadres whose concerns
        // were withdrawn or handed on are told.
        await notifyInTurn(ctx, await ctx.services.erasure.erase(ctx.member!._id, { eventId: ctx.inbound.eventId, at: ctx.now }));
        ctx.forgetConversation();
        ctx.member = null;
        ctx.state.data = {};
        ctx.reply(ctx.t('settings:deleted'));
        return ctx.jump('onboarding', 'declined');
      },
    },
  },
};
