/** Broadcasts (bulk announcements) and their per-member delivery records, bound to a connection. */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Role } from '../db.js';
import type { ChannelName } from '../engine/types.js';

export const BROADCAST_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** Who a broadcast goes to; every given field narrows it (empty lists mean "any"). */
export interface Audience {
  /** Members of this org unit and every unit below it. */
  orgUnitId?: string;
  /** Members subscribed to at least one of these topics. */
  topics: string[];
  /** Members holding at least one of these roles. */
  roles: Role[];
  locale?: string;
  channel?: ChannelName;
}

/** A material from the library, or a free message (in one language). */
export interface BroadcastContent {
  materialId?: string;
  text?: string;
}

export type Schedule = { kind: 'once'; at: Date } | { kind: 'recurring'; cron: string };

/** "HH:MM"–"HH:MM" local time (Asia/Ho_Chi_Minh) during which nothing is sent. */
export interface QuietHours {
  start: string;
  end: string;
}

/** Live and final counts. `targeted` members got a delivery; the skipped ones are counted apart. */
export interface BroadcastCounts {
  targeted: number;
  sent: number;
  failed: number;
  unreachable: number;
  optedOut: number;
  /** Consent withdrawn or data erased. */
  withdrawn: number;
  /** Deliveries removed from the queues by a cancel before they were sent. */
  cancelled: number;
}

export const ZERO_COUNTS: BroadcastCounts = { targeted: 0, sent: 0, failed: 0, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0 };

export interface BroadcastDoc {
  _id: string;
  /** For one occurrence of a recurring broadcast: the recurring one it came from. */
  parentId?: string;
  content: BroadcastContent;
  audience: Audience;
  schedule: Schedule;
  quietHours: QuietHours | null;
  status: BroadcastStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Bumped on every (re)start so each run job has a fresh id. */
  generation: number;
  /** Fan-out position: the last member id handled (members are streamed in _id order). */
  cursor?: string;
  /** True once every audience page has been enqueued. */
  fannedOut: boolean;
  /** Deliveries found unreachable when sent, already added to `counts.unreachable` (which also holds members skipped as unreachable). */
  deliveredUnreachable?: number;
  counts: BroadcastCounts;
  /** How many the audience reached when it was scheduled (the preview), shown until it starts. */
  expected?: number;
  startedAt?: Date;
  finishedAt?: Date;
  /** When the fan-out waits for quiet hours to end. */
  waitingUntil?: Date;
}

/** One member's delivery of one broadcast; `_id` = `<broadcastId>:<memberId>`. */
export interface BroadcastRecordDoc {
  _id: string;
  broadcastId: string;
  memberId: string;
  channel: ChannelName;
  chatId: string;
}

export interface BroadcastModels {
  Broadcast: Model<BroadcastDoc>;
  BroadcastRecord: Model<BroadcastRecordDoc>;
}

const counts = new Schema<BroadcastCounts>(
  { targeted: Number, sent: Number, failed: Number, unreachable: Number, optedOut: Number, withdrawn: Number, cancelled: Number },
  { _id: false },
);

/** Binds the broadcast models to a connection. */
export function bindBroadcastModels(conn: Connection): BroadcastModels {
  return {
    Broadcast:
      conn.models.Broadcast ??
      conn.model(
        'Broadcast',
        new Schema<BroadcastDoc>(
          {
            _id: String,
            parentId: String,
            content: { type: Schema.Types.Mixed, required: true },
            audience: { type: Schema.Types.Mixed, required: true },
            schedule: { type: Schema.Types.Mixed, required: true },
            quietHours: { type: Schema.Types.Mixed, default: null },
            status: { type: String, required: true },
            createdBy: { type: String, required: true },
            createdAt: { type: Date, required: true },
            updatedAt: { type: Date, required: true },
            generation: { type: Number, default: 0 },
            cursor: String,
            fannedOut: { type: Boolean, default: false },
            deliveredUnreachable: Number,
            counts: { type: counts, default: () => ({ ...ZERO_COUNTS }) },
            expected: Number,
            startedAt: Date,
            finishedAt: Date,
            waitingUntil: Date,
          },
          { collection: 'broadcasts', versionKey: false, minimize: false },
        ),
      ),
    BroadcastRecord:
      conn.models.BroadcastRecord ??
      conn.model(
        'BroadcastRecord',
        new Schema<BroadcastRecordDoc>(
          {
            _id: String,
            broadcastId: { type: String, required: true },
            memberId: { type: String, required: true },
            channel: { type: String, required: true },
            chatId: { type: String, required: true },
          },
          { collection: 'broadcast_records', versionKey: false },
        ),
      ),
  } as BroadcastModels;
}
