/**
 * Surveys and inspections: import definitions, find the surveys open for a person, store one
 * response per person (anonymous ones unlinkable), schedule the one reminder, compute results.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc, Models, OrgUnitDoc } from '../db.js';
import type { Jobs } from '../jobs.js';
import { cleanAnswers, profileQuestionId, questionsOf, type Answers } from './answers.js';
import type { SurveyDefinition } from './definition.js';
import type { SurveyDoc, SurveyModels, SurveyResponseDoc } from './models.js';
import { computeResults, type SurveyResults } from './results.js';

/** Queue and job name of survey reminders (workers/survey-reminders.ts runs them). */
export const REMINDER_QUEUE = 'survey-reminders';
export const REMINDER_JOB = 'remind';

/** YYYY-MM-DD in Vietnam's time zone: responses keep the day only, not the time. */
export function dayOf(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(at);
}

/** The "already answered" marker: a one-way hash of (survey, member[, inspected unit]). */
export function markerId(surveyId: string, memberId: string, subject?: string): string {
  return createHash('sha256').update(`survey-answered|${surveyId}|${memberId}|${subject ?? ''}`).digest('hex').slice(0, 40);
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

export class SurveyService {
  constructor(
    private readonly models: Models,
    readonly surveyModels: SurveyModels,
    private readonly audit: AuditLog,
    private readonly jobs: Jobs,
  ) {}

  /** Stores (or replaces) a validated definition; audited. */
  async importDefinition(def: SurveyDefinition, by: { actor: string; at: Date }): Promise<'created' | 'updated'> {
    const existing = await this.surveyModels.Survey.findById(def.id, { _id: 1 }).lean();
    const doc = { definition: def, kind: def.kind, opensAt: def.opensAt, closesAt: def.closesAt, importedAt: by.at };
    await this.surveyModels.Survey.replaceOne({ _id: def.id }, doc, { upsert: true });
    await this.audit.record({ actor: by.actor, action: existing ? 'survey.updated' : 'survey.imported', target: def.id, details: { questions: def.questions.length, anonymous: def.anonymous }, at: by.at });
    return existing ? 'updated' : 'created';
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
    const out: SurveyDoc[] = [];
    for (const s of open) if (s.kind === 'inspection' || !(await this.hasAnswered(s._id, member._id))) out.push(s);
    return out;
  }

  async hasAnswered(surveyId: string, memberId: string, subject?: string): Promise<boolean> {
    return !!(await this.surveyModels.SurveyMarker.findById(markerId(surveyId, memberId, subject), { _id: 1 }).lean());
  }

  /**
   * Stores a finished response, once. Named: the response's deterministic id makes a second
   * submission a no-op. Anonymous: the marker goes first (its unique id stops a second
   * submission), then the response under a random id carrying no member id.
   */
  async submit(args: { survey: SurveyDoc; member: MemberDoc; answers: Answers; subject?: string; locale: string; now: Date }): Promise<SubmitOutcome> {
    const { survey, member, now } = args;
    if (!isOpen(survey, now)) return 'closed';
    const def = survey.definition;
    const all = questionsOf(def);
    const answers = cleanAnswers(all, args.answers);
    const profile = { ageBand: answers[profileQuestionId('ageBand')] as string | undefined, gender: answers[profileQuestionId('gender')] as string | undefined };
    for (const f of def.profile) delete answers[profileQuestionId(f)];
    const marker = markerId(survey._id, member._id, args.subject);
    const base: Omit<SurveyResponseDoc, '_id'> = {
      surveyId: survey._id,
      orgUnitId: member.orgUnitId,
      subjectUnitId: args.subject,
      ...(profile.ageBand ? { ageBand: profile.ageBand } : {}),
      ...(profile.gender ? { gender: profile.gender } : {}),
      answers: JSON.stringify(answers),
      locale: args.locale,
      day: dayOf(now),
    };
    try {
      if (def.anonymous) {
        await this.surveyModels.SurveyMarker.create({ _id: marker });
        await this.surveyModels.SurveyResponse.create({ _id: randomBytes(12).toString('hex'), ...base });
      } else {
        await this.surveyModels.SurveyResponse.create({ _id: [survey._id, member._id, args.subject].filter(Boolean).join(':'), memberId: member._id, ...base });
        await this.surveyModels.SurveyMarker.create({ _id: marker }).catch((e: unknown) => {
          if (!isDuplicateKey(e)) throw e;
        });
      }
    } catch (err) {
      if (isDuplicateKey(err)) return 'duplicate';
      throw err;
    }
    await this.jobs.cancel(REMINDER_QUEUE, reminderJobId(survey._id, member._id, args.subject));
    return 'saved';
  }

  /**
   * Deletes a person's named responses when they withdraw consent ("xóa dữ liệu"); anonymous
   * responses hold nothing of theirs. Returns how many were deleted. (MemberService.eraseMember
   * should call this.)
   */
  async eraseMemberResponses(memberId: string): Promise<number> {
    const { deletedCount } = await this.surveyModels.SurveyResponse.deleteMany({ memberId });
    return deletedCount;
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
  async results(surveyId: string): Promise<SurveyResults | null> {
    const survey = await this.get(surveyId);
    if (!survey) return null;
    const unitList = await this.models.OrgUnit.find({}).lean<OrgUnitDoc[]>();
    const units = new Map(unitList.map((u) => [u._id, u]));
    const [responses, audienceSize] = await Promise.all([
      // Only the fields results use: FerretDB's cost grows with every field it has to encode.
      this.surveyModels.SurveyResponse.find({ surveyId }, RESULT_FIELDS).batchSize(BATCH).lean<SurveyResponseDoc[]>(),
      this.countAudience(survey.definition, unitList),
    ]);
    return computeResults({ survey, responses, units, audienceSize });
  }

  /** The audience size counted by the server (no member documents travel): active members with the roles in the subtree. */
  async countAudience(def: SurveyDefinition, units: OrgUnitDoc[]): Promise<number> {
    const filter: Record<string, unknown> = { status: 'active' };
    if (def.audience.roles?.length) filter.roles = { $in: def.audience.roles };
    const roots = def.audience.orgUnits;
    if (roots?.length) filter.orgUnitId = { $in: units.filter((u) => roots.includes(u._id) || u.ancestors.some((a) => roots.includes(a))).map((u) => u._id) };
    return this.models.Member.countDocuments(filter);
  }
}

/** Job id of a person's reminder for a survey. */
export function reminderJobId(surveyId: string, memberId: string, subject?: string): string {
  return `survey-reminder:${markerId(surveyId, memberId, subject)}`;
}

/** Mixed fields come back from the database with dates as Date already; make sure of it. */
function revive(doc: SurveyDoc): SurveyDoc {
  const def = doc.definition;
  return { ...doc, definition: { ...def, opensAt: new Date(def.opensAt), closesAt: new Date(def.closesAt) } };
}
