/**
 * A member's turn needs their identity (which member this chat app account is) and the member.
 * The conversation carries a snapshot of the first, written with each commit, so a member's turn
 * reads the conversation and the member: two MongoDB reads, not three. The identity stays the
 * record; the snapshot is trusted only while it cannot have gone stale unnoticed:
 * - it names a member, the event's chat is the one it saw, and the member it names is active
 *   (an erased or replaced profile sends the turn to the identity);
 * - it is younger than SNAPSHOT_MAX_AGE_MS, so an "unreachable" mark that raced a turn's commit
 *   is repaired by a later message (markUnreachable also drops the snapshot at once);
 * - everything that re-points an identity to another member (consent, account link) happens in
 *   that identity's own turn, which writes the new snapshot; erasure deletes the conversation.
 */
import type { ChannelIdentityDoc, ConversationDoc, MemberDoc } from '../db.js';
import type { Inbound } from './types.js';

export type IdentitySnapshot = NonNullable<ConversationDoc['identity']>;

/** The identity as a turn sees it. */
export type TurnIdentity = Pick<ChannelIdentityDoc, '_id' | 'chatId' | 'memberId'>;

/** How long a snapshot is trusted before the identity is read again. */
export const SNAPSHOT_MAX_AGE_MS = 10 * 60_000;

/** The snapshot this event may use, or undefined when the identity must be read. */
export function usableSnapshot(stored: Pick<ConversationDoc, 'identity'> | null, e: Pick<Inbound, 'chatId'>, now: Date): IdentitySnapshot | undefined {
  const s = stored?.identity;
  if (!s?.memberId || s.chatId !== e.chatId) return undefined;
  const age = now.getTime() - new Date(s.checkedAt).getTime();
  return age >= 0 && age < SNAPSHOT_MAX_AGE_MS ? s : undefined;
}

/** The snapshot to commit with the turn: of the member the turn ended with, if active. */
export function snapshotAfterTurn(used: IdentitySnapshot | undefined, member: Pick<MemberDoc, '_id' | 'status'> | null, chatId: string, now: Date): IdentitySnapshot | undefined {
  if (!member || member.status !== 'active') return undefined;
  // The same member as the snapshot the turn trusted: it keeps the time it was checked.
  if (used && used.memberId === member._id && used.chatId === chatId) return used;
  return { memberId: member._id, chatId, checkedAt: now };
}
