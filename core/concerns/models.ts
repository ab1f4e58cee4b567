/**
 * Models of the concerns area: concerns (without who raised them), the sealed reporter record
 * (concern → member, read only by the relay code), and cadre assignments.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { PhotoRef } from './photos.js';

/** Where a concern is in its life. */
export const CONCERN_STATUSES = ['received', 'accepted', 'replied', 'escalated', 'resolved', 'reopened', 'withdrawn'] as const;
export type ConcernStatus = (typeof CONCERN_STATUSES)[number];
/** Every status but `resolved` and `withdrawn` (the worker deleted their data) counts as open. */
export const OPEN_STATUSES: ConcernStatus[] = ['received', 'accepted', 'replied', 'escalated', 'reopened'];

/** Organisations that handle concerns. */
export const ORGANISATIONS = ['youth_union', 'womens_union', 'trade_union', 'youth_federation'] as const;
export type Organisation = (typeof ORGANISATIONS)[number];

/** One thing that happened to a concern; `internal` events are never shown to the worker. */
export interface ConcernEvent {
  at: Date;
  kind: 'created' | 'assigned' | 'accepted' | 'replied' | 'asked' | 'answered' | 'note' | 'transferred' | 'escalated' | 'resolved' | 'reopened' | 'rated' | 'reminded' | 'flagged' | 'identity_consent' | 'withdrawn' | 'assist_invited';
  /** `reporter`, `system`, or a cadre's member id (reporters are never named here). */
  actor: string;
  text?: string;
  internal?: boolean;
  unitId?: string;
  assigneeId?: string;
  level?: number;
  /** An answer that came as a photo (the photo itself is in `photoRefs`). */
  photo?: boolean;
  /** For SLA breaches: the deadline that was missed and how late the escalation ran (ms). */
  deadline?: Date;
  lateMs?: number;
  /** `assist_invited`: the cadre of another organisation asked to help (joint handling). */
  assistantId?: string;
  /** A note or reply written by an assisting cadre (the actor), not by the lead. */
  assisting?: boolean;
}

/** The locale key suffix of an event in a history (`event.<this>`): a photo answer reads differently. */
export function eventLabelKey(e: Pick<ConcernEvent, 'kind' | 'photo' | 'text'>): string {
  if (!e.photo) return e.kind;
  return e.text ? `${e.kind}_photo_text` : `${e.kind}_photo`;
}

/** A concern as cadres and reports see it: no field names the reporter. */
export interface ConcernDoc {
  _id: string;
  category: string;
  /** The unit the concern is about (defaults to the worker's workplace). */
  orgUnitId: string;
  /** The unit whose cadre currently handles it. */
  levelUnitId: string;
  /** 0 where it was first routed, +1 per escalation. */
  level: number;
  assigneeId?: string;
  /**
   * Cadres of other organisations asked to help (joint handling): they see the timeline (never
   * the reporter) and add notes and replies; the assignee stays the lead, responsible for the SLA.
   */
  assistantIds?: string[];
  /** Nobody eligible anywhere: sits with the top unit's secretariat. */
  flagged: boolean;
  urgent: boolean;
  anonymous: boolean;
  status: ConcernStatus;
  description: string;
  /** How many photos the worker attached (some may have come without a reference we can relay). */
  photos: number;
  /** The attached photos as the platform gave them, relayed to cadres (see photos.ts). */
  photoRefs?: PhotoRef[];
  /** When what the worker wrote was deleted because they deleted their data (see forgetReporter). */
  redactedAt?: Date;
  /** A question from the cadre is waiting for the worker's answer. */
  awaitingAnswer: boolean;
  /** Current SLA deadlines (at the current level). */
  firstResponseDue?: Date;
  resolutionDue?: Date;
  /** When the current level first responded (cleared on escalation). */
  respondedAt?: Date;
  /** First response ever and resolution, for reports. */
  firstResponseAt?: Date;
  resolvedAt?: Date;
  /** Every deadline met or missed, for the SLA hit rate. */
  slaOutcomes: { kind: 'first_response' | 'resolution'; level: number; met: boolean }[];
  /** Bumped whenever timers are re-armed; a timer of an older generation does nothing. */
  slaSeq: number;
  summary?: string;
  rating?: number;
  events: ConcernEvent[];
  intakeKey: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed link from a concern to the member who raised it. */
export interface ConcernReporterDoc {
  _id: string;
  /** The reporter's member id, encrypted with REPORTER_SEAL_KEY (PrivacyKeys.seal). */
  sealed?: string;
  /** A keyed HMAC of the member id (MARKER_KEY): finds "my concerns" without naming the member. */
  reporterTag?: string;
  /** Only in records written before sealing; `npm run admin -- reseal-reporters` converts them. */
  memberId?: string;
  anonymous: boolean;
  /** Set when the worker explicitly agreed that cadres may see who they are, for this concern. */
  revealConsentAt?: Date;
  createdAt: Date;
}

/** A member handling concerns of some categories for one organisation at one unit. */
export interface CadreAssignmentDoc {
  _id: string;
  memberId: string;
  orgUnitId: string;
  organisation: Organisation;
  /** Categories covered; empty means all. */
  categories: string[];
  /** Units (e.g. the enterprise employing the cadre) whose concerns they must not handle. */
  conflictUnitIds: string[];
  active: boolean;
  startedAt: Date;
  endedAt?: Date;
}

export interface ConcernModels {
  Concern: Model<ConcernDoc>;
  ConcernReporter: Model<ConcernReporterDoc>;
  CadreAssignment: Model<CadreAssignmentDoc>;
}

const event = new Schema<ConcernEvent>(
  { at: Date, kind: String, actor: String, text: String, photo: Boolean, internal: Boolean, unitId: String, assigneeId: String, level: Number, deadline: Date, lateMs: Number, assistantId: String, assisting: Boolean },
  { _id: false },
);

/** Binds the concerns models to a connection. */
export function bindConcernModels(conn: Connection): ConcernModels {
  return {
    Concern: conn.model(
      'Concern',
      new Schema<ConcernDoc>(
        {
          _id: String,
          category: { type: String, required: true },
          orgUnitId: { type: String, required: true },
          levelUnitId: { type: String, required: true },
          level: { type: Number, default: 0 },
          // Inboxes and least-loaded routing read a cadre's concerns (MongoDB uses the index; FerretDB scans anyway).
          assigneeId: { type: String, index: true },
          assistantIds: { type: [String], default: undefined, index: true },
          flagged: { type: Boolean, default: false },
          urgent: { type: Boolean, default: false },
          anonymous: { type: Boolean, default: true },
          status: { type: String, required: true },
          description: { type: String, required: true },
          photos: { type: Number, default: 0 },
          photoRefs: { type: [new Schema({ channel: String, ref: String }, { _id: false })], default: undefined },
          redactedAt: Date,
          awaitingAnswer: { type: Boolean, default: false },
          firstResponseDue: Date,
          resolutionDue: Date,
          respondedAt: Date,
          firstResponseAt: Date,
          resolvedAt: Date,
          slaOutcomes: { type: [new Schema({ kind: String, level: Number, met: Boolean }, { _id: false })], default: [] },
          slaSeq: { type: Number, default: 0 },
          summary: String,
          rating: Number,
          events: { type: [event], default: [] },
          intakeKey: { type: String, required: true },
          createdAt: { type: Date, required: true },
          updatedAt: { type: Date, required: true },
        },
        { collection: 'concerns', versionKey: false },
      ),
    ),
    ConcernReporter: conn.model(
      'ConcernReporter',
      new Schema<ConcernReporterDoc>(
        // By reporter tag: "my concerns" and the open-concern limit. The member id itself is only sealed.
        { _id: String, sealed: String, reporterTag: { type: String, index: true }, memberId: { type: String, index: true }, anonymous: Boolean, revealConsentAt: Date, createdAt: { type: Date, required: true } },
        { collection: 'concern_reporters', versionKey: false },
      ),
    ),
    CadreAssignment: conn.model(
      'CadreAssignment',
      new Schema<CadreAssignmentDoc>(
        {
          _id: String,
          memberId: { type: String, required: true },
          orgUnitId: { type: String, required: true },
          organisation: { type: String, required: true },
          categories: { type: [String], default: [] },
          conflictUnitIds: { type: [String], default: [] },
          active: { type: Boolean, default: true },
          startedAt: { type: Date, required: true },
          endedAt: Date,
        },
        { collection: 'cadre_assignments', versionKey: false },
      ),
    ),
  };
}
