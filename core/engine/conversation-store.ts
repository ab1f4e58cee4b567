/**
 * Where a person's conversation lives: one document per chat app identity, its contents sealed
 * (conversation-seal.ts). The engine reads it once and writes it once per event, so this store
 * talks to the driver's collection directly: the document is already in its stored shape, and
 * mongoose's casting and document building would be the turn's largest cost.
 */
import type { mongo } from 'mongoose';
import type { ConversationDoc, Models } from '../db.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import { openConversation, sealConversation } from './conversation-seal.js';
import type { Outbound } from './types.js';

export class ConversationStore {
  /** What of a conversation is personal data (docs/privacy.md): all but flow, step and event ids. */
  static readonly personalFields = ['_id (names the chat app account)', 'data', 'choices', 'recentEvents.replies', 'pendingNotices', 'locale', 'identity'] as const;

  private readonly collection: mongo.Collection<ConversationDoc>;

  constructor(models: Models, private readonly keys: PrivacyKeys) {
    this.collection = models.Conversation.collection as unknown as mongo.Collection<ConversationDoc>;
  }

  /** The conversation of identity `who`, opened; null before the first turn. */
  async get(who: string): Promise<ConversationDoc | null> {
    const found = await this.collection.findOne({ _id: who });
    return found ? openConversation(this.keys, found) : null;
  }

  /** The language of `who`'s conversation, when there is one (nothing else is read or opened). */
  async localeOf(who: string): Promise<string | undefined> {
    const found = await this.collection.findOne({ _id: who }, { projection: { locale: 1 } });
    return found?.locale;
  }

  /** The turn's commit point: the whole conversation, sealed, in one single-document write. */
  async commit(who: string, doc: Omit<ConversationDoc, '_id'>): Promise<void> {
    await this.collection.replaceOne({ _id: who }, sealConversation(this.keys, doc), { upsert: true });
  }

  /** A turn's notices are queued: they may name another person's chat, so they go at once. */
  async clearPendingNotices(who: string): Promise<void> {
    await this.collection.updateOne({ _id: who }, { $unset: { pendingNotices: 1 } });
  }

  /** The identity changed outside its own turns (marked unreachable): its next turn reads it again. */
  async forgetIdentity(who: string): Promise<void> {
    await this.collection.updateOne({ _id: who }, { $unset: { identity: 1 } });
  }

  /**
   * Seal-key rotation: every conversation still sealed with a previous key (REPORTER_SEAL_KEY_PREVIOUS)
   * is sealed again with the current one, page by page in id order. A conversation a turn wrote
   * meanwhile is left as that turn wrote it (already under the current key). Returns how many.
   */
  async reseal(pageSize = 500): Promise<number> {
    let changed = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.collection
        .find(after === undefined ? { sealed: { $exists: true } } : { sealed: { $exists: true }, _id: { $gt: after } })
        .sort({ _id: 1 })
        .limit(pageSize)
        .toArray();
      if (page.length === 0) return changed;
      for (const stored of page) {
        if (!stored.sealed || !this.keys.sealedWithPrevious(stored.sealed)) continue;
        const { _id, ...rest } = openConversation(this.keys, stored);
        const res = await this.collection.replaceOne({ _id, updatedAt: stored.updatedAt }, sealConversation(this.keys, rest));
        changed += res.modifiedCount;
      }
      after = page.at(-1)!._id;
    }
  }

  /** Deletes the conversations of these identities (erasure). */
  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.collection.deleteMany({ _id: { $in: ids } });
  }

  /**
   * Empties the kept replies of recent events that `quotes` matches (a cadre's replies quoting an
   * erased person's concern). A conversation written meanwhile is left alone (its `updatedAt` moved).
   */
  async forgetReplies(who: string, quotes: (m: Outbound) => boolean): Promise<void> {
    const found = await this.collection.findOne({ _id: who });
    if (!found) return;
    const conv = openConversation(this.keys, found);
    if (!conv.recentEvents.some((r) => r.replies.some(quotes))) return;
    const recentEvents = conv.recentEvents.map((r) => (r.replies.some(quotes) ? { id: r.id, replies: [] } : r));
    const { _id: _, ...rest } = { ...conv, recentEvents };
    await this.collection.replaceOne({ _id: who, updatedAt: found.updatedAt }, sealConversation(this.keys, rest));
  }

  /**
   * Conversations idle since before `cutoff` keep their place (flow, step, scratch data) but lose
   * the replies kept for redelivery and the way back. Event ids stay (they name nobody and keep a
   * very late redelivery from taking effect twice). A conversation someone wrote in meanwhile has
   * a newer `updatedAt` and is left alone. Pages through `_id` order, resumable. Returns how many
   * were emptied.
   */
  async forgetIdle(cutoff: Date, pageSize: number): Promise<number> {
    const filter = { updatedAt: { $lt: cutoff } };
    let emptied = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.collection
        .find(after === undefined ? filter : { $and: [filter, { _id: { $gt: after } }] })
        .sort({ _id: 1 })
        .limit(pageSize)
        .toArray();
      for (const stored of page) {
        const c = openConversation(this.keys, stored);
        if (c.history.length === 0 && c.recentEvents.every((r) => r.replies.length === 0)) continue;
        const recentEvents = c.recentEvents.map((r) => ({ id: r.id, replies: [] }));
        const set: Partial<ConversationDoc> = { recentEvents, history: [] };
        if (stored.sealed) set.sealed = sealConversation(this.keys, { ...c, recentEvents, history: [] }).sealed;
        const res = await this.collection.updateOne({ _id: c._id, updatedAt: c.updatedAt }, { $set: set });
        emptied += res.modifiedCount;
      }
      if (page.length < pageSize) return emptied;
      after = page[page.length - 1]!._id;
    }
  }
}
