/** Surveys' collections: definitions, responses, and "already answered" markers. */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Answers } from './answers.js';
import type { SurveyDefinition } from './definition.js';

/** A stored survey: the validated definition plus the fields queried. */
export interface SurveyDoc {
  _id: string;
  definition: SurveyDefinition;
  kind: 'survey' | 'inspection';
  opensAt: Date;
  closesAt: Date;
  importedAt: Date;
}

/**
 * One response. Named: `_id` = `<survey>:<member>[:<subject>]` and `memberId` set. Anonymous:
 * a random `_id`, no member id, only the org unit and the profile answers the person gave, and
 * the day (not the time) it arrived — so nothing joins it back to the person.
 */
export interface SurveyResponseDoc {
  _id: string;
  surveyId: string;
  memberId?: string;
  orgUnitId?: string;
  /** Inspections: the unit inspected. */
  subjectUnitId?: string;
  ageBand?: string;
  gender?: string;
  /**
   * The answers as JSON text (`Answers`; read with `answersOf`). Packed because results read
   * every response of a survey and FerretDB decodes a nested document field by field: one string
   * reads about 2.5× faster for 10,000 responses. Answers are aggregated in code, never queried.
   */
  answers: string;
  locale?: string;
  /** YYYY-MM-DD in Asia/Ho_Chi_Minh. */
  day: string;
}

/**
 * "This person answered this survey": a keyed HMAC of (platform identity, survey[, subject]) —
 * one per identity of the person — and nothing else (see `answeredMarker`).
 */
export interface SurveyMarkerDoc {
  _id: string;
}

/** The answers of a stored response. */
export function answersOf(r: Pick<SurveyResponseDoc, 'answers'>): Answers {
  const a: unknown = r.answers;
  // Responses stored before answers were packed hold an object.
  if (a && typeof a === 'object') return a as Answers;
  return typeof a === 'string' && a ? (JSON.parse(a) as Answers) : {};
}

export interface SurveyModels {
  Survey: Model<SurveyDoc>;
  SurveyResponse: Model<SurveyResponseDoc>;
  SurveyMarker: Model<SurveyMarkerDoc>;
}

/** Binds the survey models to a connection. */
export function bindSurveyModels(conn: Connection): SurveyModels {
  return {
    Survey: conn.models.Survey ?? conn.model('Survey', new Schema<SurveyDoc>(
      {
        _id: String,
        definition: { type: Schema.Types.Mixed, required: true },
        kind: { type: String, required: true },
        opensAt: { type: Date, required: true },
        closesAt: { type: Date, required: true },
        importedAt: { type: Date, required: true },
      },
      { collection: 'surveys', versionKey: false, minimize: false },
    )),
    SurveyResponse: conn.models.SurveyResponse ?? conn.model('SurveyResponse', new Schema<SurveyResponseDoc>(
      {
        _id: String,
        surveyId: { type: String, required: true },
        memberId: String,
        orgUnitId: String,
        subjectUnitId: String,
        ageBand: String,
        gender: String,
        answers: { type: String, required: true },
        locale: String,
        day: { type: String, required: true },
      },
      { collection: 'survey_responses', versionKey: false, minimize: false },
    )),
    SurveyMarker: conn.models.SurveyMarker ?? conn.model('SurveyMarker', new Schema<SurveyMarkerDoc>({ _id: String }, { collection: 'survey_markers', versionKey: false })),
  };
}
