/**
 * "You said, we did" ("Bạn nói, chúng tôi làm"): what the secretariat publishes back to workers —
 * after a survey closes, what was heard and what will be done; after a concern is resolved, an
 * anonymised outcome note the reporter agreed to. Each is published as a material sent by a
 * broadcast, so reach is the broadcasts' own counts.
 */
import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An outcome note's life: proposed by the concern's cadre, waiting for the reporter's consent;
 * declined by the reporter (or taken back by erasure); agreed, ready for the secretariat to
 * publish; being published (claimed, so two clicks publish once); published; or set aside by the
 * secretariat. A survey's feedback is only ever publishing or published.
 */
export const FEEDBACK_STATUSES = ['awaiting_consent', 'declined', 'ready', 'publishing', 'published', 'set_aside'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export interface FeedbackDoc {
  /** `sf-<survey id>` for a survey's feedback (one per survey), `on-<hex>` for an outcome note. */
  _id: string;
  kind: 'survey' | 'outcome';
  /** Survey feedback: the survey. */
  surveyId?: string;
  /** Outcome note: the resolved concern (its reporter stays in the sealed vault). */
  concernCode?: string;
  /** Outcome note: its category, and the unit whose workers it goes to. */
  category?: string;
  unitId?: string;
  /** Outcome note: the cadre's anonymised summary, as the reporter read it before agreeing. */
  summary?: string;
  /** Survey feedback: what was heard (the suppressed results summary, as edited) and what will be done. */
  heard?: string;
  doing?: string;
  /** The language the text was written in. */
  locale: string;
  status: FeedbackStatus;
  proposedBy: string;
  createdAt: Date;
  decidedAt?: Date;
  publishedBy?: string;
  publishedAt?: Date;
  /** What carries it: the material, and the broadcasts that sent it (one per audience unit). */
  materialId?: string;
  broadcastIds?: string[];
}

export interface FeedbackModels {
  Feedback: Model<FeedbackDoc>;
}

export function bindFeedbackModels(conn: Connection): FeedbackModels {
  return {
    Feedback:
      conn.models.Feedback ??
      conn.model(
        'Feedback',
        new Schema<FeedbackDoc>(
          {
            _id: String,
            kind: { type: String, required: true },
            surveyId: String,
            concernCode: String,
            category: String,
            unitId: String,
            summary: String,
            heard: String,
            doing: String,
            locale: { type: String, required: true },
            status: { type: String, required: true },
            proposedBy: { type: String, required: true },
            createdAt: { type: Date, required: true },
            decidedAt: Date,
            publishedBy: String,
            publishedAt: Date,
            materialId: String,
            broadcastIds: { type: [String], default: undefined },
          },
          { collection: 'feedback', versionKey: false },
        ),
      ),
  } as FeedbackModels;
}
