/** Branch meetings (sinh hoạt chi đoàn / chi hội), the slot votes and the attendance, bound to a connection. Only MeetingStore imports this. */
import { Schema, type Connection, type Model } from 'mongoose';

export const MEETING_STATUSES = ['voting', 'fixed', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** How many members the invitation reached, and who was skipped and why (as broadcasts count them). */
export interface MeetingCounts {
  invited: number;
  optedOut: number;
  unreachable: number;
  withdrawn: number;
}

export interface MeetingSlotDoc {
  at: Date;
  label: string;
}

export interface MeetingDoc {
  /** "SH-XXXXX": short enough to read out and type into the CLI. */
  _id: string;
  /** The branch (org unit): its members and those of the units under it are invited. */
  unitId: string;
  topic: string;
  /** A place or an online link. */
  place: string;
  slots: MeetingSlotDoc[];
  /** Until when votes may be cast or changed; at this instant the most voted slot is fixed. */
  deadline: Date;
  status: MeetingStatus;
  /** Index into `slots` once fixed. */
  fixedSlot?: number;
  fixedAt?: Date;
  /** Fixed by the cadre, or automatically at the deadline. */
  fixedHow?: 'cadre' | 'auto';
  /** The 4-digit check-in code, once the cadre asked for it. */
  code?: string;
  /** Who created it (a member id; "erased-member" after they deleted their data, "admin-cli" from the CLI). */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt?: Date;
  counts?: MeetingCounts;
  /** Attendance of members who have since deleted their data: kept as a number only. */
  erasedPresent: number;
}

/** One member's choice of slots; `_id` = `<meetingId>:<memberId>`. */
export interface MeetingVoteDoc {
  _id: string;
  meetingId: string;
  memberId: string;
  /** Indexes into the meeting's slots the member can make (empty: none of them). */
  slots: number[];
  at: Date;
}

/** One member checked in at a meeting; `_id` = `<meetingId>:<memberId>`. */
export interface MeetingAttendanceDoc {
  _id: string;
  meetingId: string;
  memberId: string;
  at: Date;
}

export interface MeetingModels {
  Meeting: Model<MeetingDoc>;
  MeetingVote: Model<MeetingVoteDoc>;
  MeetingAttendance: Model<MeetingAttendanceDoc>;
}

/** Binds the meeting models to a connection. */
export function bindMeetingModels(conn: Connection): MeetingModels {
  return {
    Meeting:
      conn.models.Meeting ??
      conn.model(
        'Meeting',
        new Schema<MeetingDoc>(
          {
            _id: String,
            unitId: { type: String, required: true, index: true },
            topic: { type: String, required: true },
            place: { type: String, required: true },
            slots: { type: [new Schema<MeetingSlotDoc>({ at: Date, label: String }, { _id: false })], required: true },
            deadline: { type: Date, required: true },
            status: { type: String, required: true },
            fixedSlot: Number,
            fixedAt: Date,
            fixedHow: String,
            code: String,
            createdBy: { type: String, required: true },
            createdAt: { type: Date, required: true },
            updatedAt: { type: Date, required: true },
            cancelledAt: Date,
            counts: new Schema<MeetingCounts>({ invited: Number, optedOut: Number, unreachable: Number, withdrawn: Number }, { _id: false }),
            erasedPresent: { type: Number, default: 0 },
          },
          { collection: 'meetings', versionKey: false },
        ),
      ),
    MeetingVote:
      conn.models.MeetingVote ??
      conn.model(
        'MeetingVote',
        new Schema<MeetingVoteDoc>(
          { _id: String, meetingId: { type: String, required: true, index: true }, memberId: { type: String, required: true, index: true }, slots: { type: [Number], default: [] }, at: { type: Date, required: true } },
          { collection: 'meeting_votes', versionKey: false },
        ),
      ),
    MeetingAttendance:
      conn.models.MeetingAttendance ??
      conn.model(
        'MeetingAttendance',
        new Schema<MeetingAttendanceDoc>(
          { _id: String, meetingId: { type: String, required: true, index: true }, memberId: { type: String, required: true, index: true }, at: { type: Date, required: true } },
          { collection: 'meeting_attendance', versionKey: false },
        ),
      ),
  } as MeetingModels;
}
