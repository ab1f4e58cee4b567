/**
 * Messages the concerns area sends to people other than the one chatting (cadres, the worker
 * when a cadre acts, the secretariat): computed by the service, delivered by the caller —
 * through `ctx.notify` inside a conversation turn, or the delivery queues from a job.
 */
import type { FlowContext } from '../engine/flow.js';
import type { Models } from '../db.js';
import type { ChannelName, Outbound, Outbox } from '../engine/types.js';

/** One message for one member. */
export interface Notice {
  memberId: string;
  /** Unique per message (the delivery queue sends a key once). */
  key: string;
  message: Outbound;
}

const PREFERENCE = ['zalo', 'telegram', 'console'];

/** The chat where a member can be reached now (not marked unreachable), preferring Zalo. */
export async function reachableChat(models: Models, memberId: string): Promise<{ channel: ChannelName; chatId: string } | undefined> {
  const ids = await models.ChannelIdentity.find({ memberId }).lean();
  const ok = ids.filter((i) => !i.unreachable).sort((a, b) => PREFERENCE.indexOf(a.channel) - PREFERENCE.indexOf(b.channel));
  const best = ok[0];
  return best ? { channel: best.channel as ChannelName, chatId: best.chatId } : undefined;
}

/** Sends notices within a conversation turn (committed with the turn's state). */
export async function notifyInTurn(ctx: FlowContext, notices: Notice[]): Promise<void> {
  for (const n of notices) {
    const chat = await reachableChat(ctx.services.models, n.memberId);
    if (chat) ctx.notify({ ...chat, memberId: n.memberId }, n.message);
  }
}

/** Sends notices from outside a conversation (SLA timers, admin commands). */
export async function deliverNotices(models: Models, outbox: Outbox, notices: Notice[]): Promise<void> {
  const envelopes = [];
  for (const n of notices) {
    const chat = await reachableChat(models, n.memberId);
    if (chat) envelopes.push({ ...chat, memberId: n.memberId, key: n.key, messages: [n.message], priority: 'reply' as const });
  }
  if (envelopes.length) await outbox.send(envelopes);
}
