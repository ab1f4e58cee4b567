/**
 * "Delete my data" as one loop over everything that holds a person: each step names the store
 * it clears and what it removes, so the erasure scan test can prove nothing is left. What is kept
 * on purpose (the member's id with status "erased", keyed markers) is listed in docs/privacy.md.
 */
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { BroadcastModels } from '../broadcasts/models.js';
import type { ConcernService } from '../concerns/concern-service.js';
import { deliverNotices, type Notice } from '../concerns/notices.js';
import type { ChannelIdentityDoc, Models } from '../db.js';
import type { ChannelName, Outbox } from '../engine/types.js';
import type { Jobs } from '../jobs.js';
import type { MaterialModels } from '../materials/models.js';
import { linkAttemptsKey } from '../members/account-links.js';
import type { MemberService } from '../members/member-service.js';
import { RedisKeys } from '../redis-keys.js';
import { REMINDER_QUEUE, type SurveyService } from '../surveys/survey-service.js';
import type { PrivacyKeys } from './privacy-keys.js';
import { ConversationStore } from '../engine/conversation-store.js';
import { DeliveryLog } from '../delivery-log.js';

export interface MemberErasureDeps {
  models: Models;
  members: MemberService;
  concerns: ConcernService;
  surveys: SurveyService;
  materialModels: MaterialModels;
  broadcastModels: BroadcastModels;
  audit: AuditLog;
  jobs: Jobs;
  outbox: Outbox;
  redis: Redis;
  redisPrefix: string;
  keys: PrivacyKeys;
}

/** Who is being erased: the member and every chat app identity linked to them. */
export interface ErasureSubject {
  memberId: string;
  identities: Pick<ChannelIdentityDoc, '_id' | 'channel' | 'chatId' | 'platformUserId'>[];
  eventId: string;
  at: Date;
  /** Filled by the concerns step: what copies of their concerns look like, and who saw them. */
  concernCodes?: string[];
  concernTexts?: string[];
  concernCadres?: string[];
}

/** One store's part of an erasure. */
interface ErasureStep {
  /** The store and what it removes (shown in docs/privacy.md). */
  what: string;
  run(s: ErasureSubject): Promise<Notice[] | void>;
}

export class MemberErasure {
  private readonly steps: ErasureStep[];
  private readonly conversations: ConversationStore;

  constructor(private readonly d: MemberErasureDeps) {
    this.conversations = new ConversationStore(d.models, d.keys);
    const chatsOf = (s: ErasureSubject) => s.identities.map((i) => ({ channel: i.channel as ChannelName, chatId: i.chatId }));
    this.steps = [
      { what: 'survey_responses: named answers', run: (s) => d.surveys.eraseMemberResponses(s.memberId).then(() => undefined) },
      { what: 'concerns: texts and photos, the sealed reporter links (reporter-vault), open concerns withdrawn', run: (s) => this.forgetConcerns(s) },
      { what: 'cadre_assignments: ended, open concerns re-routed, then deleted', run: (s) => this.endCadre(s) },
      { what: 'audit_log: the member as actor of concern actions (links them to concern codes)', run: (s) => this.unlinkAudit(s) },
      { what: 'topic_prefs: topic choices', run: (s) => d.materialModels.TopicPrefs.deleteOne({ _id: s.memberId }).then(() => undefined) },
      { what: 'broadcast_records: who was sent what, and where', run: (s) => d.broadcastModels.BroadcastRecord.deleteMany({ memberId: s.memberId }).then(() => undefined) },
      { what: 'deliveries: records of messages to the person', run: (s) => this.forgetDeliveries(s) },
      { what: 'BullMQ deliver-*: messages to their chats, and cadres\' notices quoting their concerns', run: (s) => this.purgeMessages(s, chatsOf(s)) },
      { what: 'conversations of cadres: recent replies that quoted their concerns', run: (s) => this.scrubCadreConversations(s) },
      { what: 'BullMQ survey-reminders: reminders due to them', run: (s) => d.jobs.purge(REMINDER_QUEUE, (data) => data.memberId === s.memberId).then(() => undefined) },
      { what: 'Redis: account-link attempt counters', run: (s) => this.forgetRedis(s) },
      { what: 'conversations: of their other chat apps (the current one is deleted by the engine after the turn)', run: (s) => this.conversations.delete(s.identities.map((i) => i._id)) },
      { what: 'erased_identities: a keyed marker per identity (kept, names nobody: an import must not re-create them)', run: (s) => this.markErased(s) },
      { what: 'members: everything but id and status; channel_identities: deleted', run: (s) => d.members.eraseMember(s.memberId, { eventId: s.eventId, at: s.at }) },
    ];
  }

  /** What each step removes, in order (for documentation and tests). */
  get description(): string[] {
    return this.steps.map((s) => s.what);
  }

  /**
   * Erases the member; returns the notices for cadres (their concerns withdrawn or re-routed).
   * Safe to run again after a crash: every step is idempotent.
   */
  async erase(memberId: string, args: { eventId: string; at: Date }): Promise<Notice[]> {
    const identities = await this.d.models.ChannelIdentity.find({ memberId }, { _id: 1, channel: 1, chatId: 1, platformUserId: 1 }).lean();
    const subject: ErasureSubject = { memberId, identities, ...args };
    const notices: Notice[] = [];
    for (const step of this.steps) notices.push(...((await step.run(subject)) ?? []));
    return notices;
  }

  /** Notes what the concerns' copies look like (codes, texts, cadres), then forgets the reporter. */
  private async forgetConcerns(s: ErasureSubject): Promise<Notice[]> {
    const mine = await this.d.concerns.mine(s.memberId);
    s.concernCodes = mine.map((c) => c._id);
    s.concernTexts = mine.flatMap((c) => [c.description, ...c.events.filter((e) => e.actor === 'reporter' && e.text).map((e) => e.text!)]).filter((t) => t.length >= 8);
    s.concernCadres = [...new Set(mine.flatMap((c) => [c.assigneeId, ...c.events.map((e) => e.actor)]).filter((m): m is string => !!m && m !== 'reporter' && m !== 'system'))];
    return this.d.concerns.forgetReporter(s.memberId, s.at);
  }

  /** Quotes of the person's words or photos in a message. */
  private quotes(s: ErasureSubject, text: string | undefined): boolean {
    return !!text && (s.concernTexts ?? []).some((t) => text.includes(t));
  }

  private async purgeMessages(s: ErasureSubject, chats: { channel: ChannelName; chatId: string }[]): Promise<void> {
    const chatKeys = new Set(chats.map((c) => `${c.channel}|${c.chatId}`));
    const codes = s.concernCodes ?? [];
    await this.d.outbox.purge(
      (env) =>
        chatKeys.has(`${env.channel}|${env.chatId}`) ||
        (codes.length > 0 && env.messages.some((m) => codes.some((code) => m.text?.includes(code)) && (this.quotes(s, m.text) || !!m.photoUrl))),
    );
  }

  private async scrubCadreConversations(s: ErasureSubject): Promise<void> {
    const cadres = s.concernCadres ?? [];
    if (cadres.length === 0 || !s.concernCodes?.length) return;
    const identities = await this.d.models.ChannelIdentity.find({ memberId: { $in: cadres } }, { _id: 1 }).lean();
    for (const { _id } of identities) await this.conversations.forgetReplies(_id, (m) => this.quotes(s, m.text));
  }

  private async markErased(s: ErasureSubject): Promise<void> {
    const docs = s.identities.map((i) => ({ _id: this.d.keys.marker('erased-identity', i._id), at: s.at }));
    if (docs.length) await this.d.models.ErasedIdentity.insertMany(docs, { ordered: false }).catch(() => undefined);
  }

  /** Erases the member and delivers the cadres' notices itself (outside a conversation turn). */
  async eraseAndNotify(memberId: string, args: { eventId: string; at: Date }): Promise<void> {
    await deliverNotices(this.d.models, this.d.outbox, await this.erase(memberId, args));
  }

  private async endCadre(s: ErasureSubject): Promise<Notice[]> {
    const { notices } = await this.d.concerns.endCadre(s.memberId, s.at);
    await this.d.concerns.cm.CadreAssignment.deleteMany({ memberId: s.memberId });
    return notices;
  }

  private async unlinkAudit(s: ErasureSubject): Promise<void> {
    // "Who consented to reveal themselves for concern X" names the reporter of X: keep the event, not the person.
    await this.d.models.Audit.updateMany({ actor: s.memberId, action: /^concern\.reporter\./ }, { $set: { actor: 'erased-member' } });
  }

  private forgetDeliveries(s: ErasureSubject): Promise<void> {
    return new DeliveryLog(this.d.models).forget(s.memberId, s.identities);
  }


  private async forgetRedis(s: ErasureSubject): Promise<void> {
    const redisKeys = new RedisKeys(this.d.redisPrefix);
    const keys = s.identities.map((i) => linkAttemptsKey(redisKeys, this.d.keys, i._id));
    if (keys.length) await this.d.redis.del(...keys);
  }
}
