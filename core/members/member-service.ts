/**
 * Members and their channel identities. Before consent only the channel identity (platform id
 * and chat id) exists; the member record is created when the person agrees.
 */
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { ChannelIdentityDoc, MemberDoc, Models } from '../db.js';
import type { Inbound } from '../engine/types.js';

/** The version of the consent text people agree to; bump it when locales change its meaning. */
export const CONSENT_VERSION = '2026-11';

/** `_id` of a channel identity: `<channel>:<platform user id>`. */
export function identityIdOf(e: Pick<Inbound, 'channel' | 'userId'>): string {
  return `${e.channel}:${e.userId}`;
}

export class MemberService {
  constructor(private readonly models: Models, private readonly audit: AuditLog) {}

  /** Finds or creates the channel identity: the platform id and chat id, nothing else. */
  /**
   * The person's identity on this channel, created at first contact. Only private events reach
   * here (group events are answered without touching storage), so the chat id is always the
   * person's own chat: an identity left with a group's chat id by older data, or marked
   * unreachable after a block, is repaired by the person's next private message.
   */
  async ensureIdentity(e: Inbound): Promise<ChannelIdentityDoc> {
    if (e.chatType === 'group') throw new Error('ensureIdentity: group events create no identity');
    const _id = identityIdOf(e);
    // Through the driver: on the hot path, and the stored shape is what callers want.
    const found = (await this.models.ChannelIdentity.collection.findOne({ _id } as never)) as ChannelIdentityDoc | null;
    if (found && (found.chatId !== e.chatId || found.unreachable)) {
      await this.models.ChannelIdentity.updateOne({ _id }, { $set: { chatId: e.chatId }, $unset: { unreachable: 1 } });
      const { unreachable: _, ...rest } = found;
      return { ...rest, chatId: e.chatId };
    }
    if (found) return found;
    // One round trip; a concurrent first contact of the same identity gets the same document.
    return (await this.models.ChannelIdentity.findOneAndUpdate(
      { _id },
      { $setOnInsert: { channel: e.channel, platformUserId: e.userId, chatId: e.chatId, createdAt: e.at } },
      { upsert: true, returnDocument: 'after', lean: true },
    ))!;
  }

  /**
   * The platform said this chat can no longer be reached (blocked, deleted): audiences skip it
   * until the person writes again. Returns the identity marked, if any (its conversation's
   * identity snapshot must go, so the person's next message repairs the mark).
   */
  async markUnreachable(channel: string, chatId: string): Promise<string | undefined> {
    const marked = await this.models.ChannelIdentity.findOneAndUpdate({ channel, chatId }, { $set: { unreachable: true } }, { lean: true });
    return marked?._id;
  }

  /** A chat app identity by its id ("telegram:…", "zalo:…"). */
  async identity(identityId: string): Promise<ChannelIdentityDoc | null> {
    return this.models.ChannelIdentity.findById(identityId).lean();
  }

  /** Read on every member's turn: through the driver, as mongoose's lean query adds only cost here. */
  async get(memberId: string): Promise<MemberDoc | null> {
    return (await this.models.Member.collection.findOne({ _id: memberId } as never)) as MemberDoc | null;
  }

  /**
   * Creates the member when the person consents. The id derives from the identity and the
   * consenting event, so a replayed event creates no second member.
   */
  async registerWithConsent(args: { identityId: string; eventId: string; channel: string; locale: string; displayName?: string; at: Date }): Promise<MemberDoc> {
    const memberId = 'm' + createHash('sha256').update(`${args.identityId}|${args.eventId}`).digest('hex').slice(0, 20);
    await this.models.Member.updateOne(
      { _id: memberId },
      {
        $setOnInsert: {
          roles: ['worker'],
          locale: args.locale,
          consent: { version: CONSENT_VERSION, givenAt: args.at, channel: args.channel },
          status: 'active',
          broadcastsOptOut: false,
          displayName: args.displayName?.slice(0, 100),
          createdAt: args.at,
        },
      },
      { upsert: true },
    );
    await this.models.ChannelIdentity.updateOne({ _id: args.identityId }, { $set: { memberId } });
    await this.audit.record({ actor: memberId, action: 'consent.given', target: memberId, details: { version: CONSENT_VERSION, channel: args.channel }, idempotencyKey: args.eventId, at: args.at });
    return (await this.get(memberId))!;
  }

  async setLocale(memberId: string, locale: string): Promise<void> {
    await this.models.Member.updateOne({ _id: memberId }, { $set: { locale } });
  }

  async setWorkplace(memberId: string, orgUnitId: string): Promise<void> {
    await this.models.Member.updateOne({ _id: memberId }, { $set: { orgUnitId } });
  }

  async setBroadcastsOptOut(memberId: string, optOut: boolean): Promise<void> {
    await this.models.Member.updateOne({ _id: memberId }, { $set: { broadcastsOptOut: optOut } });
  }

  /**
   * Withdraws consent and deletes the person's data: the member record keeps only its id,
   * status and erasure time (so anonymous aggregates still add up); every channel identity is
   * deleted. Audited. The rest of a person's data is erased by MemberErasure, which calls this last.
   */
  async eraseMember(memberId: string, args: { eventId: string; at: Date }): Promise<void> {
    await this.models.Member.replaceOne(
      { _id: memberId },
      { roles: [], locale: 'vi', status: 'erased', broadcastsOptOut: true, createdAt: args.at, erasedAt: args.at },
    );
    // The identities go too: they hold the platform ids and chats. A later message is a first contact.
    const identities = await this.models.ChannelIdentity.find({ memberId }, { _id: 1 }).lean();
    if (identities.length) await this.models.ChannelIdentity.deleteMany({ _id: { $in: identities.map((i) => i._id) } });
    await this.audit.record({ actor: memberId, action: 'member.erased', target: memberId, details: { identities: identities.length }, idempotencyKey: args.eventId, at: args.at });
  }
}
