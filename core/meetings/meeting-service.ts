/**
 * Branch meetings at flexible times: a cadre (or the secretariat) of a unit offers 1–4 slots, the
 * unit's members (its subtree) choose the slots they can make until a deadline, the most voted
 * slot is fixed (by the cadre, or automatically at the deadline; ties to the earliest), everyone
 * is told, reminded the day before and two hours before, and checks in with a 4-digit code.
 * Messages go out through timed jobs on the `meetings` queue (workers/meeting-jobs.ts), never in
 * quiet hours; the invited are the broadcast audience of the unit (AudienceReader), so
 * "ngừng nhận tin" is respected as for broadcasts.
 */
import { customAlphabet } from 'nanoid';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { AudienceReader } from '../broadcasts/audience.js';
import type { MemberDoc, OrgUnitDoc, Role } from '../db.js';
import type { Clock, Envelope, Outbox } from '../engine/types.js';
import type { Translations } from '../i18n.js';
import type { Jobs } from '../jobs.js';
import type { AccessScope, Grantee, ResolvedScope } from '../members/access-scope.js';
import type { OrgDirectory } from '../org/org-directory.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import { RedisKeys } from '../redis-keys.js';
import { RedisLock } from '../redis-lock.js';
import { formatVnTime } from '../vn-time.js';
import {
  CHECKIN_LOCK_SECONDS,
  CHECKIN_MAX_WRONG,
  checkInWindow,
  codeMayBeIssued,
  LATE_CHECKIN_MS,
  MAX_PLACE_CHARS,
  MAX_SLOTS,
  MAX_TOPIC_CHARS,
  MIN_SLOTS,
  newCheckInCode,
  reminderAt,
  REMINDERS,
  sendableAt,
  tallyVotes,
  winningSlot,
  type ReminderKind,
} from './meeting-rules.js';
import { MeetingStore } from './meeting-store.js';
import type { MeetingCounts, MeetingDoc } from './models.js';
import type { MeetingSlot } from './slot-parse.js';

/** The queue of every timed meeting job. */
export const MEETING_QUEUE = 'meetings';
/** Job names: the invitation, the deadline (auto-fix), the announcement, a reminder, the cancellation notice. */
export const MEETING_JOBS = ['invite', 'deadline', 'announce', 'reminder', 'cancelled'] as const;
export type MeetingJobName = (typeof MEETING_JOBS)[number];

/** What a meeting job carries: the meeting (and for a reminder, which one and for which start). No personal data. */
export interface MeetingJob {
  meetingId: string;
  reminder?: ReminderKind;
  /** A reminder's start time (ISO): a reminder for a time the meeting no longer has does nothing. */
  start?: string;
}

/** The actor of what the deadline job does (audit entries, `fixedHow: 'auto'`). */
export const DEADLINE_ACTOR = 'deadline';

/** The roles that may organise a meeting of a unit in their scope. */
export const ORGANISER_ROLES: readonly Role[] = ['cadre', 'secretariat', 'admin'];

/** Id of a meeting's timed job. */
export const meetingJobId = (meetingId: string, name: MeetingJobName, reminder?: ReminderKind) => ['meeting', meetingId, name, reminder].filter(Boolean).join(':');

/** How long a held meeting stays in the organiser's list. */
const RECENT_MS = 7 * 24 * 3600_000;

const newMeetingId = customAlphabet('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', 5);

/** Why a meeting action was refused; `vars` fill the message (locales/…/meetings.json `problem.<reason>`). */
export type MeetingProblem =
  | 'empty_topic'
  | 'topic_too_long'
  | 'empty_place'
  | 'place_too_long'
  | 'no_slots'
  | 'too_many_slots'
  | 'slot_past'
  | 'duplicate_slot'
  | 'deadline_past'
  | 'deadline_after_slot'
  | 'unknown_unit'
  | 'not_allowed'
  | 'not_found'
  | 'not_member'
  | 'vote_closed'
  | 'bad_slot'
  | 'not_voting'
  | 'cancelled'
  | 'already_started'
  | 'code_too_early'
  | 'code_too_late';

/** A refused meeting action (a domain error: the caller tells the person why). */
export class MeetingError extends Error {
  override name = 'MeetingError';
  constructor(readonly reason: MeetingProblem, readonly vars: Record<string, unknown> = {}) {
    super(`meeting: ${reason}`);
  }
}

/** What a meeting being created holds. */
export interface MeetingDraft {
  unitId: string;
  topic: string;
  place: string;
  slots: MeetingSlot[];
  deadline: Date;
}

/** The problems of a draft (empty when it may be created), checked at `now`. */
export function draftProblems(d: Omit<MeetingDraft, 'unitId'>, now: Date): MeetingProblem[] {
  const out: MeetingProblem[] = [];
  const topic = d.topic.trim();
  if (!topic) out.push('empty_topic');
  else if (topic.length > MAX_TOPIC_CHARS) out.push('topic_too_long');
  const place = d.place.trim();
  if (!place) out.push('empty_place');
  else if (place.length > MAX_PLACE_CHARS) out.push('place_too_long');
  if (d.slots.length < MIN_SLOTS) out.push('no_slots');
  if (d.slots.length > MAX_SLOTS) out.push('too_many_slots');
  if (d.slots.some((s) => s.at.getTime() <= now.getTime())) out.push('slot_past');
  if (new Set(d.slots.map((s) => s.at.getTime())).size !== d.slots.length) out.push('duplicate_slot');
  if (d.deadline.getTime() <= now.getTime()) out.push('deadline_past');
  else if (d.slots.some((s) => d.deadline.getTime() > s.at.getTime())) out.push('deadline_after_slot');
  return out;
}

/** The fixed start of a meeting, if fixed. */
export const startOf = (m: Pick<MeetingDoc, 'slots' | 'fixedSlot' | 'status'>): Date | undefined =>
  m.status === 'fixed' && m.fixedSlot !== undefined ? m.slots[m.fixedSlot]?.at : undefined;

/** Outcome of a typed check-in code. */
export type CheckInResult =
  | { kind: 'present'; meeting: MeetingDoc }
  | { kind: 'already'; meeting: MeetingDoc }
  | { kind: 'before'; meeting: MeetingDoc; start: Date }
  | { kind: 'closed'; meeting: MeetingDoc }
  | { kind: 'not_member' }
  | { kind: 'wrong'; left: number }
  | { kind: 'too_many'; minutes: number };

/** Meetings held and attendance of one unit (or summed over the units under it). */
export interface MeetingFigures {
  /** Fixed meetings whose start has passed. */
  held: number;
  /** Check-ins at them (erased members' included). */
  present: number;
  /** Members their invitations were meant for (invited, opted out and unreachable together). */
  members: number;
}

/** Members a meeting's invitation was meant for (invited, opted out and unreachable together); 0 before it went out. */
export const meetingMembers = (m: Pick<MeetingDoc, 'counts'>): number => (m.counts ? m.counts.invited + m.counts.optedOut + m.counts.unreachable : 0);

/** present / members (0–1), null with nobody to attend. */
export const attendanceRate = (f: MeetingFigures): number | null => (f.members > 0 ? Math.round((f.present / f.members) * 10_000) / 10_000 : null);

export interface MeetingServiceDeps {
  store: MeetingStore;
  org: OrgDirectory;
  access: AccessScope;
  audit: AuditLog;
  jobs: Jobs;
  audience: AudienceReader;
  i18n: Translations;
  redis: Redis;
  redisPrefix: string;
  keys: PrivacyKeys;
  clock: Clock;
}

export class MeetingService {
  private readonly redisKeys: RedisKeys;
  private readonly lock: RedisLock;

  constructor(private readonly d: MeetingServiceDeps) {
    this.redisKeys = new RedisKeys(d.redisPrefix);
    this.lock = new RedisLock(d.redis, { ttlMs: 10_000 });
  }

  get store(): MeetingStore {
    return this.d.store;
  }

  async get(id: string): Promise<MeetingDoc | null> {
    return typeof id === 'string' && id.length <= 16 ? this.d.store.get(id.toUpperCase()) : null;
  }

  /** The units where the member may organise meetings (ORGANISER_ROLES, as granted). */
  scopeOf(member: Grantee, now: Date): Promise<ResolvedScope> {
    return this.d.access.resolve(member, ORGANISER_ROLES, now);
  }

  /** Whether the member may organise meetings of `unitId` (a refusal is audited). */
  mayOrganise(member: Grantee, unitId: string, now: Date, action: string): Promise<boolean> {
    return this.d.access.allows(member, ORGANISER_ROLES, unitId, now, action);
  }

  /** Whether a member belongs to the unit: their unit is it or lies under it. */
  async isMemberOf(member: Pick<MemberDoc, 'orgUnitId'>, unitId: string, now: Date): Promise<boolean> {
    if (!member.orgUnitId) return false;
    if (member.orgUnitId === unitId) return true;
    const own = await this.d.org.get(member.orgUnitId, now);
    return !!own?.ancestors.includes(unitId);
  }

  /** The units a member belongs to (their own and every unit above it). */
  private async chainOf(member: Pick<MemberDoc, 'orgUnitId'>, now: Date): Promise<string[]> {
    if (!member.orgUnitId) return [];
    const own = await this.d.org.get(member.orgUnitId, now);
    return [member.orgUnitId, ...(own?.ancestors ?? [])];
  }

  /**
   * Creates a meeting, schedules its invitation (now, or when quiet hours end) and its deadline.
   * `by` is the organising member (their scope is checked) or the CLI operator's name.
   */
  async create(draft: MeetingDraft, by: { member: MemberDoc } | { operator: string }, now: Date): Promise<MeetingDoc> {
    const problems = draftProblems(draft, now);
    if (problems.length > 0) throw new MeetingError(problems[0]!);
    const unit = await this.d.org.get(draft.unitId, now);
    if (!unit) throw new MeetingError('unknown_unit', { unit: draft.unitId });
    if ('member' in by && !(await this.mayOrganise(by.member, unit._id, now, 'meeting.create'))) throw new MeetingError('not_allowed', { unit: unit.name });
    const createdBy = 'member' in by ? by.member._id : by.operator;
    const slots = [...draft.slots].sort((a, b) => a.at.getTime() - b.at.getTime()).map((s) => ({ at: s.at, label: s.label.trim() }));
    let doc: MeetingDoc | undefined;
    for (let attempt = 0; !doc; attempt++) {
      const candidate: MeetingDoc = { _id: `SH-${newMeetingId()}`, unitId: unit._id, topic: draft.topic.trim(), place: draft.place.trim(), slots, deadline: draft.deadline, status: 'voting', createdBy, createdAt: now, updatedAt: now, erasedPresent: 0 };
      try {
        await this.d.store.insert(candidate);
        doc = candidate;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || attempt > 5) throw err;
      }
    }
    await this.d.audit.record({ actor: createdBy, action: 'meeting.created', target: doc._id, details: { unit: unit._id, slots: slots.length }, at: now });
    await this.d.jobs.schedule(MEETING_QUEUE, 'invite', { meetingId: doc._id }, { id: meetingJobId(doc._id, 'invite'), at: sendableAt(now) });
    await this.d.jobs.schedule(MEETING_QUEUE, 'deadline', { meetingId: doc._id }, { id: meetingJobId(doc._id, 'deadline'), at: doc.deadline });
    return doc;
  }

  /** Meetings a member may vote in or attend: of their units, voting or not yet past check-in. */
  async forMember(member: Pick<MemberDoc, 'orgUnitId'>, now: Date): Promise<MeetingDoc[]> {
    const units = await this.chainOf(member, now);
    if (units.length === 0) return [];
    const list = await this.d.store.list({ unitIds: units, statuses: ['voting', 'fixed'] });
    return list.filter((m) => current(m, now)).sort(bySoonest);
  }

  /** Meetings of the units in the organiser's scope: open ones soonest first, then those held in the last week. */
  async managedBy(member: Grantee, now: Date, limit = 9): Promise<MeetingDoc[]> {
    const scope = await this.scopeOf(member, now);
    if (!scope.whole && scope.units.length === 0) return [];
    const list = await this.d.store.list({ unitIds: scope.whole ? undefined : scope.unitIds });
    const open = list.filter((m) => m.status !== 'cancelled' && current(m, now)).sort(bySoonest);
    // Then those held in the last week, latest first: their attendance is still of interest.
    const held = list.filter((m) => !current(m, now) && (startOf(m)?.getTime() ?? 0) > now.getTime() - RECENT_MS).sort((a, b) => bySoonest(b, a));
    return [...open, ...held].slice(0, limit);
  }

  /** Every meeting of a unit's subtree (all when none given), newest first (the CLI's list). */
  async list(unitId: string | undefined, now: Date): Promise<MeetingDoc[]> {
    return this.d.store.list({ unitIds: unitId ? await this.d.org.idsUnder([unitId], now) : undefined });
  }

  /** Votes per slot. */
  async tally(m: MeetingDoc): Promise<number[]> {
    return tallyVotes(m.slots.length, await this.d.store.votesOf(m._id));
  }

  /** How many members answered the slot poll (choosing none counts as an answer). */
  async voters(m: MeetingDoc): Promise<number> {
    return (await this.d.store.votesOf(m._id)).length;
  }

  /** The slots a member chose, if they voted. */
  async myVote(meetingId: string, memberId: string): Promise<number[] | undefined> {
    return (await this.d.store.voteOf(meetingId, memberId))?.slots;
  }

  /** Records the slots a member can make (replacing an earlier choice) while voting is open. */
  async vote(meetingId: string, member: MemberDoc, slots: number[], now: Date): Promise<MeetingDoc> {
    const m = await this.get(meetingId);
    if (!m) throw new MeetingError('not_found');
    if (m.status === 'cancelled') throw new MeetingError('cancelled', { topic: m.topic });
    if (m.status !== 'voting' || now.getTime() >= m.deadline.getTime()) throw new MeetingError('vote_closed', { topic: m.topic, deadline: formatVnTime(m.deadline) });
    if (!(await this.isMemberOf(member, m.unitId, now))) throw new MeetingError('not_member');
    const chosen = [...new Set(slots)].sort((a, b) => a - b);
    if (chosen.some((i) => !Number.isInteger(i) || i < 0 || i >= m.slots.length)) throw new MeetingError('bad_slot', { max: m.slots.length });
    await this.d.store.vote(m._id, member._id, chosen, now);
    return m;
  }

  /**
   * Fixes a slot (the organiser's choice, or the most voted at the deadline), then schedules the
   * announcement and the reminders. Only a meeting still voting can be fixed.
   */
  async fix(meetingId: string, slot: number | 'most_voted', by: { member: MemberDoc } | { operator: string }, now: Date): Promise<MeetingDoc> {
    return this.lock.with(this.redisKeys.meetingLock(meetingId), { waitMs: 5000 }, async () => {
      const m = await this.get(meetingId);
      if (!m) throw new MeetingError('not_found');
      if ('member' in by && !(await this.mayOrganise(by.member, m.unitId, now, 'meeting.fix'))) throw new MeetingError('not_allowed');
      if (m.status === 'cancelled') throw new MeetingError('cancelled', { topic: m.topic });
      if (m.status !== 'voting') throw new MeetingError('not_voting', { topic: m.topic });
      const index = slot === 'most_voted' ? winningSlot(m.slots, await this.tally(m)) : slot;
      if (!Number.isInteger(index) || index < 0 || index >= m.slots.length) throw new MeetingError('bad_slot', { max: m.slots.length });
      const start = m.slots[index]!.at;
      if (start.getTime() <= now.getTime()) throw new MeetingError('slot_past');
      const how: 'cadre' | 'auto' = 'operator' in by && by.operator === DEADLINE_ACTOR ? 'auto' : 'cadre';
      const set = { status: 'fixed' as const, fixedSlot: index, fixedAt: now, fixedHow: how, updatedAt: now };
      await this.d.store.update(m._id, set);
      const actor = 'member' in by ? by.member._id : by.operator;
      await this.d.audit.record({ actor, action: 'meeting.fixed', target: m._id, details: { slot: index, how }, at: now });
      await this.d.jobs.cancel(MEETING_QUEUE, meetingJobId(m._id, 'deadline'));
      await this.d.jobs.schedule(MEETING_QUEUE, 'announce', { meetingId: m._id }, { id: meetingJobId(m._id, 'announce'), at: sendableAt(now) });
      for (const kind of Object.keys(REMINDERS) as ReminderKind[]) {
        const at = reminderAt(kind, start, now);
        if (at) await this.d.jobs.schedule(MEETING_QUEUE, 'reminder', { meetingId: m._id, reminder: kind, start: start.toISOString() }, { id: meetingJobId(m._id, 'reminder', kind), at });
      }
      return { ...m, ...set };
    });
  }

  /** The deadline job: fixes the most voted slot if the meeting is still voting; else nothing. */
  async onDeadline(meetingId: string, now: Date): Promise<MeetingDoc | undefined> {
    const m = await this.get(meetingId);
    if (!m || m.status !== 'voting') return undefined;
    // A deadline job run early (a clock skew) waits for its time: BullMQ retries it.
    if (now.getTime() < m.deadline.getTime()) throw new Error(`meeting ${meetingId}: deadline job ran before the deadline`);
    // Every slot already past (nobody ran the job in time): the earliest still ahead is the only choice, none → cancel.
    const ahead = m.slots.map((s, i) => ({ s, i })).filter(({ s }) => s.at.getTime() > now.getTime());
    if (ahead.length === 0) return this.cancel(meetingId, { operator: DEADLINE_ACTOR }, now);
    const counts = await this.tally(m);
    const pick = ahead[winningSlot(ahead.map(({ s }) => s), ahead.map(({ i }) => counts[i]!))]!.i;
    return this.fix(meetingId, pick, { operator: DEADLINE_ACTOR }, now);
  }

  /** Cancels a meeting: its pending jobs are removed and everyone invited is told (outside quiet hours). */
  async cancel(meetingId: string, by: { member: MemberDoc } | { operator: string }, now: Date): Promise<MeetingDoc> {
    return this.lock.with(this.redisKeys.meetingLock(meetingId), { waitMs: 5000 }, async () => {
      const m = await this.get(meetingId);
      if (!m) throw new MeetingError('not_found');
      if ('member' in by && !(await this.mayOrganise(by.member, m.unitId, now, 'meeting.cancel'))) throw new MeetingError('not_allowed');
      if (m.status === 'cancelled') throw new MeetingError('cancelled', { topic: m.topic });
      const start = startOf(m);
      if (start && checkInWindow(start, now) !== 'before') throw new MeetingError('already_started', { topic: m.topic });
      const set = { status: 'cancelled' as const, cancelledAt: now, updatedAt: now };
      await this.d.store.update(m._id, set);
      await this.d.audit.record({ actor: 'member' in by ? by.member._id : by.operator, action: 'meeting.cancelled', target: m._id, at: now });
      const pending: [MeetingJobName, ReminderKind?][] = [['invite'], ['deadline'], ['announce'], ['reminder', 'day'], ['reminder', 'hours']];
      await Promise.all(pending.map(([name, kind]) => this.d.jobs.cancel(MEETING_QUEUE, meetingJobId(m._id, name, kind))));
      await this.d.jobs.schedule(MEETING_QUEUE, 'cancelled', { meetingId: m._id }, { id: meetingJobId(m._id, 'cancelled'), at: sendableAt(now) });
      return { ...m, ...set };
    });
  }

  /**
   * The meeting's 4-digit check-in code for the organiser, created on first request: random and
   * unique among the unit's meetings whose check-in has not closed. From an hour before the start
   * until late check-in ends.
   */
  async issueCode(meetingId: string, member: MemberDoc, now: Date): Promise<{ meeting: MeetingDoc; code: string; until: Date }> {
    return this.lock.with(this.redisKeys.meetingLock(meetingId), { waitMs: 5000 }, async () => {
      const m = await this.get(meetingId);
      if (!m) throw new MeetingError('not_found');
      if (!(await this.mayOrganise(member, m.unitId, now, 'meeting.code'))) throw new MeetingError('not_allowed');
      if (m.status === 'cancelled') throw new MeetingError('cancelled', { topic: m.topic });
      const start = startOf(m);
      if (!start) throw new MeetingError('not_voting', { topic: m.topic });
      const until = new Date(start.getTime() + LATE_CHECKIN_MS);
      if (!codeMayBeIssued(start, now)) {
        throw checkInWindow(start, now) === 'closed' ? new MeetingError('code_too_late') : new MeetingError('code_too_early', { at: formatVnTime(new Date(start.getTime() - 3600_000)) });
      }
      if (m.code) return { meeting: m, code: m.code, until };
      const open = (await this.d.store.list({ unitIds: [m.unitId], statuses: ['fixed'] })).filter((x) => x.code && current(x, now));
      const code = newCheckInCode(new Set(open.map((x) => x.code!)));
      await this.d.store.update(m._id, { code, updatedAt: now });
      await this.d.audit.record({ actor: member._id, action: 'meeting.code', target: m._id, at: now });
      return { meeting: { ...m, code }, code, until };
    });
  }

  /**
   * A member typed a check-in code. Refused kindly when wrong, for someone outside the unit,
   * before the start or after late check-in; CHECKIN_MAX_WRONG wrong codes (or codes of other
   * units' meetings) within CHECKIN_LOCK_SECONDS make the member wait.
   */
  async checkIn(member: MemberDoc, code: string, now: Date): Promise<CheckInResult> {
    const key = this.redisKeys.meetingCheckinAttempts(this.d.keys.marker('meeting-checkin', member._id));
    const wrongSoFar = Number((await this.d.redis.get(key)) ?? 0);
    if (wrongSoFar >= CHECKIN_MAX_WRONG) return { kind: 'too_many', minutes: Math.ceil(Math.max(1, await this.d.redis.ttl(key)) / 60) };
    const typed = code.trim();
    const candidates = /^\d{4}$/.test(typed) ? await this.d.store.withCode(typed) : [];
    const mine: MeetingDoc[] = [];
    for (const m of candidates) if (await this.isMemberOf(member, m.unitId, now)) mine.push(m);
    if (mine.length === 0) {
      const wrong = await this.d.redis.multi().incr(key).expire(key, CHECKIN_LOCK_SECONDS).exec();
      const n = Number(wrong?.[0]?.[1] ?? CHECKIN_MAX_WRONG);
      if (candidates.length > 0) return { kind: 'not_member' };
      return n >= CHECKIN_MAX_WRONG ? { kind: 'too_many', minutes: CHECKIN_LOCK_SECONDS / 60 } : { kind: 'wrong', left: CHECKIN_MAX_WRONG - n };
    }
    // One code per unit among meetings still open; of older ones, the one whose window is open wins.
    const m = mine.find((x) => checkInWindow(startOf(x)!, now) === 'open') ?? mine.sort(bySoonest)[0]!;
    const start = startOf(m)!;
    const window = checkInWindow(start, now);
    if (window === 'before') return { kind: 'before', meeting: m, start };
    if (window === 'closed') return { kind: 'closed', meeting: m };
    const fresh = await this.d.store.attend(m._id, member._id, now);
    if (fresh) await this.d.redis.del(key);
    return { kind: fresh ? 'present' : 'already', meeting: m };
  }

  /** Members present at a meeting. */
  async present(m: MeetingDoc): Promise<number> {
    return (await this.d.store.presentCounts([m])).get(m._id) ?? 0;
  }

  /**
   * Meetings held (fixed, started within [from, to) and before now) and attendance, per unit of
   * the meeting. The inspection roll-ups add these up per branch and parent unit.
   */
  async figuresByUnit(from: Date, to: Date): Promise<Map<string, MeetingFigures>> {
    return meetingFigures(this.d.store, from, to, this.d.clock.now());
  }

  /**
   * Sends one kind of meeting message to the unit's audience (the broadcast audience of the unit:
   * opted-out, withdrawn and unreachable members skipped and counted), a page at a time, one
   * delivery key per member and message, so a retried job sends nothing twice.
   */
  async fanOut(m: MeetingDoc, name: Exclude<MeetingJobName, 'deadline'>, outbox: Outbox, job: MeetingJob = { meetingId: m._id }): Promise<MeetingCounts> {
    const unit = await this.d.org.get(m.unitId, this.d.clock.now());
    const counts: MeetingCounts = { invited: 0, optedOut: 0, unreachable: 0, withdrawn: 0 };
    const texts = new Map<string, string>();
    const textFor = (locale: string) => {
      let t = texts.get(locale);
      if (t === undefined) texts.set(locale, (t = this.message(m, name, locale, unit, job.reminder)));
      return t;
    };
    for await (const page of this.d.audience.pages({ orgUnitId: m.unitId, topics: [], roles: [] })) {
      counts.optedOut += page.optedOut;
      counts.unreachable += page.unreachable;
      counts.withdrawn += page.withdrawn;
      counts.invited += page.recipients.length;
      const envelopes: Envelope[] = page.recipients.map((r) => ({
        channel: r.channel,
        chatId: r.chatId,
        memberId: r.memberId,
        key: ['mt', m._id, name, job.reminder, r.memberId].filter(Boolean).join(':'),
        priority: 'bulk',
        messages: [{ text: textFor(r.locale), locale: r.locale }],
      }));
      if (envelopes.length) await outbox.send(envelopes);
    }
    if (name === 'invite') await this.d.store.setCounts(m._id, counts);
    return counts;
  }

  /** The text of a meeting message in one language. */
  message(m: MeetingDoc, name: Exclude<MeetingJobName, 'deadline'>, locale: string, unit: OrgUnitDoc | undefined, reminder?: ReminderKind): string {
    const t = this.d.i18n.for(locale);
    const start = startOf(m);
    const vars = { unit: unit?.name ?? m.unitId, topic: m.topic, place: m.place, deadline: formatVnTime(m.deadline), at: start ? slotText(t, m.slots[m.fixedSlot!]!) : '', slots: m.slots.map((s, i) => `${i + 1}. ${slotText(t, s)}`).join('\n') };
    if (name === 'reminder') return t(reminder === 'day' ? 'meetings:notice.reminder_day' : 'meetings:notice.reminder_hours', vars);
    return t(`meetings:notice.${name}`, vars);
  }

  /** For "delete my data": the member's votes and attendance (kept as counts), and their name as creator. */
  eraseMember(memberId: string): Promise<void> {
    return Promise.all([this.d.store.eraseMember(memberId), this.d.redis.del(this.redisKeys.meetingCheckinAttempts(this.d.keys.marker('meeting-checkin', memberId)))]).then(() => undefined);
  }
}

/**
 * Meetings held (fixed, started within [from, to) and before `now`) and attendance, per unit of
 * the meeting, read from the store alone (the survey results in the admin CLI have no Redis).
 */
export async function meetingFigures(store: MeetingStore, from: Date, to: Date, now: Date): Promise<Map<string, MeetingFigures>> {
  const until = new Date(Math.min(to.getTime(), now.getTime()));
  const held = from.getTime() < until.getTime() ? await store.fixedBetween(from, until) : [];
  const present = await store.presentCounts(held);
  const out = new Map<string, MeetingFigures>();
  for (const m of held) {
    const f = out.get(m.unitId) ?? { held: 0, present: 0, members: 0 };
    f.held++;
    f.present += present.get(m._id) ?? 0;
    f.members += meetingMembers(m);
    out.set(m.unitId, f);
  }
  return out;
}

/** "Sau ca sáng — 14:30 25/11/2026", or the time alone without a label. */
export function slotText(t: (key: string, vars?: Record<string, unknown>) => string, s: { at: Date; label: string }): string {
  return s.label ? t('meetings:slot_with_label', { label: s.label, at: formatVnTime(s.at) }) : formatVnTime(s.at);
}

/** Still of interest at `now`: voting, or fixed and its check-in not yet closed. */
function current(m: MeetingDoc, now: Date): boolean {
  if (m.status === 'voting') return true;
  const start = startOf(m);
  return !!start && checkInWindow(start, now) !== 'closed';
}

/** Soonest first: a fixed meeting by its start, a voting one by its deadline. */
function bySoonest(a: MeetingDoc, b: MeetingDoc): number {
  const at = (m: MeetingDoc) => (startOf(m) ?? m.deadline).getTime();
  return at(a) - at(b) || a._id.localeCompare(b._id);
}
