/**
 * Where branch meetings, their slot votes and their attendance live (the only importer of
 * ./models.ts). Votes and attendance name a member: they are personal data, removed by
 * `eraseMember`; an erased member's attendance stays only as a number on the meeting.
 */
import type { MemberDoc } from '../db.js';
import { insertNew } from '../insert-new.js';
import type { MeetingAttendanceDoc, MeetingCounts, MeetingDoc, MeetingModels, MeetingStatus, MeetingVoteDoc } from './models.js';

/** A meeting's creator after they deleted their data. */
export const ERASED_CREATOR = 'erased-member';

export class MeetingStore {
  /** The personal fields of each collection (core/privacy/member-erasure.ts declares them). */
  static readonly personalFields = {
    meetings: ['createdBy'],
    meeting_votes: ['memberId', 'slots'],
    meeting_attendance: ['memberId', 'at'],
  } as const;

  constructor(private readonly m: MeetingModels) {}

  /** Creates the meeting's indexes (called once at start). */
  async init(): Promise<void> {
    await Promise.all(Object.values(this.m).map((model) => model.init()));
  }

  async insert(doc: MeetingDoc): Promise<void> {
    await this.m.Meeting.create(doc);
  }

  async get(id: string): Promise<MeetingDoc | null> {
    return this.m.Meeting.findById(id).lean<MeetingDoc>();
  }

  /** Sets fields of a meeting; with `ifStatus`, only while it still has that status (true when written). */
  async update(id: string, set: Partial<Omit<MeetingDoc, '_id'>>, ifStatus?: MeetingStatus): Promise<boolean> {
    const r = await this.m.Meeting.updateOne(ifStatus ? { _id: id, status: ifStatus } : { _id: id }, { $set: set });
    return r.matchedCount > 0;
  }

  async setCounts(id: string, counts: MeetingCounts): Promise<void> {
    await this.m.Meeting.updateOne({ _id: id }, { $set: { counts } });
  }

  /** Meetings of these units (all when none given), newest first, optionally of some statuses only. */
  async list(o: { unitIds?: readonly string[]; statuses?: readonly MeetingStatus[]; limit?: number } = {}): Promise<MeetingDoc[]> {
    const f: Record<string, unknown> = {};
    if (o.unitIds) f.unitId = { $in: o.unitIds };
    if (o.statuses) f.status = { $in: o.statuses };
    const all = await this.m.Meeting.find(f).lean<MeetingDoc[]>();
    all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a._id.localeCompare(b._id));
    return o.limit ? all.slice(0, o.limit) : all;
  }

  /** Fixed meetings holding this check-in code (codes are unique per unit, so possibly several units). */
  async withCode(code: string): Promise<MeetingDoc[]> {
    return this.m.Meeting.find({ code, status: 'fixed' }).lean<MeetingDoc[]>();
  }

  /** Fixed meetings whose fixed slot starts within [from, to), of these units when given. */
  async fixedBetween(from: Date, to: Date, unitIds?: readonly string[]): Promise<MeetingDoc[]> {
    const f: Record<string, unknown> = { status: 'fixed' };
    if (unitIds) f.unitId = { $in: unitIds };
    const all = await this.m.Meeting.find(f).lean<MeetingDoc[]>();
    return all.filter((m) => {
      const at = m.slots[m.fixedSlot ?? 0]?.at.getTime() ?? 0;
      return at >= from.getTime() && at < to.getTime();
    });
  }

  /** Records (or replaces) a member's choice of slots. */
  async vote(meetingId: string, memberId: string, slots: number[], at: Date): Promise<void> {
    const _id = `${meetingId}:${memberId}`;
    await this.m.MeetingVote.replaceOne({ _id }, { _id, meetingId, memberId, slots, at }, { upsert: true });
  }

  async voteOf(meetingId: string, memberId: string): Promise<MeetingVoteDoc | null> {
    return this.m.MeetingVote.findById(`${meetingId}:${memberId}`).lean<MeetingVoteDoc>();
  }

  async votesOf(meetingId: string): Promise<Pick<MeetingVoteDoc, 'slots'>[]> {
    return this.m.MeetingVote.find({ meetingId }, { _id: 0, slots: 1 }).lean<Pick<MeetingVoteDoc, 'slots'>[]>();
  }

  /** Marks a member present; false when they already were. */
  async attend(meetingId: string, memberId: string, at: Date): Promise<boolean> {
    const existing = await insertNew(this.m.MeetingAttendance, [{ _id: `${meetingId}:${memberId}`, meetingId, memberId, at }]);
    return existing.length === 0;
  }

  async isPresent(meetingId: string, memberId: string): Promise<boolean> {
    return (await this.m.MeetingAttendance.exists({ _id: `${meetingId}:${memberId}` })) !== null;
  }

  /** Members present per meeting (erased members' attendance included, as kept on the meeting). */
  async presentCounts(meetings: readonly Pick<MeetingDoc, '_id' | 'erasedPresent'>[]): Promise<Map<string, number>> {
    const out = new Map(meetings.map((m) => [m._id, m.erasedPresent ?? 0]));
    if (meetings.length === 0) return out;
    const rows = await this.m.MeetingAttendance.find({ meetingId: { $in: meetings.map((m) => m._id) } }, { _id: 0, meetingId: 1 }).lean<Pick<MeetingAttendanceDoc, 'meetingId'>[]>();
    for (const r of rows) out.set(r.meetingId, (out.get(r.meetingId) ?? 0) + 1);
    return out;
  }

  /**
   * A member's part of meetings, for "delete my data": their votes deleted; their attendance
   * deleted after being added to each meeting's `erasedPresent` (the count stays right); as
   * creator, replaced by ERASED_CREATOR. Idempotent: a rerun finds nothing left to count.
   */
  async eraseMember(memberId: MemberDoc['_id']): Promise<void> {
    await this.m.MeetingVote.deleteMany({ memberId });
    const attended = await this.m.MeetingAttendance.find({ memberId }, { _id: 1, meetingId: 1 }).lean<Pick<MeetingAttendanceDoc, '_id' | 'meetingId'>[]>();
    for (const a of attended) {
      await this.m.Meeting.updateOne({ _id: a.meetingId }, { $inc: { erasedPresent: 1 } });
      await this.m.MeetingAttendance.deleteOne({ _id: a._id });
    }
    await this.m.Meeting.updateMany({ createdBy: memberId }, { $set: { createdBy: ERASED_CREATOR } });
  }
}
