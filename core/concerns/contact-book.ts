/**
 * Where a member can be reached for a concern notice: the chat of one of their identities that is
 * still linked to them and not marked unreachable, preferring Zalo, then Telegram, then the
 * console. MongoDB finds identities by member id through its index; FerretDB on SQLite evaluates
 * every filter but a lone `_id` in Go, document by document, so there it is a collection scan
 * (measured with the `_id` index fixed: 21 ms at 521 identities and 361 ms at 10,000, against
 * 1.2 ms by `_id`; without this book bench:sla drained 21 escalations a second instead of 100,
 * p99 lateness 37.7 s instead of 0.25–0.43 s). Every SLA escalation tells two people, so the
 * identity ids of all members are kept in memory — built with one scan, rebuilt in the
 * background after `maxAgeMs` — and each use reads only those identities, by `_id`, keeping the
 * ones still linked to the member and reachable. An unlinked, erased or unreachable identity is
 * therefore never used. The one lag: an identity linked to a member who already has a usable one
 * is considered from the next rebuild on; a member with no usable known identity is looked up by
 * member id at once, as before.
 */
import type { ChannelIdentityDoc, Models } from '../db.js';
import { CHANNELS_BY_PREFERENCE, type ChannelName } from '../engine/types.js';

/** A chat to send to. */
export interface Chat {
  channel: ChannelName;
  chatId: string;
}


/** The preferred reachable chat among identities (first found wins within a channel). */
function pick(identities: ChannelIdentityDoc[]): Chat | undefined {
  const ok = identities.filter((i) => !i.unreachable).sort((a, b) => CHANNELS_BY_PREFERENCE.indexOf(a.channel as ChannelName) - CHANNELS_BY_PREFERENCE.indexOf(b.channel as ChannelName));
  const best = ok[0];
  return best ? { channel: best.channel as ChannelName, chatId: best.chatId } : undefined;
}

const books = new WeakMap<Models, ContactBook>();

export class ContactBook {
  private byMember?: Map<string, string[]>;
  private builtAt = 0;
  private building?: Promise<void>;

  constructor(private readonly models: Models, private readonly maxAgeMs = 60_000) {}

  /** The book of one database (one per bound set of models, shared by everything using them). */
  static of(models: Models): ContactBook {
    let book = books.get(models);
    if (!book) {
      book = new ContactBook(models);
      books.set(models, book);
    }
    return book;
  }

  private rebuild(): Promise<void> {
    this.building ??= this.models.ChannelIdentity.find({}, { memberId: 1 })
      .lean<Pick<ChannelIdentityDoc, '_id' | 'memberId'>[]>()
      .then((all) => {
        const byMember = new Map<string, string[]>();
        for (const i of all) if (i.memberId) byMember.set(i.memberId, [...(byMember.get(i.memberId) ?? []), i._id]);
        this.byMember = byMember;
        this.builtAt = Date.now();
      })
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }

  /** The chat where the member can be reached now, if any. */
  async chatOf(memberId: string): Promise<Chat | undefined> {
    if (!this.byMember) await this.rebuild();
    else if (Date.now() - this.builtAt > this.maxAgeMs) void this.rebuild().catch(() => undefined);
    const known = this.byMember?.get(memberId);
    if (known?.length) {
      const found = await Promise.all(known.map((id) => this.models.ChannelIdentity.findById(id).lean<ChannelIdentityDoc>()));
      const chat = pick(found.filter((i): i is ChannelIdentityDoc => i?.memberId === memberId));
      if (chat) return chat;
    }
    const identities = await this.models.ChannelIdentity.find({ memberId }).lean<ChannelIdentityDoc[]>();
    this.byMember?.set(
      memberId,
      identities.map((i) => i._id),
    );
    return pick(identities);
  }
}
