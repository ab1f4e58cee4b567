/** The secretariat's chat actions are for members holding the secretariat (or admin) role only. */
import { NotAuthorizedError } from '../core/broadcasts/broadcast-errors.js';
import type { Actor } from '../core/broadcasts/broadcast-service.js';
import type { FlowContext } from '../core/engine/flow.js';

/** The acting member as the broadcast service sees them. */
export const actorOf = (ctx: FlowContext): Actor => ({ id: ctx.member!._id, roles: ctx.member!.roles });

/**
 * True when the member may act for the secretariat. Otherwise the attempt is audited, the
 * person is told kindly, and taken home (the role may have been revoked mid-conversation).
 */
export async function allowSecretariat(ctx: FlowContext, action: string): Promise<boolean> {
  try {
    await ctx.services.broadcasts.authorize(actorOf(ctx), action, ctx.now);
    return true;
  } catch (err) {
    if (!(err instanceof NotAuthorizedError)) throw err;
    ctx.reply(ctx.t('secretariat:not_allowed'));
    await ctx.home();
    return false;
  }
}
