/**
 * Surveys and inspections: import definitions, find the surveys open for a person, store one
 * response per person (anonymous ones unlinkable), schedule the one reminder, compute results.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import type { Jobs } from '../jobs.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import { vnDay } from '../vn-time.js';
import { cleanAnswers, profileQuestionId, questionsOf, type Answers } from './answers.js';
import type { SurveyDefinition } from './definition.js';
import type { SurveyDoc, SurveyModels, SurveyResponseDoc } from './models.js';
import type { MeetingFigures } from '../meetings/meeting-service.js';
import { addMeetingFigures, MEETING_PERIOD_MS } from './meeting-rollup.js';
import { computeResults, type SurveyResults } from './results.js';
import { nextWindow, type WindowChange } from './survey-window.js';

/** Queue and job name of survey reminders (workers/survey-reminders.ts runs them). */
export const REMINDER_QUEUE = 'survey-reminders';
export const REMINDER_JOB = 'remind';

/** What a reminder job carries: who is reminded of which survey (and, for an inspection, which unit). */
export interface SurveyReminderJob {
  surveyId: string;
  memberId: string;
  subject?: string;
  /** The chat identity the person started on (the reminder goes there). */
  identityId: string;
}

/**
 * The "already answered" marker of one platform identity (e.g. zalo:123) for a survey (and, for an
 * inspection, the unit inspected): a keyed HMAC with the marker key, which lives outside the
 * database. It survives erasure — the identity id stays the same when the person consents again
 * — yet nobody without the key can tell whose it is, or recompute it from an id.
 */
export function answeredMarker(keys: Pick<PrivacyKeys, 'marker'>, surveyId: string, identityId: string, subject?: string): string {
  return subject === undefined ? keys.marker('survey-answered', identityId, surveyId) : keys.marker('survey-answered', identityId, surveyId, subject);
}

/** Whether a survey takes answers at `now`. */
export function isOpen(s: Pick<SurveyDoc, 'opensAt' | 'closesAt'>, now: Date): boolean {
  return s.opensAt.getTime() <= now.getTime() && now.getTime() < s.closesAt.getTime();
}

/** Whether a member with this org unit (and its ancestors) belongs to a survey's audience. */
export function inAudience(def: SurveyDefinition, member: Pick<MemberDoc, 'roles' | 'orgUnitId'>, unit: Pick<OrgUnitDoc, '_id' | 'ancestors'> | undefined): boolean {
  const { roles, orgUnits } = def.audience;
  if (roles?.length && !roles.some((r) => member.roles.includes(r))) return false;
  if (orgUnits?.length) {
    if (!unit) return false;
    if (!orgUnits.includes(unit._id) && !unit.ancestors.some((a) => orgUnits.includes(a))) return false;
  }
  return true;
}

/** Documents per round trip when reading a whole survey: FerretDB pays per getMore, so fewer, larger batches. */
const BATCH = 20_000;
const RESULT_FIELDS = { _id: 0, memberId: 1, orgUnitId: 1, subjectUnitId: 1, ageBand: 1, gender: 1, answers: 1 };

export type SubmitOutcome = 'saved' | 'duplicate' | 'closed';

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000|duplicate key/i.test(String((err as Error).message));

export interface SurveyServiceOptions {
  /**
   * Whether an anonymous submission writes its markers before its response (else after). Drawn
   * at random for each submission, so the order of writes says nothing; tests fix it.
   */
  markersFirst?: () => boolean;
}

export class SurveyService {
  private readonly markersFirst: () => boolean;
  /**
   * Meetings held and attendance per unit within [from, to) (core/meetings), added to the
   * inspection roll-ups; wired by the composition root, absent where meetings are not loaded.
   */
  meetingFigures?: (from: Date, to: Date) => Promise<Map<string, MeetingFigures>>;

  constructor(
    private readonly models: Models,
    readonly surveyModels: SurveyModels,
    private readonly audit: AuditLog,
    private readonly jobs: Jobs,
    private readonly keys: Pick<PrivacyKeys, 'marker'>,
    opts: SurveyServiceOptions = {},
  ) {
    this.markersFirst = opts.markersFirst ?? (() => randomInt(2) === 0);
  }

  /** Stores (or replaces) a validated definition; audited. */
  async importDefinition(def: SurveyDefinition, by: { actor: string; at: Date }): Promise<'created' | 'updated'> {
    const existing = await this.surveyModels.Survey.findById(def.id, { _id: 1 }).lean();
    const doc = { definition: def, kind: def.kind, opensAt: def.opensAt, closesAt: def.closesAt, importedAt: by.at };
    await this.surveyModels.Survey.replaceOne({ _id: def.id }, doc, { upsert: true });
    await this.audit.record({ actor: by.actor, action: existing ? 'survey.updated' : 'survey.imported', target: def.id, details: { questions: def.questions.length, anonymous: def.anonymous }, at: by.at });
    return existing ? 'updated' : 'created';
  }

  /**
   * Opens now, closes now or schedules the opening of a survey (the rules: survey-window.ts),
   * keeping the stored definition's dates in step; audited as survey.opened / survey.closed /
   * survey.scheduled. Null when there is no such survey; throws SurveyWindowError when refused.
   */
  async changeWindow(id: string, change: WindowChange, by: { actor: string; at: Date; via?: string }): Promise<SurveyDoc | null> {
    const survey = await this.get(id);
    if (!survey) return null;
    const { opensAt, closesAt } = nextWindow(survey, change, by.at);
    await this.surveyModels.Survey.updateOne({ _id: id }, { $set: { opensAt, closesAt, 'definition.opensAt': opensAt, 'definition.closesAt': closesAt } });
    const action = change.action === 'open' ? 'survey.opened' : change.action === 'close' ? 'survey.closed' : 'survey.scheduled';
    await this.audit.record({ actor: by.actor, action, target: id, details: { opensAt: opensAt.toISOString(), closesAt: closesAt.toISOString(), ...(by.via ? { via: by.via } : {}) }, at: by.at });
    return { ...survey, opensAt, closesAt, definition: { ...survey.definition, opensAt, closesAt } };
  }

  async get(id: string): Promise<SurveyDoc | null> {
    const doc = await this.surveyModels.Survey.findById(id).lean<SurveyDoc>();
    return doc ? revive(doc) : null;
  }

  async list(): Promise<SurveyDoc[]> {
    return (await this.surveyModels.Survey.find({}).lean<SurveyDoc[]>()).map(revive).sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime());
  }

  /** Surveys open at `now` whose audience includes the member; ordinary surveys already answered are left out. */
  async openFor(member: MemberDoc, unit: OrgUnitDoc | undefined, now: Date): Promise<SurveyDoc[]> {
    const open = (await this.list()).filter((s) => isOpen(s, now) && inAudience(s.definition, member, unit));
    const holders = await this.markerHolders(member._id);
    const out: SurveyDoc[] = [];
    for (const s of open) if (s.kind === 'inspection' || !(await this.anyMarker(this.markersOf(s._id, holders)))) out.push(s);
    return out;
  }

  /**
   * Whether the member has answered (an inspection: about `subject`) from any of their platform
   * identities — also as an earlier profile since erased, or before two apps were linked.
   */
  async hasAnswered(surveyId: string, memberId: string, subject?: string): Promise<boolean> {
    return this.anyMarker(this.markersOf(surveyId, await this.markerHolders(memberId), subject));
  }

  /**
   * What "already answered" markers are made of: the member's platform identities (every linked
   * app), sorted; a member without any (created by a script) is marked by its member id.
   */
  private async markerHolders(memberId: string): Promise<string[]> {
    const identities = await this.models.ChannelIdentity.find({ memberId }, { _id: 1 }).lean();
    return identities.length > 0 ? identities.map((i) => i._id).sort() : [`member:${memberId}`];
  }

  private markersOf(surveyId: string, holders: string[], subject?: string): string[] {
    return holders.map((h) => answeredMarker(this.keys, surveyId, h, subject));
  }

  /** One lookup by `_id` per marker (the only query FerretDB answers from an index). */
  private async anyMarker(markers: string[]): Promise<boolean> {
    const found = await Promise.all(markers.map((_id) => this.surveyModels.SurveyMarker.findById(_id, { _id: 1 }).lean()));
    return found.some(Boolean);
  }

  /** Inserts markers, ignoring those already there; throws on any other error. */
  private async insertMarkers(markers: string[]): Promise<void> {
    for (const _id of markers) {
      await this.surveyModels.SurveyMarker.create({ _id }).catch((e: unknown) => {
        if (!isDuplicateKey(e)) throw e;
      });
    }
  }

  /**
   * Stores a finished response, once per person: a marker of any of the member's identities
   * means it was answered. Named: the response's deterministic id also makes a second
   * submission a no-op; markers follow. Anonymous: the response has a random id and no member
   * id; every identity of the member is marked, the first one (sorted) under a unique id that
   * stops a concurrent second submission. Whether the markers or the response are written first
   * is drawn at random each time, so the order of writes does not pair them.
   */
  async submit(args: { survey: SurveyDoc; member: MemberDoc; answers: Answers; subject?: string; locale: string; now: Date }): Promise<SubmitOutcome> {
    const { survey, member, now } = args;
    if (!isOpen(survey, now)) return 'closed';
    const def = survey.definition;
    const all = questionsOf(def);
    const answers = cleanAnswers(all, args.answers);
    const profile = { ageBand: answers[profileQuestionId('ageBand')] as string | undefined, gender: answers[profileQuestionId('gender')] as string | undefined };
    for (const f of def.profile) delete answers[profileQuestionId(f)];
    const markers = this.markersOf(survey._id, await this.markerHolders(member._id), args.subject);
    if (await this.anyMarker(markers)) return 'duplicate';
    const [lock, ...others] = markers as [string, ...string[]];
    const base: Omit<SurveyResponseDoc, '_id'> = {
      surveyId: survey._id,
      orgUnitId: member.orgUnitId,
      subjectUnitId: args.subject,
      ...(profile.ageBand ? { ageBand: profile.ageBand } : {}),
      ...(profile.gender ? { gender: profile.gender } : {}),
      answers: JSON.stringify(answers),
      locale: args.locale,
      // Responses keep the day only (Vietnam time), not the time.
      day: vnDay(now),
    };
    try {
      if (def.anonymous) {
        const response = { _id: randomBytes(12).toString('hex'), ...base };
        if (this.markersFirst()) {
          await this.surveyModels.SurveyMarker.create({ _id: lock });
          await this.insertMarkers(others);
          await this.surveyModels.SurveyResponse.create(response);
        } else {
          await this.surveyModels.SurveyResponse.create(response);
          try {
            await this.surveyModels.SurveyMarker.create({ _id: lock });
          } catch (err) {
            // Another submission of the same person won the marker: take this response back.
            if (isDuplicateKey(err)) await this.surveyModels.SurveyResponse.deleteOne({ _id: response._id });
            throw err;
          }
          await this.insertMarkers(others);
        }
      } else {
        await this.surveyModels.SurveyResponse.create({ _id: [survey._id, member._id, args.subject].filter(Boolean).join(':'), memberId: member._id, ...base });
        await this.insertMarkers(markers);
      }
    } catch (err) {
      if (isDuplicateKey(err)) return 'duplicate';
      throw err;
    }
    await this.jobs.cancel(REMINDER_QUEUE, reminderJobId(survey._id, member._id, args.subject));
    return 'saved';
  }

  /**
   * Deletes a person's named responses when they withdraw consent ("xóa dữ liệu"), with their
   * markers, so someone who consents again may answer those again; call it before the
   * identities are unlinked. Anonymous responses hold nothing of theirs, and their markers stay:
   * an anonymous survey is answered once per person, erasure or not. Returns how many responses
   * were deleted.
   */
  async eraseMemberResponses(memberId: string): Promise<number> {
    const named = await this.surveyModels.SurveyResponse.find({ memberId }, { surveyId: 1, subjectUnitId: 1 }).lean();
    if (named.length === 0) return 0;
    const holders = await this.markerHolders(memberId);
    for (const r of named) {
      for (const _id of this.markersOf(r.surveyId, holders, r.subjectUnitId ?? undefined)) await this.surveyModels.SurveyMarker.deleteOne({ _id });
    }
    const { deletedCount } = await this.surveyModels.SurveyResponse.deleteMany({ memberId });
    return deletedCount;
  }

  /** Cancels the reminder of a survey someone started and then discarded. */
  async cancelReminder(surveyId: string, memberId: string, subject?: string): Promise<void> {
    await this.jobs.cancel(REMINDER_QUEUE, reminderJobId(surveyId, memberId, subject));
  }

  /** Schedules the one reminder for someone who has started (scheduling again does nothing). */
  async scheduleReminder(survey: SurveyDoc, memberId: string, subject: string | undefined, now: Date, identityId: string): Promise<void> {
    const minutes = survey.definition.reminderAfterMinutes;
    if (minutes <= 0) return;
    const at = new Date(now.getTime() + minutes * 60_000);
    if (at >= survey.closesAt) return;
    await this.jobs.schedule(REMINDER_QUEUE, REMINDER_JOB, { surveyId: survey._id, memberId, subject, identityId }, { id: reminderJobId(survey._id, memberId, subject), at, attempts: 3 });
  }

  /**
   * Full results with every breakdown. Reads the survey's responses once and the org tree once,
   * counts the audience on the server, and aggregates in code (FerretDB has no $facet/$lookup).
   */
  async results(surveyId: string, opts: { within?: readonly string[] } = {}): Promise<SurveyResults | null> {
    const survey = await this.get(surveyId);
    if (!survey) return null;
    const unitList = await this.models.OrgUnit.find({}).lean<OrgUnitDoc[]>();
    const units = new Map(unitList.map((u) => [u._id, u]));
    const [all, audienceSize] = await Promise.all([
      // Only the fields results use: FerretDB's cost grows with every field it has to encode.
      this.surveyModels.SurveyResponse.find({ surveyId }, RESULT_FIELDS).batchSize(BATCH).lean<SurveyResponseDoc[]>(),
      this.countAudience(survey.definition, unitList, opts.within),
    ]);
    // A scoped reader counts what lies in their units: the inspected unit for an inspection, else the respondent's.
    const within = opts.within ? new Set(opts.within) : undefined;
    const responses = within ? all.filter((r) => within.has(r.subjectUnitId ?? r.orgUnitId ?? '')) : all;
    const results = computeResults({ survey, responses, units, audienceSize });
    if (results.inspection && this.meetingFigures) {
      const to = survey.closesAt;
      const figures = await this.meetingFigures(new Date(to.getTime() - MEETING_PERIOD_MS), to);
      addMeetingFigures(results.inspection, { figures, units, subjectKinds: survey.definition.inspection?.subjectKinds ?? [], within });
    }
    return results;
  }

  /**
   * The audience size counted by the server (no member documents travel): active members with the
   * roles in the subtree, and only in the units `within` when given.
   */
  async countAudience(def: SurveyDefinition, units: OrgUnitDoc[], within?: readonly string[]): Promise<number> {
    const filter: Record<string, unknown> = { status: 'active' };
    if (def.audience.roles?.length) filter.roles = { $in: def.audience.roles };
    const roots = def.audience.orgUnits;
    let ids = roots?.length ? units.filter((u) => roots.includes(u._id) || u.ancestors.some((a) => roots.includes(a))).map((u) => u._id) : undefined;
    if (within) ids = (ids ?? [...within]).filter((id) => within.includes(id));
    if (ids) filter.orgUnitId = { $in: ids };
    return this.models.Member.countDocuments(filter);
  }
}

/**
 * Id of a person's reminder job for a survey, and key of the reminder's delivery. It names the
 * member as the job's data does; the job is gone once it ran or the survey was answered.
 */
export function reminderJobId(surveyId: string, memberId: string, subject?: string): string {
  return ['survey-reminder', surveyId, memberId, subject].filter(Boolean).join(':');
}

/** Mixed fields come back from the database with dates as Date already; make sure of it. */
function revive(doc: SurveyDoc): SurveyDoc {
  const def = doc.definition;
  return { ...doc, definition: { ...def, opensAt: new Date(def.opensAt), closesAt: new Date(def.closesAt) } };
}
