/**
 * "Đăng nhập web" / "web login": a staff member (a secretariat or admin grant) receives a
 * one-time link to the web console; anyone else is told politely whom it is for. The words
 * work from the menu (an entry shown to staff only) and wherever the current screen cannot take
 * them, in either language (`web:chat.phrases`).
 */
import type { Flow, FlowContext } from '../core/engine/flow.js';
import { fold } from '../core/text-normalize.js';
import { isStaff } from '../core/web-access/web-sign-in.js';

/** Whether a text is one of the sign-in phrases, in any language, with or without diacritics. */
export function isWebLoginPhrase(ctx: FlowContext, text: string | undefined): boolean {
  if (!text) return false;
  const typed = fold(text);
  return ctx.services.i18n.inAllLanguages('web:chat.phrases').some((list) => list.split('|').some((p) => fold(p) === typed));
}

/** Sends the link to a staff member, or the refusal to anyone else. */
async function sendLink(ctx: FlowContext): Promise<void> {
  const member = ctx.member;
  if (!member || !isStaff(member)) {
    ctx.reply(ctx.t('web:chat.not_staff'));
    return;
  }
  const { url, minutes } = await ctx.services.webSignIn.issueLink(member, { at: ctx.now, via: 'chat', idempotencyKey: ctx.inbound.eventId });
  ctx.reply(ctx.t('web:chat.link', { url, minutes }));
}

export const webLoginFlow: Flow = {
  name: 'web-login',
  /** The phrase typed where the screen has no use for it (the menu in another language, a list of choices). */
  async unpromptedInput(ctx, input) {
    if (input.media || !isWebLoginPhrase(ctx, input.text)) return false;
    await sendLink(ctx);
    return true;
  },
  steps: {
    issue: {
      // The menu entry shows to staff only; the roles are checked again here, live, by the engine.
      roles: ['secretariat', 'admin'],
      async enter(ctx) {
        await sendLink(ctx);
        return ctx.jump('menu', 'main');
      },
      input(ctx) {
        return ctx.home();
      },
    },
  },
};
