/**
 * The life of a concern: intake, routing to a cadre, cadre actions relayed to the worker, SLA
 * timers and escalation up the organisation, resolution, rating and reopening. Methods return
 * the notices to send to other people; callers deliver them (see notices.ts).
 */
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc, Models } from '../db.js';
import type { Translate, Translations } from '../i18n.js';
import type { Jobs } from '../jobs.js';
import type { OrgDirectory } from '../org/org-directory.js';
import { formatVnTime } from '../vn-time.js';
import { addBusinessTime } from './business-time.js';
import { CadreDirectory } from './cadre-directory.js';
import { CadreReviewService } from './cadre-review-service.js';
import { ConcernReader } from './concern-reader.js';
import { ConcernLock } from './concern-lock.js';
import { RedisKeys } from '../redis-keys.js';
import { ConcernClosedError, ConcernNotFoundError, ConcernStateError, NotAssigneeError, NotCadreError, TooManyConcernsTodayError, TooManyOpenConcernsError } from './errors.js';
import { capDay, DailyConcernCap } from './daily-cap.js';
import { OPEN_STATUSES, ORGANISATIONS, type CadreAssignmentDoc, type ConcernDoc, type ConcernEvent, type ConcernModels } from './models.js';
import type { Notice } from './notices.js';
import type { NoticePhotos, PhotoRef } from './photos.js';
import { slaMs, type ConcernPolicy } from './policy.js';
import { referenceCode } from './reference-code.js';
import { ReporterVault } from './reporter-vault.js';
import { CadreRouter, isActiveCadre, type RouteResult } from './routing.js';
import { SlaTimers, type SlaKind, type SlaTimer } from './sla-timers.js';
import type { Metrics } from '../metrics.js';

export interface ConcernServiceDeps {
  models: Models;
  concernModels: ConcernModels;
  org: OrgDirectory;
  audit: AuditLog;
  i18n: Translations;
  jobs: Jobs;
  redis: Redis;
  redisPrefix: string;
  policy: ConcernPolicy;
  /** Seals who raised each concern (REPORTER_SEAL_KEY) and keys their lookup tag (MARKER_KEY). */
  keys: PrivacyKeys;
  /** For SLA lateness figures: when an escalation was actually written (default: the timer's start). */
  clock?: { now(): Date };
  /** Counts SLA reminders, breaches and escalations (core/metrics.ts); none when left out. */
  metrics?: Metrics;
}

/** What a worker submits. */
export interface Intake {
  memberId: string;
  category: string;
  orgUnitId: string;
  description: string;
  photos: number;
  /** The photos that can be relayed to the cadre (at most `photos` of them). */
  photoRefs?: PhotoRef[];
  anonymous: boolean;
  /** Idempotency key (the submitting event), so a retried intake creates one concern. */
  intakeKey: string;
  /**
   * The submitting account's daily counter: `keys.marker('concern-daily', identity, capDay(…))`
   * (core/concerns/daily-cap.ts). Absent: no daily cap (imports, benchmarks).
   */
  dailyKey?: string;
  /**
   * The lead cadre of the collective case this concern joins (core/cases/): the concern goes to
   * them at their unit while they may still handle it there, else it is routed as usual.
   */
  lead?: { memberId: string; unitId: string };
  at: Date;
}

/** A cadre the secretariat may give a flagged concern to, with the assignment that makes them one. */
export interface PlacementTarget {
  memberId: string;
  name: string;
  organisation: string;
  unitId: string;
}

/** Something a cadre does with a concern assigned to them. */
export type CadreAction =
  | { kind: 'accept' }
  | { kind: 'reply'; text: string }
  | { kind: 'ask'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'transfer'; to: string }
  /** Joint handling: the lead asks a cadre of another organisation to assist (see `assistTargets`). */
  | { kind: 'invite'; to: string }
  | { kind: 'escalate' }
  | { kind: 'resolve'; summary: string };

const DAY = 86_400_000;

/**
 * Why a cadre is given a concern; their notice says it (`cadre:notify.assigned_<why>`):
 * `new` raised just now · `reopened` by the worker · `transferred` by a colleague · `escalated`
 * from the level below · `placed` by the secretariat · `rerouted` because the previous cadre's
 * assignment or role ended · `waiting` it had no cadre and new assignments now cover it.
 */
export type AssignReason = 'new' | 'reopened' | 'transferred' | 'escalated' | 'placed' | 'rerouted' | 'waiting';

export class ConcernService {
  readonly vault: ReporterVault;
  readonly router: CadreRouter;
  /** The policy in force; replace it whole to change rules (tests: short SLAs, always open). */
  policy: ConcernPolicy;
  private readonly timers: SlaTimers;
  private readonly lock: ConcernLock;
  /** Active cadre assignments, cached for routing (reloaded when any process changes one). */
  private readonly cadres: CadreDirectory;
  /** Concerns raised per platform account and day (survives erasure). */
  private readonly daily: DailyConcernCap;
  /** The concerns collections (reports, admin commands). */
  readonly cm: ConcernModels;
  /** The cadre-force review (rà soát đội ngũ cán bộ) of a unit's subtree. */
  readonly review: CadreReviewService;
  /** The secretariat's list of concerns: filtered, newest first, a page at a time (the web console). */
  readonly reader: ConcernReader;

  constructor(private readonly d: ConcernServiceDeps) {
    this.cm = d.concernModels;
    this.policy = d.policy;
    this.vault = new ReporterVault(d.models, d.concernModels, d.audit, d.keys);
    const redisKeys = new RedisKeys(d.redisPrefix);
    this.cadres = new CadreDirectory(d.concernModels, d.redis, redisKeys);
    this.router = new CadreRouter(d.models, d.concernModels, d.org, this.cadres, () => this.policy);
    this.review = new CadreReviewService(d.models, d.concernModels, d.org, this.router, () => this.policy);
    this.reader = new ConcernReader(d.concernModels);
    this.timers = new SlaTimers(d.jobs, () => this.policy.reminderAt);
    this.lock = new ConcernLock(d.redis, redisKeys);
    this.daily = new DailyConcernCap(d.redis, redisKeys);
  }

  // ---------------------------------------------------------------- helpers

  async get(code: string): Promise<ConcernDoc | null> {
    return this.cm.Concern.findById(code).lean<ConcernDoc>();
  }

  /**
   * A worker's concerns (a handful), each read by `_id` at once: FerretDB on SQLite looks up
   * only a lone `_id` equality by its index and scans the collection for an `$in` (at 1,000
   * concerns 206 ms against 1.6 ms for two reads by `_id`); MongoDB answers either from the index.
   */
  private async byCodes(codes: string[], projection?: Partial<Record<keyof ConcernDoc, 1>>): Promise<ConcernDoc[]> {
    const found = await Promise.all(codes.map((code) => this.cm.Concern.findById(code, projection).lean<ConcernDoc>()));
    return found.filter((c): c is ConcernDoc => c !== null);
  }

  private async save(c: ConcernDoc, at: Date): Promise<void> {
    c.updatedAt = at;
    await this.cm.Concern.replaceOne({ _id: c._id }, c);
  }

  private due(c: Pick<ConcernDoc, 'category' | 'urgent' | 'level'>, kind: SlaKind, from: Date): Date {
    const rule = this.policy.categories[c.category]!;
    const hours = c.urgent && this.policy.urgentIgnoresBusinessHours ? { ...this.policy.businessHours, alwaysOpen: true } : this.policy.businessHours;
    return addBusinessTime(from, slaMs(rule, kind, c.level), hours);
  }

  private setDeadlines(c: ConcernDoc, from: Date): void {
    c.firstResponseDue = this.due(c, 'first_response', from);
    c.resolutionDue = this.due(c, 'resolution', from);
    c.respondedAt = undefined;
    c.slaSeq += 1;
  }

  /** The member's translator; `known` is a record just read (routing), to save reading it again. */
  private async translatorFor(memberId: string, known?: MemberDoc): Promise<{ t: Translate; member: MemberDoc | null }> {
    const member = known?._id === memberId ? known : await this.d.models.Member.findById(memberId).lean();
    return { t: this.d.i18n.for(member?.locale ?? this.d.i18n.defaultLocale), member };
  }

  /** The unit's name with its place, for messages. */
  async unitName(unitId: string, at: Date): Promise<string> {
    return (await this.d.org.describe(unitId, at)) ?? unitId;
  }

  /** The worker-facing category name. */
  categoryLabel(t: Translate, category: string): string {
    return t(`concern:category.${category}`);
  }

  /**
   * What every message about a concern says of it, in `t`'s language — never who raised it, and
   * not what they wrote once they deleted their data: code, category, unit, urgency, level, text, photos.
   */
  async summaryVars(t: Translate, c: ConcernDoc, at: Date): Promise<Record<string, string | number>> {
    return {
      code: c._id,
      category: this.categoryLabel(t, c.category),
      unit: await this.unitName(c.orgUnitId, at),
      urgency: t(c.urgent ? 'cadre:urgency.urgent' : 'cadre:urgency.normal'),
      level: c.level + 1,
      text: c.redactedAt ? t('cadre:redacted') : c.description,
      photos: c.redactedAt ? 0 : c.photos,
    };
  }

  private event(c: ConcernDoc, e: Omit<ConcernEvent, 'at'>, at: Date): void {
    c.events.push({ at, ...e });
  }

  /** The message a cadre gets when a concern is assigned to them: never who raised it. */
  private async assignmentNotice(c: ConcernDoc, cadreId: string, at: Date, why: AssignReason, known?: MemberDoc): Promise<Notice> {
    const { t, member } = await this.translatorFor(cadreId, known);
    const text = t(`cadre:notify.assigned_${why}`, { ...(await this.summaryVars(t, c, at)), due: c.firstResponseDue ? formatVnTime(c.firstResponseDue) : '—' });
    const photos = c.photoRefs?.length ? this.noticePhotos(t, c) : undefined;
    return { memberId: cadreId, key: `concern:${c._id}:s${c.slaSeq}:${why}:${cadreId}:${c.events.length}`, message: { text, locale: member?.locale }, ...(photos ? { photos } : {}) };
  }

  /** The concern's photos from the `from`-th on, captioned in `t`'s language with their place among all of them. */
  noticePhotos(t: Translate, c: Pick<ConcernDoc, '_id' | 'photoRefs'>, from = 0): NoticePhotos {
    const all = c.photoRefs ?? [];
    const refs = all.slice(from);
    return {
      refs,
      captions: refs.map((_, i) => t('cadre:photo_caption', { n: from + i + 1, count: all.length, code: c._id })),
      unavailable: (count) => t('cadre:photos_unavailable', { count }),
    };
  }

  /** A message to the worker through the sealed reporter record (audited). */
  private async workerNotice(c: ConcernDoc, what: string, at: Date, vars: Record<string, unknown> = {}): Promise<Notice[]> {
    const key = `${what}:${c.slaSeq}:${c.events.length}`;
    const memberId = await this.vault.relayTarget(c._id, what, at, key);
    if (!memberId) return [];
    const { t, member } = await this.translatorFor(memberId);
    if (member?.status !== 'active') return [];
    const text = t(`concern:notify.${what}`, { code: c._id, category: this.categoryLabel(t, c.category), ...vars });
    return [{ memberId, key: `concern:${c._id}:worker:${key}`, message: { text, locale: member.locale }, seal: true }];
  }

  /**
   * A message to a concern's reporter from another area (an outcome note asking for consent),
   * through the sealed reporter record like every message to a reporter; none once they are gone.
   */
  async reporterNotice(code: string, what: string, at: Date, vars: Record<string, unknown> = {}): Promise<Notice[]> {
    const c = await this.get(code);
    return c ? this.workerNotice(c, what, at, vars) : [];
  }

  private async flaggedNotices(c: ConcernDoc, at: Date, reason: 'no_cadre' | 'breached_at_top'): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (const memberId of await this.router.secretariatOf(c.levelUnitId)) {
      const { t, member } = await this.translatorFor(memberId);
      const text = t(`cadre:notify.flagged_${reason}`, await this.summaryVars(t, c, at));
      notices.push({ memberId, key: `concern:${c._id}:s${c.slaSeq}:flag:${reason}:${memberId}`, message: { text, locale: member?.locale } });
    }
    return notices;
  }

  /** Puts the concern where routing sent it and says so to the new assignee (or the secretariat). */
  private async place(c: ConcernDoc, r: RouteResult, at: Date, why: AssignReason): Promise<Notice[]> {
    c.levelUnitId = r.unitId;
    c.assigneeId = r.assigneeId;
    c.flagged = r.flagged;
    if (r.flagged) {
      this.event(c, { kind: 'flagged', actor: 'system', internal: true, unitId: r.unitId, level: c.level }, at);
      return this.flaggedNotices(c, at, 'no_cadre');
    }
    this.event(c, { kind: 'assigned', actor: 'system', internal: true, unitId: r.unitId, assigneeId: r.assigneeId, level: c.level }, at);
    return [await this.assignmentNotice(c, r.assigneeId!, at, why, r.assignee), ...(await this.inviteByDefault(c, at))];
  }

  // ---------------------------------------------------------------- joint handling

  /** Cadres of the organisations other than the lead's own who may assist, nearest first (routing's rules, `CadreRouter.assistCandidates`). */
  private async assistCandidatesOf(c: ConcernDoc, at: Date, organisations?: readonly string[]): Promise<PlacementTarget[]> {
    if (!c.assigneeId) return [];
    const own = await this.router.organisationsOf(c.assigneeId);
    const others = (organisations ?? ORGANISATIONS).filter((o) => !own.includes(o));
    return this.router.assistCandidates({ category: c.category, concernedUnitId: c.orgUnitId, organisations: others, at, exclude: [c.assigneeId, ...(c.assistantIds ?? [])] });
  }

  /** Adds an assistant: the concern event names them, they are told (never who raised it), and it is audited. */
  private async addAssistant(c: ConcernDoc, actor: string, assistantId: string, at: Date): Promise<Notice> {
    c.assistantIds = [...(c.assistantIds ?? []), assistantId];
    this.event(c, { kind: 'assist_invited', actor, internal: true, assistantId }, at);
    await this.d.audit.record({ actor, action: 'concern.assist.invited', target: c._id, details: { assistant: assistantId, lead: c.assigneeId ?? null }, idempotencyKey: `${c._id}|assist|${assistantId}|${c.events.length}`, at });
    const { t, member } = await this.translatorFor(assistantId);
    const text = t('cadre:notify.assist_invited', { ...(await this.summaryVars(t, c, at)), by: t(actor === 'system' ? 'cadre:assist.by_rule' : 'cadre:assist.by_lead') });
    return { memberId: assistantId, key: `concern:${c._id}:assist:${assistantId}:${c.events.length}`, message: { text, locale: member?.locale } };
  }

  /** The category's default assisting organisations (policy `assistOrganisations`): one eligible cadre of each the lead does not belong to, once per concern. */
  private async inviteByDefault(c: ConcernDoc, at: Date): Promise<Notice[]> {
    const wanted = this.policy.categories[c.category]?.assistOrganisations ?? [];
    if (!wanted.length || c.assistantIds?.length) return [];
    const notices: Notice[] = [];
    for (const organisation of wanted) {
      const first = (await this.assistCandidatesOf(c, at, [organisation]))[0];
      if (first) notices.push(await this.addAssistant(c, 'system', first.memberId, at));
    }
    return notices;
  }

  /** Cadres of other organisations the lead may invite to assist; empty for anyone but the lead. */
  async assistTargets(cadreId: string, code: string, at: Date): Promise<PlacementTarget[]> {
    const c = await this.get(code);
    if (!c || c.assigneeId !== cadreId || !OPEN_STATUSES.includes(c.status)) return [];
    return this.assistCandidatesOf(c, at);
  }

  /** Open concerns this cadre assists on (joint handling), nearest deadline first. */
  async assisting(cadreId: string): Promise<ConcernDoc[]> {
    return this.cm.Concern.find({ assistantIds: cadreId, status: { $in: OPEN_STATUSES } }).lean<ConcernDoc[]>();
  }

  /** Cadres' display names by member id (a concern's history names who assisted). */
  async cadreNames(ids: string[]): Promise<Map<string, string>> {
    const found = await Promise.all(ids.map((id) => this.d.models.Member.findById(id, { displayName: 1 }).lean()));
    return new Map(ids.map((id, i) => [id, found[i]?.displayName ?? id]));
  }

  /** Whether this member assists on the concern (and is not its lead). */
  isAssistant(c: Pick<ConcernDoc, 'assigneeId' | 'assistantIds'>, cadreId: string): boolean {
    return c.assigneeId !== cadreId && !!c.assistantIds?.includes(cadreId);
  }

  // ---------------------------------------------------------------- worker side

  /** How many open concerns the worker has. */
  async openCount(memberId: string): Promise<number> {
    const codes = await this.vault.codesOf(memberId);
    return (await this.byCodes(codes, { status: 1 })).filter((c) => OPEN_STATUSES.includes(c.status)).length;
  }

  /** Whether a new concern of this category would pass the open-concern limit (urgent ones always do). */
  async mayOpen(memberId: string, category: string): Promise<boolean> {
    if (this.policy.categories[category]?.urgent) return true;
    return (await this.openCount(memberId)) < this.policy.maxOpenPerWorker;
  }

  /** The day (Vietnam time, "YYYY-MM-DD") the daily cap counts `at` in. */
  capDay(at: Date): string {
    return capDay(at, this.policy.businessHours.utcOffsetMinutes);
  }

  /** Whether the account behind `dailyKey` may still raise a concern of this category today (urgent ones always may). */
  async mayOpenToday(dailyKey: string, category: string): Promise<boolean> {
    if (this.policy.categories[category]?.urgent) return true;
    return (await this.daily.count(dailyKey)) < this.policy.maxNewPerDay;
  }

  /**
   * Creates, routes and times a concern; throws TooManyOpenConcernsError past the open-concern
   * limit and TooManyConcernsTodayError past the daily cap (never for urgent categories).
   */
  async submit(i: Intake): Promise<{ concern: ConcernDoc; notices: Notice[] }> {
    if (!this.policy.categories[i.category]) throw new Error(`unknown concern category "${i.category}": add it to the concerns policy`);
    // Checked before sealing; one person's events are handled one at a time by the engine.
    const limitReached = !(await this.mayOpen(i.memberId, i.category));
    const dayFull = i.dailyKey !== undefined && !(await this.mayOpenToday(i.dailyKey, i.category));
    let code = '';
    for (let attempt = 0; ; attempt++) {
      if (attempt > 20) throw new Error('could not find a free reference code');
      code = referenceCode(i.intakeKey, attempt);
      const existing = await this.get(code);
      if (existing?.intakeKey === i.intakeKey) return { concern: existing, notices: [] };
      if (existing) continue;
      if (limitReached) throw new TooManyOpenConcernsError(this.policy.maxOpenPerWorker);
      if (dayFull) throw new TooManyConcernsTodayError(this.policy.maxNewPerDay);
      if (await this.vault.seal(code, i.memberId, i.anonymous, i.at)) break;
    }
    return this.lock.with(code, async () => {
      const again = await this.get(code);
      if (again) return { concern: again, notices: [] };
      const rule = this.policy.categories[i.category]!;
      const c: ConcernDoc = {
        _id: code,
        category: i.category,
        orgUnitId: i.orgUnitId,
        levelUnitId: i.orgUnitId,
        level: 0,
        flagged: false,
        urgent: rule.urgent,
        anonymous: i.anonymous,
        status: 'received',
        description: i.description.slice(0, this.policy.maxDescriptionChars),
        photos: Math.min(i.photos, this.policy.maxPhotos),
        ...(i.photoRefs?.length ? { photoRefs: i.photoRefs.slice(0, this.policy.maxPhotos).map(({ channel, ref }) => ({ channel, ref })) } : {}),
        awaitingAnswer: false,
        slaOutcomes: [],
        slaSeq: 0,
        events: [{ at: i.at, kind: 'created', actor: 'reporter' }],
        intakeKey: i.intakeKey,
        createdAt: i.at,
        updatedAt: i.at,
      };
      this.setDeadlines(c, i.at);
      const toLead = i.lead && (await this.router.stillEligible(i.lead.memberId, c.category, c.orgUnitId, i.lead.unitId, i.at));
      const route = toLead ? { unitId: i.lead!.unitId, assigneeId: i.lead!.memberId, flagged: false } : await this.router.route({ category: c.category, concernedUnitId: c.orgUnitId, fromUnitId: c.orgUnitId, at: i.at });
      const notices = await this.place(c, route, i.at, 'new');
      await this.cm.Concern.create(c);
      // Counted once created (a replay returns above without counting); urgent ones count too.
      if (i.dailyKey) await this.daily.add(i.dailyKey);
      await this.timers.arm(c, i.at);
      await this.d.audit.record({ actor: 'reporter', action: 'concern.created', target: code, details: { category: c.category, unit: c.orgUnitId, urgent: c.urgent, anonymous: c.anonymous, flagged: c.flagged }, idempotencyKey: code, at: i.at });
      return { concern: c, notices };
    });
  }

  /** The worker's concerns, newest first. */
  async mine(memberId: string): Promise<ConcernDoc[]> {
    const list = await this.byCodes(await this.vault.codesOf(memberId));
    return list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /**
   * The concern whose cadre is waiting for this worker's answer: a question is open, or the worker
   * answered within the answer window (a photo, then words). The most recently active one first.
   */
  async awaitingAnswerFrom(memberId: string, at: Date): Promise<string | undefined> {
    const open = (await this.byCodes(await this.vault.codesOf(memberId), { status: 1, awaitingAnswer: 1, events: 1, updatedAt: 1 })).filter((c) => OPEN_STATUSES.includes(c.status));
    const windowMs = this.policy.answerWindowMinutes * 60_000;
    const waiting = open.filter((c) => {
      if (c.awaitingAnswer) return true;
      const last = c.events.at(-1);
      return last?.kind === 'answered' && at.getTime() - new Date(last.at).getTime() <= windowMs;
    });
    waiting.sort((a, b) => new Date(b.events.at(-1)?.at ?? 0).getTime() - new Date(a.events.at(-1)?.at ?? 0).getTime());
    return waiting[0]?._id;
  }

  /** One of the worker's own concerns. */
  async forReporter(memberId: string, code: string): Promise<ConcernDoc> {
    const c = (await this.vault.isReporter(code, memberId)) ? await this.get(code) : null;
    if (!c) throw new ConcernNotFoundError(code);
    return c;
  }

  private async asReporter<T>(memberId: string, code: string, fn: (c: ConcernDoc) => Promise<T>): Promise<T> {
    if (!(await this.vault.isReporter(code, memberId))) throw new ConcernNotFoundError(code);
    return this.lock.with(code, async () => {
      const c = await this.get(code);
      if (!c) throw new ConcernNotFoundError(code);
      return fn(c);
    });
  }

  /**
   * The worker answers the cadre's question — in words, or with a photo (a payslip, the place),
   * which joins the concern's photos; relayed to the assignee without the worker's identity.
   */
  async answer(memberId: string, code: string, text: string, at: Date, photo?: PhotoRef): Promise<Notice[]> {
    return this.asReporter(memberId, code, async (c) => {
      if (!OPEN_STATUSES.includes(c.status)) throw new ConcernClosedError(code);
      if (photo) {
        // Intake takes up to maxPhotos; answers may bring as many again.
        if ((c.photoRefs?.length ?? 0) >= this.policy.maxPhotos * 2) throw new ConcernStateError('photo_limit');
        c.photoRefs = [...(c.photoRefs ?? []), { channel: photo.channel, ref: photo.ref }];
        c.photos += 1;
      }
      this.event(c, { kind: 'answered', actor: 'reporter', ...(text ? { text } : {}), ...(photo ? { photo: true } : {}) }, at);
      c.awaitingAnswer = false;
      await this.save(c, at);
      if (!c.assigneeId) return [];
      const { t, member } = await this.translatorFor(c.assigneeId);
      const message = { text: t(text ? 'cadre:notify.answered' : 'cadre:notify.answered_photo', { code, text }), locale: member?.locale };
      // Only the new photo follows.
      const photos = photo ? this.noticePhotos(t, c, c.photoRefs!.length - 1) : undefined;
      return [{ memberId: c.assigneeId, key: `concern:${code}:answer:${c.events.length}`, message, ...(photos ? { photos } : {}) }];
    });
  }

  /** The worker rates the handling 1–5, once, after resolution. */
  async rate(memberId: string, code: string, rating: number, at: Date): Promise<void> {
    await this.asReporter(memberId, code, async (c) => {
      if (c.status !== 'resolved') throw new ConcernStateError('not_resolved');
      if (c.rating) throw new ConcernStateError('already_rated');
      c.rating = Math.max(1, Math.min(5, Math.round(rating)));
      this.event(c, { kind: 'rated', actor: 'reporter', text: String(c.rating) }, at);
      await this.save(c, at);
    });
  }

  /** Whether the worker may still reopen (resolved within the reopen window). */
  canReopen(c: ConcernDoc, at: Date): boolean {
    return c.status === 'resolved' && !!c.resolvedAt && at.getTime() - c.resolvedAt.getTime() <= this.policy.reopenDays * DAY;
  }

  /**
   * The worker reopens a resolved concern within the window. It goes back to the cadre who
   * resolved it while they may still handle it (by the routing rules at its unit, or — when the
   * secretariat gave it to them by hand — by the placement rules); otherwise it is routed again
   * (see `routeAgain`), flagged for the secretariat if nobody qualifies. `assigneeId` is the
   * cadre given it, if any, so the worker hears what really happened.
   */
  async reopen(memberId: string, code: string, reason: string, at: Date): Promise<{ notices: Notice[]; assigneeId?: string }> {
    return this.asReporter(memberId, code, async (c) => {
      if (c.status !== 'resolved') throw new ConcernStateError('not_resolved');
      if (!this.canReopen(c, at)) throw new ConcernStateError('reopen_expired');
      if ((await this.openCount(memberId)) >= this.policy.maxOpenPerWorker) throw new TooManyOpenConcernsError(this.policy.maxOpenPerWorker);
      const resolver = [...c.events].reverse().find((e) => e.kind === 'resolved')?.actor ?? c.assigneeId;
      c.status = 'reopened';
      c.resolvedAt = undefined;
      c.rating = undefined;
      this.event(c, { kind: 'reopened', actor: 'reporter', text: reason }, at);
      this.setDeadlines(c, at);
      const route = resolver && (await this.mayKeep(c, resolver, at)) ? { unitId: c.levelUnitId, assigneeId: resolver, flagged: false } : await this.routeAgain(c, at, []);
      const notices = await this.place(c, route, at, 'reopened');
      await this.save(c, at);
      await this.timers.arm(c, at);
      return { notices, assigneeId: c.assigneeId };
    });
  }

  /**
   * Routes a concern again from where it stands: from the concerned unit while it has not been
   * escalated (the company's own units may have a cadre now), else from its current unit, so an
   * escalated concern never drops back down.
   */
  private routeAgain(c: ConcernDoc, at: Date, exclude: string[]): Promise<RouteResult> {
    return this.router.route({ category: c.category, concernedUnitId: c.orgUnitId, fromUnitId: c.level === 0 ? c.orgUnitId : c.levelUnitId, at, exclude });
  }

  /** Whether this cadre may still handle the concern at its unit: by the routing rules, or by the placement rules when the secretariat gave it to them. */
  private async mayKeep(c: ConcernDoc, cadreId: string, at: Date): Promise<boolean> {
    if (await this.router.stillEligible(cadreId, c.category, c.orgUnitId, c.levelUnitId, at)) return true;
    const placedByHand = c.events.some((e) => e.kind === 'assigned' && e.assigneeId === cadreId && e.actor !== 'system');
    return placedByHand && (await this.router.stillPlaceable(cadreId, c.category, c.orgUnitId, at));
  }

  /** The worker agrees that cadres may see who they are, for this concern only. */
  async consentToReveal(memberId: string, code: string, at: Date): Promise<void> {
    await this.asReporter(memberId, code, async (c) => {
      if (!c.anonymous) throw new ConcernStateError('not_anonymous');
      await this.vault.consentToReveal(code, memberId, at);
      this.event(c, { kind: 'identity_consent', actor: 'reporter', internal: true }, at);
      await this.save(c, at);
    });
  }

  // ---------------------------------------------------------------- cadre side

  /** Open concerns assigned to the cadre, nearest deadline first. */
  async inbox(cadreId: string): Promise<ConcernDoc[]> {
    const own = await this.cm.Concern.find({ assigneeId: cadreId, status: { $in: OPEN_STATUSES } }).lean<ConcernDoc[]>();
    // Those they assist on (joint handling) too; the flow marks them (`isAssistant`).
    const list = [...own, ...(await this.assisting(cadreId)).filter((c) => !own.some((o) => o._id === c._id))];
    const next = (c: ConcernDoc) => Math.min(c.respondedAt ? Infinity : (c.firstResponseDue?.getTime() ?? Infinity), c.resolutionDue?.getTime() ?? Infinity);
    return list.sort((a, b) => next(a) - next(b) || a._id.localeCompare(b._id));
  }

  private async refuse(cadreId: string, code: string, action: string, at: Date, key: string, reason: 'not_assignee' | 'not_cadre' = 'not_assignee'): Promise<never> {
    await this.d.audit.record({ actor: cadreId, action: 'concern.refused', target: code, details: { attempted: action, reason }, idempotencyKey: `${code}|${cadreId}|${key}`, at });
    throw reason === 'not_cadre' ? new NotCadreError(code) : new NotAssigneeError(code);
  }

  /** Refuses (and audits) unless the concern is assigned to this member and they are an active cadre. */
  private async assignedTo(cadreId: string, c: ConcernDoc | null, code: string, action: string, at: Date, key: string, o: { orAssistant?: boolean } = {}): Promise<ConcernDoc> {
    if (!isActiveCadre(await this.d.models.Member.findById(cadreId).lean())) return this.refuse(cadreId, code, action, at, key, 'not_cadre');
    if (!c || (c.assigneeId !== cadreId && !(o.orAssistant && this.isAssistant(c, cadreId)))) return this.refuse(cadreId, code, action, at, key);
    return c;
  }

  /** A concern as its assignee sees it (refused and audited for anyone else, or without the `cadre` role), with the reporter's name only if named or consented (audited). */
  async openAsCadre(cadreId: string, code: string, at: Date, key: string): Promise<{ concern: ConcernDoc; reporterName?: string; assisting?: boolean }> {
    const c = await this.assignedTo(cadreId, await this.get(code), code, 'open', at, key, { orAssistant: true });
    // An assisting cadre never learns who raised it, named or not: only the lead may.
    if (this.isAssistant(c, cadreId)) return { concern: c, assisting: true };
    const reporterName = await this.vault.nameForCadre(code, cadreId, at, key);
    return { concern: c, reporterName };
  }

  /** The concern if `cadreId` leads it (its assignee); refused and audited as `action` otherwise. Reveals no reporter. */
  async asLead(cadreId: string, code: string, action: string, at: Date, key: string): Promise<ConcernDoc> {
    return this.assignedTo(cadreId, await this.get(code), code, action, at, key);
  }

  /** The concern's photos for its assignee, captioned in `t`'s language; refused (and audited) for anyone else. */
  async photosForCadre(cadreId: string, code: string, t: Translate, at: Date, key: string): Promise<NoticePhotos> {
    const c = await this.assignedTo(cadreId, await this.get(code), code, 'photos', at, key, { orAssistant: true });
    return this.noticePhotos(t, c);
  }

  /** Cadres the assignee may transfer the concern to: eligible cadres at the same unit. */
  async transferTargets(cadreId: string, code: string, at: Date): Promise<{ memberId: string; name: string }[]> {
    const c = await this.get(code);
    if (!c || c.assigneeId !== cadreId) return [];
    const eligible = await this.router.eligibleAt(c.levelUnitId, c.category, c.orgUnitId, at, [cadreId]);
    const ids = [...new Set(eligible.map((a) => a.memberId))];
    const members = await this.d.models.Member.find({ _id: { $in: ids } }).lean();
    return members.map((m) => ({ memberId: m._id, name: m.displayName ?? m._id })).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }

  /**
   * A cadre acts on a concern; refused (and audited) unless it is assigned to them and they still
   * hold the `cadre` role. `asCaseLead`: the lead of the collective case holding the concern acts on
   * it (the case service checked that they lead it), even if an SLA breach moved it above them.
   */
  async act(cadreId: string, code: string, action: CadreAction, at: Date, key: string, o: { asCaseLead?: boolean } = {}): Promise<Notice[]> {
    return this.lock.with(code, async () => {
      const found = await this.get(code);
      // An assisting cadre (joint handling) may add notes and replies, nothing else.
      if (found && !o.asCaseLead && this.isAssistant(found, cadreId) && (action.kind === 'note' || action.kind === 'reply')) return this.actAsAssistant(cadreId, found, action, at, key);
      const c = await this.assignedTo(cadreId, o.asCaseLead && found ? { ...found, assigneeId: cadreId } : found, code, action.kind, at, key);
      if (o.asCaseLead) c.assigneeId = found!.assigneeId;
      if (!OPEN_STATUSES.includes(c.status) && action.kind !== 'note') throw new ConcernClosedError(code);
      const notices: Notice[] = [];
      const respond = async () => {
        if (c.respondedAt) return;
        c.respondedAt = at;
        c.firstResponseAt ??= at;
        c.slaOutcomes.push({ kind: 'first_response', level: c.level, met: !c.firstResponseDue || at <= c.firstResponseDue });
        await this.timers.cancel(c, ['first_response']);
      };
      switch (action.kind) {
        case 'accept':
          await respond();
          c.status = 'accepted';
          this.event(c, { kind: 'accepted', actor: cadreId }, at);
          notices.push(...(await this.workerNotice(c, 'accepted', at)));
          break;
        case 'reply':
          await respond();
          c.status = 'replied';
          this.event(c, { kind: 'replied', actor: cadreId, text: action.text }, at);
          notices.push(...(await this.workerNotice(c, 'replied', at, { text: action.text })));
          break;
        case 'ask':
          await respond();
          if (c.status !== 'replied') c.status = 'accepted';
          c.awaitingAnswer = true;
          this.event(c, { kind: 'asked', actor: cadreId, text: action.text }, at);
          notices.push(...(await this.workerNotice(c, 'asked', at, { text: action.text })));
          break;
        case 'note':
          this.event(c, { kind: 'note', actor: cadreId, text: action.text, internal: true }, at);
          break;
        case 'transfer': {
          const targets = await this.transferTargets(cadreId, code, at);
          if (!targets.some((x) => x.memberId === action.to)) throw new ConcernStateError('bad_target');
          c.assigneeId = action.to;
          this.event(c, { kind: 'transferred', actor: cadreId, internal: true, assigneeId: action.to }, at);
          notices.push(await this.assignmentNotice(c, action.to, at, 'transferred'));
          break;
        }
        case 'escalate':
          notices.push(...(await this.escalate(c, at, cadreId)));
          break;
        case 'invite': {
          if (!(await this.assistCandidatesOf(c, at)).some((x) => x.memberId === action.to)) throw new ConcernStateError('bad_target');
          notices.push(await this.addAssistant(c, cadreId, action.to, at));
          break;
        }
        case 'resolve':
          await respond();
          c.status = 'resolved';
          c.resolvedAt = at;
          c.summary = action.summary;
          c.awaitingAnswer = false;
          c.slaOutcomes.push({ kind: 'resolution', level: c.level, met: !c.resolutionDue || at <= c.resolutionDue });
          await this.timers.cancel(c);
          this.event(c, { kind: 'resolved', actor: cadreId, text: action.summary }, at);
          notices.push(...(await this.workerNotice(c, 'resolved', at, { text: action.summary, days: this.policy.reopenDays })));
          break;
      }
      await this.save(c, at);
      // An invitation is audited where it is added (`concern.assist.invited`, naming the assistant).
      if (action.kind !== 'invite') await this.d.audit.record({ actor: cadreId, action: `concern.${action.kind}`, target: code, idempotencyKey: `${code}|${key}`, at });
      return notices;
    });
  }

  /**
   * An assisting cadre's note or reply (joint handling), under the concern's lock: the event names
   * them (`assisting`), the reply reaches the reporter through the same sealed relay as the
   * lead's, and the lead is told. A reply counts as the concern's first response (the reporter has
   * been answered), but the lead stays responsible for the SLA: the resolution timers stay theirs.
   * Audited as `concern.assist.note` / `concern.assist.reply`.
   */
  private async actAsAssistant(cadreId: string, found: ConcernDoc, action: { kind: 'note'; text: string } | { kind: 'reply'; text: string }, at: Date, key: string): Promise<Notice[]> {
    const c = await this.assignedTo(cadreId, found, found._id, action.kind, at, key, { orAssistant: true });
    if (!OPEN_STATUSES.includes(c.status) && action.kind !== 'note') throw new ConcernClosedError(c._id);
    const notices: Notice[] = [];
    if (action.kind === 'reply') {
      if (!c.respondedAt) {
        c.respondedAt = at;
        c.firstResponseAt ??= at;
        c.slaOutcomes.push({ kind: 'first_response', level: c.level, met: !c.firstResponseDue || at <= c.firstResponseDue });
        await this.timers.cancel(c, ['first_response']);
      }
      c.status = 'replied';
      this.event(c, { kind: 'replied', actor: cadreId, text: action.text, assisting: true }, at);
      notices.push(...(await this.workerNotice(c, 'replied', at, { text: action.text })));
    } else this.event(c, { kind: 'note', actor: cadreId, text: action.text, internal: true, assisting: true }, at);
    if (c.assigneeId) {
      const { t, member } = await this.translatorFor(c.assigneeId);
      const helper = await this.d.models.Member.findById(cadreId, { displayName: 1 }).lean();
      const text = t(`cadre:notify.assist_${action.kind}`, { code: c._id, name: helper?.displayName ?? cadreId, text: action.text });
      notices.push({ memberId: c.assigneeId, key: `concern:${c._id}:assist-${action.kind}:${c.events.length}`, message: { text, locale: member?.locale } });
    }
    await this.save(c, at);
    await this.d.audit.record({ actor: cadreId, action: `concern.assist.${action.kind}`, target: c._id, details: { lead: c.assigneeId ?? null }, idempotencyKey: `${c._id}|${key}`, at });
    return notices;
  }

  /**
   * Moves the concern to the eligible cadres of the level above (the parent of its unit, or of the
   * concerned unit when it is at the company's own units; further up when that has none), new
   * deadlines at the new level; the worker is told. At the top it stays, flagged.
   */
  private async escalate(c: ConcernDoc, at: Date, actor: string, breach?: { due: Date }): Promise<Notice[]> {
    const parent = await this.router.escalationStart(c.levelUnitId, c.orgUnitId, at);
    if (!parent) {
      if (c.flagged) return [];
      c.flagged = true;
      this.d.metrics?.escalations.inc({ reason: breach ? 'sla' : 'cadre', outcome: 'flagged' });
      this.event(c, { kind: 'flagged', actor, internal: true, unitId: c.levelUnitId, level: c.level, deadline: breach?.due, lateMs: breach ? at.getTime() - breach.due.getTime() : undefined }, at);
      await this.timers.cancel(c);
      return this.flaggedNotices(c, at, 'breached_at_top');
    }
    await this.timers.cancel(c);
    const previous = c.assigneeId;
    const route = await this.router.route({ category: c.category, concernedUnitId: c.orgUnitId, fromUnitId: parent, at, exclude: previous ? [previous] : [] });
    c.level += 1;
    c.status = 'escalated';
    this.d.metrics?.escalations.inc({ reason: breach ? 'sla' : 'cadre', outcome: 'escalated' });
    c.awaitingAnswer = false;
    this.setDeadlines(c, at);
    this.event(c, { kind: 'escalated', actor, unitId: route.unitId, level: c.level, deadline: breach?.due, lateMs: breach ? at.getTime() - breach.due.getTime() : undefined }, at);
    const notices = await this.place(c, route, at, 'escalated');
    await this.timers.arm(c, at);
    notices.push(...(await this.workerNotice(c, 'escalated', at)));
    return notices;
  }

  // ---------------------------------------------------------------- system side

  /** Runs one SLA timer: a reminder to the assignee, or escalation on a breach. Stale timers do nothing. */
  async onTimer(timer: SlaTimer, at: Date): Promise<Notice[]> {
    return this.lock.with(timer.code, async () => {
      const c = await this.get(timer.code);
      if (!c || !OPEN_STATUSES.includes(c.status) || c.slaSeq !== timer.seq || c.level !== timer.level) return [];
      if (timer.kind === 'first_response' && c.respondedAt) return [];
      if (timer.stage === 'reminder') {
        if (!c.assigneeId) return [];
        const { t, member } = await this.translatorFor(c.assigneeId);
        const due = timer.kind === 'first_response' ? c.firstResponseDue : c.resolutionDue;
        this.event(c, { kind: 'reminded', actor: 'system', internal: true, assigneeId: c.assigneeId }, at);
        await this.save(c, at);
        this.d.metrics?.slaReminders.inc({ kind: timer.kind });
        const text = t(`cadre:notify.reminder_${timer.kind}`, { code: c._id, due: due ? formatVnTime(due) : '—' });
        return [{ memberId: c.assigneeId, key: `concern:${c._id}:remind:${timer.kind}:L${c.level}:s${c.slaSeq}`, message: { text, locale: member?.locale } }];
      }
      c.slaOutcomes.push({ kind: timer.kind, level: c.level, met: false });
      const notices = await this.escalate(c, at, 'system:sla', { due: new Date(timer.due) });
      // Lateness counts until the escalation is written, not merely until the job started.
      const written = this.d.clock?.now() ?? at;
      const breach = [...c.events].reverse().find((e) => e.deadline && (e.kind === 'escalated' || e.kind === 'flagged'));
      if (breach?.deadline) breach.lateMs = written.getTime() - breach.deadline.getTime();
      // The breach is in the concern's own history (with its lateness); no separate audit entry.
      await this.save(c, at);
      this.d.metrics?.slaBreaches.inc({ kind: timer.kind });
      return notices;
    });
  }

  /** Creates or updates a cadre assignment; ending one re-routes that cadre's open concerns. */
  async upsertAssignment(a: Omit<CadreAssignmentDoc, 'startedAt' | 'endedAt'> & { startedAt?: Date }, at: Date): Promise<{ notices: Notice[]; rerouted: number }> {
    const before = await this.cm.CadreAssignment.findById(a._id).lean();
    const doc: CadreAssignmentDoc = { ...a, startedAt: before?.startedAt ?? a.startedAt ?? at, endedAt: a.active ? undefined : (before?.endedAt ?? at) };
    await this.cm.CadreAssignment.replaceOne({ _id: a._id }, doc, { upsert: true });
    await this.cadres.changed();
    if (a.active) {
      const member = await this.d.models.Member.findById(a.memberId).lean();
      if (member && !member.roles.includes('cadre')) await this.d.models.Member.updateOne({ _id: a.memberId }, { $set: { roles: [...member.roles, 'cadre'] } });
      return { notices: [], rerouted: 0 };
    }
    return this.rerouteOpenOf(a.memberId, at);
  }

  /** Ends an assignment (the cadre leaves): their open concerns go to other eligible cadres. */
  async endAssignment(assignmentId: string, at: Date): Promise<{ notices: Notice[]; rerouted: number }> {
    const a = await this.cm.CadreAssignment.findById(assignmentId).lean();
    if (!a) throw new Error(`no cadre assignment ${assignmentId}`);
    return this.upsertAssignment({ ...a, active: false }, at);
  }

  /** Routes again the open concerns that had nobody (after new cadres are assigned). */
  async routeFlagged(at: Date): Promise<{ notices: Notice[]; rerouted: number }> {
    const flagged = await this.cm.Concern.find({ flagged: true, status: { $in: OPEN_STATUSES } }, { _id: 1, assigneeId: 1 }).lean();
    const notices: Notice[] = [];
    let rerouted = 0;
    for (const { _id } of flagged.filter((c) => !c.assigneeId)) {
      notices.push(
        ...(await this.lock.with(_id, async () => {
          const c = await this.get(_id);
          if (!c || c.assigneeId || !c.flagged) return [];
          const route = await this.router.route({ category: c.category, concernedUnitId: c.orgUnitId, fromUnitId: c.orgUnitId, at });
          if (route.flagged) return [];
          // Nobody had it before: the cadre is told it waited for a cadre, not that someone left.
          const out = await this.place(c, route, at, 'waiting');
          await this.save(c, at);
          rerouted++;
          return out;
        })),
      );
    }
    return { notices, rerouted };
  }

  /**
   * Gives an open concern to the lead cadre of the collective case it was grouped into (deadlines
   * stay as they are; the lead is told by the case's own notice). An escalated one stays where it
   * is. False when it is no longer open.
   */
  async handOverToCaseLead(code: string, leadId: string, unitId: string, caseId: string, at: Date): Promise<boolean> {
    return this.lock.with(code, async () => {
      const c = await this.get(code);
      if (!c || !OPEN_STATUSES.includes(c.status)) return false;
      // An escalated concern stays above (it never drops back down); the lead still acts on it as lead.
      if (c.assigneeId === leadId || c.level > 0) return true;
      c.assigneeId = leadId;
      c.levelUnitId = unitId;
      c.flagged = false;
      this.event(c, { kind: 'assigned', actor: `system:case:${caseId}`, internal: true, unitId, assigneeId: leadId, level: c.level }, at);
      await this.save(c, at);
      return true;
    });
  }

  /** Open concerns flagged for the secretariat (nobody eligible, or overdue at the top): urgent first, then oldest. */
  async flaggedOpen(): Promise<ConcernDoc[]> {
    const list = await this.cm.Concern.find({ flagged: true, status: { $in: OPEN_STATUSES } }).lean<ConcernDoc[]>();
    return list.sort((a, b) => Number(b.urgent) - Number(a.urgent) || a.createdAt.getTime() - b.createdAt.getTime());
  }

  /**
   * Cadres the secretariat may give a flagged concern to by hand: any active cadre with an active
   * assignment, wherever and whatever it covers (the rules found nobody), except the current
   * assignee and, for categories with the conflict-of-interest exclusion, cadres in conflict with
   * the concerned unit. Those of a responsible organisation come first.
   */
  async placementTargets(code: string, at: Date): Promise<PlacementTarget[]> {
    const c = await this.get(code);
    return c ? this.placementTargetsOf(c, at) : [];
  }

  private async placementTargetsOf(c: ConcernDoc, at: Date): Promise<PlacementTarget[]> {
    const rule = this.policy.categories[c.category];
    if (!rule || !c.flagged || !OPEN_STATUSES.includes(c.status)) return [];
    const fits = (await this.router.placeable(c.category, c.orgUnitId, at)).filter((a) => a.memberId !== c.assigneeId);
    const byMember = new Map<string, CadreAssignmentDoc>();
    for (const a of fits.sort((x, y) => Number(rule.organisations.includes(y.organisation)) - Number(rule.organisations.includes(x.organisation)))) {
      if (!byMember.has(a.memberId)) byMember.set(a.memberId, a);
    }
    const out: PlacementTarget[] = [];
    for (const a of byMember.values()) {
      const m = await this.d.models.Member.findById(a.memberId).lean();
      if (isActiveCadre(m)) out.push({ memberId: a.memberId, name: m.displayName ?? a.memberId, organisation: a.organisation, unitId: a.orgUnitId });
    }
    return out;
  }

  /** The secretariat gives a flagged concern to a cadre: new deadlines from now at its level, the cadre told. Audited. */
  async placeFlagged(actorId: string, code: string, cadreId: string, at: Date): Promise<Notice[]> {
    return this.lock.with(code, async () => {
      const c = await this.get(code);
      if (!c || !(await this.placementTargetsOf(c, at)).some((x) => x.memberId === cadreId)) throw new ConcernStateError('bad_target');
      await this.timers.cancel(c);
      c.assigneeId = cadreId;
      c.flagged = false;
      this.setDeadlines(c, at);
      this.event(c, { kind: 'assigned', actor: actorId, internal: true, unitId: c.levelUnitId, assigneeId: cadreId, level: c.level }, at);
      const notices = [await this.assignmentNotice(c, cadreId, at, 'placed')];
      await this.save(c, at);
      await this.timers.arm(c, at);
      await this.d.audit.record({ actor: actorId, action: 'concern.placed', target: code, details: { assignee: cadreId }, idempotencyKey: `${code}|${c.slaSeq}`, at });
      return notices;
    });
  }

  /**
   * The worker withdrew consent and deleted their data, so their concerns stop being theirs: the
   * sealed link is deleted (audited), what they wrote — description, answers, reasons, photos —
   * is removed, and an open concern is closed as withdrawn, its timers cancelled and its cadre
   * told. Category, units, levels and SLA outcomes stay, for reports that name nobody.
   */
  async forgetReporter(memberId: string, at: Date): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (const code of await this.vault.codesOf(memberId)) {
      const forCode = await this.lock.with(code, async () => {
        const c = await this.get(code);
        const out: Notice[] = [];
        if (c && !c.redactedAt) {
          c.description = '';
          delete c.photoRefs;
          for (const e of c.events) if (e.actor === 'reporter' && e.kind !== 'rated') delete e.text;
          c.redactedAt = at;
          if (OPEN_STATUSES.includes(c.status)) {
            await this.timers.cancel(c);
            c.status = 'withdrawn';
            c.awaitingAnswer = false;
            // Nothing is left for the secretariat to place.
            c.flagged = false;
            this.event(c, { kind: 'withdrawn', actor: 'system' }, at);
            if (c.assigneeId) {
              const { t, member } = await this.translatorFor(c.assigneeId);
              const text = t('cadre:notify.withdrawn', { code: c._id, category: this.categoryLabel(t, c.category) });
              out.push({ memberId: c.assigneeId, key: `concern:${c._id}:withdrawn`, message: { text, locale: member?.locale } });
            }
          }
          await this.save(c, at);
        }
        await this.vault.forget(code, at);
        return out;
      });
      notices.push(...forCode);
    }
    return notices;
  }

  /**
   * The member is no longer a cadre (role revoked, data deleted): every assignment of theirs ends
   * and their open concerns go at once to other eligible cadres, who are told the previous
   * cadre's role ended (or to the secretariat, flagged, when nobody qualifies).
   */
  async endCadre(memberId: string, at: Date): Promise<{ notices: Notice[]; rerouted: number; ended: number }> {
    const mine = await this.cm.CadreAssignment.find({ memberId, active: true }).lean<CadreAssignmentDoc[]>();
    for (const a of mine) await this.cm.CadreAssignment.replaceOne({ _id: a._id }, { ...a, active: false, endedAt: at });
    if (mine.length) await this.cadres.changed();
    await this.dropAssistant(memberId, at);
    return { ...(await this.rerouteOpenOf(memberId, at)), ended: mine.length };
  }

  /** Takes the `cadre` role away (an operator's decision, e.g. misconduct) and ends what came with it (see `endCadre`). */
  async revokeCadreRole(memberId: string, at: Date): Promise<{ notices: Notice[]; rerouted: number; ended: number }> {
    const member = await this.d.models.Member.findById(memberId).lean();
    if (member?.roles.includes('cadre')) await this.d.models.Member.updateOne({ _id: memberId }, { $set: { roles: member.roles.filter((r) => r !== 'cadre') } });
    return this.endCadre(memberId, at);
  }

  /** A cadre who is no longer one stops assisting (joint handling) on every concern; their notes and replies stay in the history. */
  private async dropAssistant(memberId: string, at: Date): Promise<void> {
    for (const { _id } of await this.cm.Concern.find({ assistantIds: memberId }, { _id: 1 }).lean()) {
      await this.lock.with(_id, async () => {
        const c = await this.get(_id);
        if (!c?.assistantIds?.includes(memberId)) return;
        c.assistantIds = c.assistantIds.filter((m) => m !== memberId);
        await this.save(c, at);
      });
    }
  }

  /** Re-routes the open concerns of a cadre who may no longer handle them. */
  async rerouteOpenOf(memberId: string, at: Date): Promise<{ notices: Notice[]; rerouted: number }> {
    const open = await this.cm.Concern.find({ assigneeId: memberId, status: { $in: OPEN_STATUSES } }, { _id: 1 }).lean();
    const notices: Notice[] = [];
    let rerouted = 0;
    for (const { _id } of open) {
      notices.push(
        ...(await this.lock.with(_id, async () => {
          const c = await this.get(_id);
          if (!c || c.assigneeId !== memberId || !OPEN_STATUSES.includes(c.status)) return [];
          if (await this.router.stillEligible(memberId, c.category, c.orgUnitId, c.levelUnitId, at)) return [];
          const route = await this.routeAgain(c, at, [memberId]);
          const out = await this.place(c, route, at, 'rerouted');
          await this.save(c, at);
          await this.d.audit.record({ actor: 'system', action: 'concern.rerouted', target: c._id, details: { from: memberId, to: route.assigneeId ?? null, flagged: route.flagged }, idempotencyKey: `${c._id}|${memberId}|${at.toISOString()}`, at });
          rerouted++;
          return out;
        })),
      );
    }
    return { notices, rerouted };
  }
}
