/**
 * Messages the concerns area sends to people other than the one chatting (cadres, the worker
 * when a cadre acts, the secretariat): computed by the service, delivered by the caller —
 * through `ctx.notify` inside a conversation turn, or the delivery queues from a job.
 */
import type { FlowContext } from '../engine/flow.js';
import type { Outbound, Outbox } from '../engine/types.js';
import { ContactBook, type Chat } from './contact-book.js';
import { photoMessages, type NoticePhotos } from './photos.js';

/** One message for one member. */
export interface Notice {
  memberId: string;
  /** Unique per message (the delivery queue sends a key once). */
  key: string;
  message: Outbound;
  /** Photos sent after the message, as far as the recipient's channel can show them. */
  photos?: NoticePhotos;
  /** Travels sealed (a message to a concern's reporter): see core/privacy/sealed-envelope.ts. */
  seal?: boolean;
}

/**
 * A notice's messages for a chat on `channel`: its text, then its photos. Each leaves as its own
 * delivery (same chat, so in order): a photo the platform refuses (an expired URL, a bad
 * file_id) fails alone instead of holding back the photos and the note after it.
 */
function messagesOf(n: Notice, channel: Chat['channel']): Outbound[] {
  return [n.message, ...(n.photos ? photoMessages(n.photos, channel, n.message.locale) : [])];
}

/** The delivery key of a notice's i-th message (the first keeps the notice's own key). */
const keyOf = (n: Notice, i: number) => (i === 0 ? n.key : `${n.key}:m${i}`);

/** The chat where a member can be reached now (not marked unreachable), preferring Zalo. */
export async function reachableChat(contacts: ContactBook, memberId: string): Promise<Chat | undefined> {
  return contacts.chatOf(memberId);
}

/** Sends notices within a conversation turn (committed with the turn's state); returns the members who have a chat to reach them on. */
export async function notifyInTurn(ctx: FlowContext, notices: Notice[]): Promise<string[]> {
  const chats = await Promise.all(notices.map((n) => reachableChat(ctx.services.contacts, n.memberId)));
  const reached: string[] = [];
  notices.forEach((n, i) => {
    const chat = chats[i];
    if (!chat) return;
    for (const message of messagesOf(n, chat.channel)) ctx.notify({ ...chat, memberId: n.memberId, ...(n.seal ? { seal: true } : {}) }, message);
    reached.push(n.memberId);
  });
  return reached;
}

/** Sends notices from outside a conversation (SLA timers, admin commands). */
export async function deliverNotices(contacts: ContactBook, outbox: Outbox, notices: Notice[]): Promise<void> {
  const chats = await Promise.all(notices.map((n) => reachableChat(contacts, n.memberId)));
  const envelopes = notices.flatMap((n, i) => {
    const chat = chats[i];
    return chat ? messagesOf(n, chat.channel).map((message, m) => ({ ...chat, memberId: n.memberId, key: keyOf(n, m), messages: [message], priority: 'reply' as const, ...(n.seal ? { seal: true } : {}) })) : [];
  });
  // One send: each notice's envelopes stay in order (the outbox keeps the order of a batch).
  await outbox.send(envelopes);
}
