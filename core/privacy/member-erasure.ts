/**
 * "Delete my data" as one loop over everything that holds a person: each step names the store
 * it clears and what it removes, so the erasure scan test can prove nothing is left. What is kept
 * on purpose (the member's id with status "erased", keyed markers) is listed in docs/privacy.md.
 */
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { BroadcastModels } from '../broadcasts/models.js';
import type { ConcernService } from '../concerns/concern-service.js';
import type { CaseService } from '../cases/case-service.js';
import { CaseStore } from '../cases/case-store.js';
import { FeedbackService } from '../feedback/feedback-service.js';
import { ContactBook } from '../concerns/contact-book.js';
import { deliverNotices, type Notice } from '../concerns/notices.js';
import type { ChannelIdentityDoc, Models } from '../db.js';
import type { ChannelName, Outbox } from '../engine/types.js';
import type { Jobs } from '../jobs.js';
import type { MaterialModels } from '../materials/models.js';
import { linkAttemptsKey } from '../members/account-links.js';
import type { MemberService } from '../members/member-service.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import { MeetingStore } from '../meetings/meeting-store.js';
import { RedisKeys } from '../redis-keys.js';
import { REMINDER_QUEUE, type SurveyService } from '../surveys/survey-service.js';
import type { PersonalFields } from './personal-data.js';
import type { PrivacyKeys } from './privacy-keys.js';
import { ConversationStore } from '../engine/conversation-store.js';
import { DeliveryLog } from '../delivery-log.js';

export interface MemberErasureDeps {
  models: Models;
  members: MemberService;
  concerns: ConcernService;
  cases: CaseService;
  feedback: Pick<FeedbackService, 'forgetConcerns'>;
  surveys: SurveyService;
  meetings: MeetingService;
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

/** One step of an erasure: the stores it clears, their personal fields, and what it does. */
interface ErasureStep {
  holds: PersonalFields[];
  /** What the step does (shown in docs/privacy.md). */
  does: string;
  run(s: ErasureSubject): Promise<Notice[] | void>;
}

export class MemberErasure {
  private readonly steps: ErasureStep[];
  private readonly conversations: ConversationStore;
  private readonly deliveries: DeliveryLog;

  constructor(private readonly d: MemberErasureDeps) {
    this.conversations = new ConversationStore(d.models, d.keys);
    this.deliveries = new DeliveryLog(d.models);
    const chatsOf = (s: ErasureSubject) => s.identities.map((i) => ({ channel: i.channel as ChannelName, chatId: i.chatId }));
    const ids = (s: ErasureSubject) => s.identities.map((i) => i._id);
    this.steps = [
      {
        holds: [{ store: 'survey_responses', fields: ['memberId', 'answers'] }, { store: 'survey_markers', fields: ['_id (keyed marker of the member or identity)'] }],
        does: 'named answers and their markers deleted; markers of anonymous answers kept (keyed, in random order: they name nobody and keep a survey answered once)',
        run: (s) => d.surveys.eraseMemberResponses(s.memberId).then(() => undefined),
      },
      {
        holds: [{ store: 'concerns', fields: ['description', 'photos', 'events.text'] }, { store: 'concern_reporters', fields: ['sealed (the reporter)', 'reporterTag'] }],
        does: 'texts and photos emptied, the sealed reporter links deleted, open concerns withdrawn',
        run: (s) => this.forgetConcerns(s),
      },
      {
        holds: [{ store: 'cadre_assignments', fields: ['memberId'] }, { store: 'concerns', fields: ['assistantIds (concerns they assisted on)'] }],
        does: 'ended, open concerns re-routed, then deleted; taken off the concerns they assisted on',
        run: (s) => this.endCadre(s),
      },
      {
        holds: [{ store: 'collective_cases', fields: CaseStore.personalFields.collective_cases }],
        does: 'their concerns taken out of the collective cases they were in (codes and history); cases they led handed to the cadre of the oldest open concern',
        run: async (s) => {
          await d.cases.forgetConcerns(s.concernCodes ?? [], s.at);
          return d.cases.leadLeft(s.memberId, s.at);
        },
      },
      {
        holds: [{ store: 'feedback', fields: FeedbackService.personalFields.feedback }],
        does: 'outcome notes about their concerns deleted unless published (they agreed and it names nobody); a published one no longer tied to the concern',
        run: (s) => d.feedback.forgetConcerns(s.concernCodes ?? []),
      },
      { holds: [{ store: 'audit_log', fields: ['actor'] }], does: 'the member as actor of reporter actions (it would link them to concern codes) replaced by "erased-member"', run: (s) => this.unlinkAudit(s) },
      {
        holds: [
          { store: 'meeting_votes', fields: MeetingStore.personalFields.meeting_votes },
          { store: 'meeting_attendance', fields: MeetingStore.personalFields.meeting_attendance },
          { store: 'meetings', fields: MeetingStore.personalFields.meetings },
          { store: 'redis meeting-checkin', fields: ['key (keyed marker of the member)'] },
        ],
        does: 'branch meeting votes deleted; attendance deleted, kept only as a number on each meeting; as a meeting\'s creator replaced by "erased-member"; the wrong check-in code counter deleted',
        run: (s) => d.meetings.eraseMember(s.memberId),
      },
      { holds: [{ store: 'topic_prefs', fields: ['_id (the member)', 'off'] }], does: 'deleted', run: (s) => d.materialModels.TopicPrefs.deleteOne({ _id: s.memberId }).then(() => undefined) },
      { holds: [{ store: 'broadcast_records', fields: ['memberId', 'chatId'] }], does: 'who was sent what, and where: deleted', run: (s) => d.broadcastModels.BroadcastRecord.deleteMany({ memberId: s.memberId }).then(() => undefined) },
      { holds: [{ store: 'deliveries', fields: DeliveryLog.personalFields }], does: 'records of messages to the person deleted', run: (s) => this.deliveries.forget(s.memberId, s.identities) },
      {
        holds: [{ store: 'BullMQ deliver-*', fields: ['chatId', 'messages'] }],
        does: "messages to their chats, and cadres' notices quoting their concerns, removed from the queues",
        run: (s) => this.purgeMessages(s, chatsOf(s)),
      },
      { holds: [{ store: 'conversations (of cadres)', fields: ['recentEvents.replies'] }], does: 'recent replies that quoted their concerns emptied', run: (s) => this.scrubCadreConversations(s) },
      { holds: [{ store: 'BullMQ survey-reminders', fields: ['memberId'] }], does: 'reminders due to them removed', run: (s) => d.jobs.purge(REMINDER_QUEUE, (data) => data.memberId === s.memberId).then(() => undefined) },
      { holds: [{ store: 'redis link-attempts', fields: ['key (keyed marker of the identity)'] }], does: 'account-link attempt counters deleted', run: (s) => this.forgetRedis(s) },
      {
        holds: [{ store: 'conversations', fields: ConversationStore.personalFields }],
        does: 'those of their other chat apps deleted (the current one is deleted by the engine after the turn)',
        run: (s) => this.conversations.delete(ids(s)),
      },
      { holds: [], does: 'erased_identities: a keyed marker per identity written (names nobody: an import must not re-create them)', run: (s) => this.markErased(s) },
      {
        holds: [{ store: 'members', fields: ['displayName', 'orgUnitId', 'roles', 'grants', 'consent', 'locale', 'broadcastsOptOut'] }, { store: 'channel_identities', fields: ['_id', 'platformUserId', 'chatId', 'memberId'] }],
        does: 'the member keeps only its id and status "erased"; identities deleted',
        run: (s) => d.members.eraseMember(s.memberId, { eventId: s.eventId, at: s.at }),
      },
    ];
  }

  /** Every store an erasure clears, with its personal fields (for the declaration test and docs). */
  get stores(): PersonalFields[] {
    return this.steps.flatMap((s) => s.holds);
  }

  /** What each step does, in order (for documentation and tests). */
  get description(): string[] {
    return this.steps.map((s) => `${s.holds.map((h) => h.store).join(', ') || 'erased_identities'}: ${s.does}`);
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
    await deliverNotices(ContactBook.of(this.d.models), this.d.outbox, await this.erase(memberId, args));
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

  private async forgetRedis(s: ErasureSubject): Promise<void> {
    const redisKeys = new RedisKeys(this.d.redisPrefix);
    const keys = s.identities.map((i) => linkAttemptsKey(redisKeys, this.d.keys, i._id));
    if (keys.length) await this.d.redis.del(...keys);
  }
}
