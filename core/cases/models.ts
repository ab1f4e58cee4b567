/**
 * Model of collective cases (vụ việc tập thể): several workers' concerns of one category about
 * one enterprise, handled together by one lead cadre. A case lists concern codes only: who raised
 * each concern stays in the sealed reporter store (core/concerns/reporter-vault.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const CASE_STATUSES = ['open', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** One thing that happened to a case. Reporters are never named: a joining concern is its code. */
export interface CaseEvent {
  at: Date;
  kind: 'formed' | 'joined' | 'replied' | 'resolved' | 'lead_changed' | 'withdrawn';
  /** `system`, `reporter`, or the lead cadre's member id. */
  actor: string;
  /** The concern concerned (joined, withdrawn). */
  code?: string;
  /** What the lead wrote to every reporter (replied, resolved). */
  text?: string;
}

export interface CaseDoc {
  /** `VV-XXXXXX`, derived from the enterprise, the category and the oldest concern (caseIdFor). */
  _id: string;
  /** The enterprise the concerns are about. */
  orgUnitId: string;
  category: string;
  status: CaseStatus;
  /** The cadre who handles every concern of the case; none when nobody is eligible (the secretariat is told). */
  leadId?: string;
  /** The unit the lead handles the case's concerns at. */
  leadUnitId?: string;
  /** The concerns in the case, oldest first. */
  concernCodes: string[];
  /** When the newest concern in the case was raised: the case takes new ones within the window after it. */
  lastConcernAt: Date;
  summary?: string;
  events: CaseEvent[];
  createdAt: Date;
  updatedAt: Date;
  resolvedAt?: Date;
}

export interface CaseModels {
  Case: Model<CaseDoc>;
}

/** Binds the collective cases model to a connection. */
export function bindCaseModels(conn: Connection): CaseModels {
  return {
    Case: conn.model(
      'CollectiveCase',
      new Schema<CaseDoc>(
        {
          _id: String,
          // Matching a new concern reads the open cases of one enterprise (MongoDB uses the index; FerretDB scans).
          orgUnitId: { type: String, required: true, index: true },
          category: { type: String, required: true },
          status: { type: String, required: true },
          leadId: { type: String, index: true },
          leadUnitId: String,
          concernCodes: { type: [String], default: [] },
          lastConcernAt: { type: Date, required: true },
          summary: String,
          events: { type: [new Schema<CaseEvent>({ at: Date, kind: String, actor: String, code: String, text: String }, { _id: false })], default: [] },
          createdAt: { type: Date, required: true },
          updatedAt: { type: Date, required: true },
          resolvedAt: Date,
        },
        { collection: 'collective_cases', versionKey: false },
      ),
    ),
  };
}
