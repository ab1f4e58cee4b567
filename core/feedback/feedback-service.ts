/**
 * "You said, we did": closing the loop with workers, on the materials and broadcast machinery.
 * - After a survey closes, the secretariat publishes what was heard (drafted from the suppressed
 *   results) and what will be done. It goes to everyone the survey invited — its audience roles
 *   and units — respondents included; anonymous respondents are reached through that audience,
 *   never through their responses.
 * - After a concern is resolved, its lead cadre may propose an outcome note: a short anonymised
 *   summary. The reporter reads it (through the sealed relay) and agrees or declines; only then
 *   may the secretariat of the concern's unit publish it to the workers of that unit.
 * Each publication is one material (topic "you_said_we_did", so workers can find the notes and
 * turn them off like any topic) and one broadcast per audience unit; reach is those broadcasts'
 * counts. Scope and roles are the broadcasts' own checks.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Role } from '../db.js';
import type { Actor, BroadcastService } from '../broadcasts/broadcast-service.js';
import type { BroadcastCounts } from '../broadcasts/models.js';
import { ZERO_COUNTS } from '../broadcasts/models.js';
import type { ConcernService } from '../concerns/concern-service.js';
import type { Notice } from '../concerns/notices.js';
import { MIN_TEXT_CHARS } from '../concerns/text-minimums.js';
import type { Translations } from '../i18n.js';
import { insertNew } from '../insert-new.js';
import type { MaterialService } from '../materials/material-service.js';
import type { MaterialContent } from '../materials/models.js';
import { textIn } from '../surveys/definition.js';
import type { SurveyService } from '../surveys/survey-service.js';
import { FeedbackInputError } from './feedback-errors.js';
import { heardSummary } from './heard-summary.js';
import type { FeedbackDoc, FeedbackModels } from './models.js';

/** Longest text of one part (what was heard, what will be done, an outcome summary): one chat message in all. */
export const MAX_PART_CHARS = 800;

/** A publication's reach: its broadcasts' counts added up. */
export type FeedbackReach = BroadcastCounts;

export class FeedbackService {
  constructor(
    private readonly d: {
      models: FeedbackModels;
      surveys: SurveyService;
      concerns: ConcernService;
      materials: MaterialService;
      broadcasts: BroadcastService;
      audit: AuditLog;
      i18n: Translations;
    },
  ) {}

  /** The personal fields of the collection (core/privacy/member-erasure.ts clears them). */
  static readonly personalFields = { feedback: ['concernCode', 'summary'] } as const;

  async get(id: string): Promise<FeedbackDoc | null> {
    return this.d.models.Feedback.findById(id).lean<FeedbackDoc>();
  }

  /** Publications and notes, newest first: of one kind or status, and about these units when given (outcome notes). */
  async list(o: { kind?: FeedbackDoc['kind']; status?: FeedbackDoc['status']; unitIds?: readonly string[] } = {}): Promise<FeedbackDoc[]> {
    const filter: Record<string, unknown> = {};
    if (o.kind) filter.kind = o.kind;
    if (o.status) filter.status = o.status;
    if (o.unitIds) filter.unitId = { $in: [...o.unitIds] };
    const docs = await this.d.models.Feedback.find(filter).lean<FeedbackDoc[]>();
    return docs.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || a._id.localeCompare(b._id));
  }

  /** How many the publication reached: its broadcasts' counts added up (zero before it is published). */
  async reach(doc: Pick<FeedbackDoc, 'broadcastIds'>): Promise<FeedbackReach> {
    const total = { ...ZERO_COUNTS };
    for (const id of doc.broadcastIds ?? []) {
      const b = await this.d.broadcasts.get(id);
      if (!b) continue;
      for (const k of Object.keys(total) as (keyof BroadcastCounts)[]) total[k] += b.counts[k] ?? 0;
    }
    return total;
  }

  // ——— After a survey ———

  /** The draft of "what we heard" for a closed survey, from the results the reader may see (their units when `within`). */
  async draftHeard(surveyId: string, locale: string, within?: readonly string[]): Promise<string> {
    const results = await this.d.surveys.results(surveyId, within ? { within } : {});
    if (!results) throw new FeedbackInputError('unknown_survey', `survey "${surveyId}" does not exist`, { survey: surveyId });
    return heardSummary(results, this.d.i18n.for(locale), locale);
  }

  /**
   * Publishes what was heard and what will be done to everyone the survey invited; once per
   * survey. Checked whole before anything is written: the survey is an ordinary one and closed,
   * the texts fit, the actor may broadcast to each audience unit, and someone would receive it.
   */
  async publishSurvey(input: { surveyId: string; heard: string; doing: string; locale: string }, actor: Actor, now: Date): Promise<FeedbackDoc> {
    const survey = await this.d.surveys.get(input.surveyId);
    if (!survey) throw new FeedbackInputError('unknown_survey', `survey "${input.surveyId}" does not exist`, { survey: input.surveyId });
    if (survey.kind === 'inspection') throw new FeedbackInputError('inspection', `${survey._id} is an inspection: its results go to the steering committee, not back to workers`);
    if (survey.closesAt.getTime() > now.getTime()) throw new FeedbackInputError('not_closed', `${survey._id} is still open`, { survey: survey._id });
    const heard = checkPart(input.heard, 'heard');
    const doing = checkPart(input.doing, 'doing');
    const _id = `sf-${survey._id}`;
    if (await this.get(_id)) throw new FeedbackInputError('already_published', `the feedback on ${survey._id} is already published`);
    await this.d.broadcasts.authorize(actor, 'publish survey feedback', now, survey._id);
    const roles = survey.definition.audience.roles ?? [];
    const units = survey.definition.audience.orgUnits?.length ? survey.definition.audience.orgUnits : [undefined];
    const audiences = units.map((orgUnitId) => ({ roles: [...roles], topics: [], ...(orgUnitId ? { orgUnitId } : {}) }));
    for (const a of audiences) await this.d.broadcasts.checkScope(actor, a, 'publish survey feedback', now);
    const content = this.contentInEveryLanguage((t, lng) => ({
      title: t('feedback:survey.title', { title: textIn(survey.definition.title, lng) }),
      body: [t('feedback:survey.heard_label'), heard, '', t('feedback:survey.doing_label'), doing].join('\n'),
    }));
    return this.publish({ _id, kind: 'survey', surveyId: survey._id, heard, doing, locale: input.locale, status: 'published', proposedBy: actor.id, createdAt: now }, content, audiences, actor, now);
  }

  // ——— After a concern ———

  /**
   * The lead cadre of a resolved concern proposes an outcome note; its reporter is asked
   * (sealed) to agree. Returns the notice to the reporter (none when they are gone).
   */
  async proposeOutcome(cadreId: string, code: string, summary: string, locale: string, at: Date, key: string): Promise<{ note: FeedbackDoc; notices: Notice[] }> {
    const c = await this.d.concerns.asLead(cadreId, code, 'propose an outcome note', at, key);
    if (c.status !== 'resolved') throw new FeedbackInputError('not_resolved', `${code} is not resolved`, { code });
    const text = checkPart(summary, 'summary');
    const pending = (await this.d.models.Feedback.find({ concernCode: code }).lean<FeedbackDoc[]>()).find((n) => n.status !== 'declined' && n.status !== 'set_aside');
    if (pending) throw new FeedbackInputError('already_proposed', `${code} already has an outcome note (${pending.status})`, { code });
    const note: FeedbackDoc = { _id: 'on-' + randomBytes(5).toString('hex'), kind: 'outcome', concernCode: code, category: c.category, unitId: c.orgUnitId, summary: text, locale, status: 'awaiting_consent', proposedBy: cadreId, createdAt: at };
    await this.d.models.Feedback.create(note);
    await this.d.audit.record({ actor: cadreId, action: 'feedback.outcome_proposed', target: note._id, details: { code }, idempotencyKey: key, at });
    const notices = await this.d.concerns.reporterNotice(code, 'outcome_consent', at, { summary: text });
    return { note, notices };
  }

  /** The outcome note of a concern waiting for its reporter's answer, if any. */
  async awaitingConsent(code: string): Promise<FeedbackDoc | null> {
    return this.d.models.Feedback.findOne({ concernCode: code, status: 'awaiting_consent' }).lean<FeedbackDoc>();
  }

  /**
   * The reporter agrees (the note becomes ready for the secretariat) or declines. Only the
   * concern's reporter may answer (checked through the sealed vault); the audit names no one.
   */
  async answerConsent(memberId: string, code: string, agree: boolean, at: Date): Promise<FeedbackDoc> {
    await this.d.concerns.forReporter(memberId, code);
    const status = agree ? 'ready' : 'declined';
    const note = await this.d.models.Feedback.findOneAndUpdate({ concernCode: code, status: 'awaiting_consent' }, { $set: { status, decidedAt: at } }, { returnDocument: 'after' }).lean<FeedbackDoc>();
    if (!note) throw new FeedbackInputError('bad_state', `no outcome note of ${code} waits for an answer`, { code });
    await this.d.audit.record({ actor: 'reporter', action: agree ? 'feedback.outcome_agreed' : 'feedback.outcome_declined', target: note._id, at });
    return note;
  }

  /** The secretariat publishes an agreed outcome note to the workers of the concern's unit. */
  async publishOutcome(id: string, actor: Actor, now: Date): Promise<FeedbackDoc> {
    const note = await this.noteInScope(id, actor, 'publish an outcome note', now);
    if (note.status !== 'ready') throw new FeedbackInputError('bad_state', `${id} is ${note.status}; only an agreed note can be published`, { status: note.status });
    const audience = { orgUnitId: note.unitId!, roles: ['worker' as const], topics: [] };
    const unitName = (await this.d.concerns.unitName(note.unitId!, now)) || note.unitId!;
    const content = this.contentInEveryLanguage((t) => ({
      title: t('feedback:outcome.title', { category: t(`concern:category.${note.category}`) }),
      body: [t('feedback:outcome.intro', { unit: unitName }), '', note.summary!].join('\n'),
    }));
    const claimed = await this.d.models.Feedback.findOneAndUpdate({ _id: id, status: 'ready' }, { $set: { status: 'publishing' } }, { returnDocument: 'after' }).lean<FeedbackDoc>();
    if (!claimed) throw new FeedbackInputError('bad_state', `${id} is no longer ready`, { status: 'published' });
    try {
      return await this.publish({ ...note, status: 'published' }, content, [audience], actor, now, { claimed: true });
    } catch (err) {
      await this.d.models.Feedback.updateOne({ _id: id, status: 'publishing' }, { $set: { status: 'ready' } });
      throw err;
    }
  }

  /** The secretariat sets an agreed (or still unanswered) note aside instead of publishing it. */
  async setAside(id: string, actor: Actor, now: Date): Promise<FeedbackDoc> {
    const note = await this.noteInScope(id, actor, 'set an outcome note aside', now);
    const res = await this.d.models.Feedback.findOneAndUpdate({ _id: id, status: { $in: ['ready', 'awaiting_consent'] } }, { $set: { status: 'set_aside', decidedAt: now } }, { returnDocument: 'after' }).lean<FeedbackDoc>();
    if (!res) throw new FeedbackInputError('bad_state', `${id} is ${note.status}`, { status: note.status });
    await this.d.audit.record({ actor: actor.id, action: 'feedback.outcome_set_aside', target: id, at: now });
    return res;
  }

  /**
   * Erasure of a reporter: notes about their concerns that are not out yet are deleted; a
   * published one (they agreed, and it names nobody) stays, no longer tied to the concern.
   */
  async forgetConcerns(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    await this.d.models.Feedback.deleteMany({ concernCode: { $in: [...codes] }, status: { $ne: 'published' } });
    await this.d.models.Feedback.updateMany({ concernCode: { $in: [...codes] } }, { $unset: { concernCode: 1 } });
  }

  private async noteInScope(id: string, actor: Actor, action: string, now: Date): Promise<FeedbackDoc> {
    const note = /^on-[0-9a-f]{10}$/.test(id) ? await this.get(id) : null;
    if (!note) throw new FeedbackInputError('unknown_note', `no outcome note "${id}"`, { id });
    await this.d.broadcasts.authorize(actor, action, now, id);
    await this.d.broadcasts.checkScope(actor, { orgUnitId: note.unitId }, action, now);
    return note;
  }

  /** A material's content in every language the bot speaks (titles and labels translated; what people wrote, as written). */
  private contentInEveryLanguage(make: (t: ReturnType<Translations['for']>, lng: string) => MaterialContent): Record<string, MaterialContent> {
    return Object.fromEntries(this.d.i18n.languages.map((lng) => [lng, make(this.d.i18n.for(lng), lng)]));
  }

  /**
   * Stores the material and sends it: one broadcast per audience that reaches anyone (each with
   * an idempotency key, so a retry after a crash sends nothing twice); refuses when none would.
   */
  private async publish(doc: FeedbackDoc, content: Record<string, MaterialContent>, audiences: { orgUnitId?: string; roles: Role[]; topics: string[] }[], actor: Actor, now: Date, o: { claimed?: boolean } = {}): Promise<FeedbackDoc> {
    const sizes = await Promise.all(audiences.map((a) => this.d.broadcasts.preview(a)));
    const reached = audiences.filter((_, i) => sizes[i]!.targeted > 0);
    if (reached.length === 0) throw new FeedbackInputError('empty_audience', `nobody would receive the feedback ${doc._id}`);
    if (!o.claimed && (await insertNew(this.d.models.Feedback, [{ ...doc, status: 'publishing' as const }])).length > 0) {
      throw new FeedbackInputError('already_published', `${doc._id} is already published`);
    }
    let material;
    const broadcastIds: string[] = [];
    try {
      material = await this.d.materials.create({ topic: 'you_said_we_did', content, author: actor.id }, now);
      for (const a of reached) {
        const { broadcast } = await this.d.broadcasts.create({ content: { materialId: material._id }, audience: a, schedule: { kind: 'once' } }, actor, { now, idempotencyKey: `feedback:${doc._id}:${a.orgUnitId ?? 'all'}` });
        broadcastIds.push(broadcast._id);
      }
    } catch (err) {
      // Not out: free the claim so it can be tried again (broadcasts already made are found again by their keys).
      if (!o.claimed) await this.d.models.Feedback.deleteOne({ _id: doc._id, status: 'publishing' });
      throw err;
    }
    const published: FeedbackDoc = { ...doc, status: 'published', materialId: material._id, broadcastIds, publishedBy: actor.id, publishedAt: now };
    await this.d.models.Feedback.replaceOne({ _id: doc._id }, published);
    await this.d.audit.record({ actor: actor.id, action: doc.kind === 'survey' ? 'feedback.survey_published' : 'feedback.outcome_published', target: doc._id, details: { material: material._id, broadcasts: broadcastIds }, at: now });
    return published;
  }
}

/** A part of what is published: trimmed, not empty, not longer than one message allows. */
function checkPart(text: string, part: 'heard' | 'doing' | 'summary'): string {
  const s = (typeof text === 'string' ? text : '').trim();
  if (s.length < (part === 'summary' ? MIN_TEXT_CHARS : 1)) throw new FeedbackInputError('empty_text', `the ${part} text is empty or too short`, { part, min: MIN_TEXT_CHARS });
  if (s.length > MAX_PART_CHARS) throw new FeedbackInputError('text_too_long', `the ${part} text has ${s.length} characters; at most ${MAX_PART_CHARS}`, { part, length: s.length, max: MAX_PART_CHARS });
  return s;
}
