/**
 * Collective cases (vụ việc tập thể): when `minConcerns` concerns of one category about one
 * enterprise arrive within `windowDays` (the concerns policy), they are grouped under one lead
 * cadre; the enterprise's secretariat and the level above are told. A worker raising a matching
 * concern is offered to join the case. The lead replies to every reporter at once — each through
 * the sealed relay of their own concern — and resolves the case as a whole.
 *
 * Every write of a case happens under the lock of its enterprise and category (core/redis-lock.ts,
 * keyed by core/redis-keys.ts `caseGroupLock`), and a case's `_id` is derived from its enterprise,
 * category and oldest concern, so concurrent intakes in several processes form one case.
 * A case names no reporter: it lists concern codes; the code → reporter link stays sealed.
 */
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { Models } from '../db.js';
import type { Translate, Translations } from '../i18n.js';
import type { OrgDirectory } from '../org/org-directory.js';
import { RedisKeys } from '../redis-keys.js';
import { RedisLock } from '../redis-lock.js';
import type { ConcernService, Intake } from '../concerns/concern-service.js';
import { OPEN_STATUSES, type ConcernDoc } from '../concerns/models.js';
import type { Notice } from '../concerns/notices.js';
import type { NoticePhotos } from '../concerns/photos.js';
import { CaseStore } from './case-store.js';
import { caseIdFor, groupToForm, pickLead, takesNewConcerns, windowStart, type CaseRule, type GroupCandidate } from './grouping.js';
import type { CaseDoc } from './models.js';

export interface CaseServiceDeps {
  store: CaseStore;
  concerns: ConcernService;
  models: Models;
  org: OrgDirectory;
  audit: AuditLog;
  i18n: Translations;
  redis: Redis;
  redisPrefix: string;
}

/** No such case. */
export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
  constructor(readonly caseId: string) {
    super(`no collective case ${caseId}: check the id (VV- and 6 letters or digits) with case-list`);
  }
}

/** Someone who does not lead the case tried to act on it (refused and audited). */
export class NotCaseLeadError extends Error {
  override name = 'NotCaseLeadError';
  constructor(readonly caseId: string) {
    super(`collective case ${caseId} is led by another cadre: only its lead may act on it`);
  }
}

/** The case is resolved: nothing more can be sent or resolved in it. */
export class CaseClosedError extends Error {
  override name = 'CaseClosedError';
  constructor(readonly caseId: string) {
    super(`collective case ${caseId} is already resolved`);
  }
}

/** The worker already has a concern in the case they asked to join. */
export class AlreadyInCaseError extends Error {
  override name = 'AlreadyInCaseError';
  constructor(readonly code: string) {
    super(`this worker already joined the case with concern ${code}`);
  }
}

/** What a worker raising a concern is told before sending it: others raised the same. */
export interface CaseOffer {
  /** How many concerns the case holds (nobody is named). */
  count: number;
  /** The worker's own concern already in the case, if any (joining again is refused). */
  alreadyIn?: string;
}

/** A case and its concerns, as its lead sees them (no reporter). */
export interface CaseView {
  case: CaseDoc;
  concerns: ConcernDoc[];
}

/** The figures of collective cases for reports, by category and in total (`*`). */
export interface CaseReportRow {
  category: string;
  cases: number;
  open: number;
  resolved: number;
  /** Concerns grouped into these cases. */
  concerns: number;
}

/** Cases counted by category, then the total (`*`). */
export function summariseCases(cases: readonly Pick<CaseDoc, 'category' | 'status' | 'concernCodes'>[]): { rows: CaseReportRow[]; total: CaseReportRow } {
  const row = (category: string, list: readonly Pick<CaseDoc, 'status' | 'concernCodes'>[]): CaseReportRow => ({
    category,
    cases: list.length,
    open: list.filter((c) => c.status === 'open').length,
    resolved: list.filter((c) => c.status === 'resolved').length,
    concerns: list.reduce((n, c) => n + c.concernCodes.length, 0),
  });
  const categories = [...new Set(cases.map((c) => c.category))].sort();
  return { rows: categories.map((cat) => row(cat, cases.filter((c) => c.category === cat))), total: row('*', cases) };
}

export class CaseService {
  private readonly lock: RedisLock;
  private readonly keys: RedisKeys;

  constructor(private readonly d: CaseServiceDeps) {
    this.lock = new RedisLock(d.redis, { ttlMs: 15_000 });
    this.keys = new RedisKeys(d.redisPrefix);
  }

  /** The collective-case rule in force (the concerns policy's `collectiveCases`). */
  get rule(): CaseRule {
    return this.d.concerns.policy.collectiveCases;
  }

  /** Runs `fn` holding the lock of one enterprise's cases of one category. */
  private withGroup<T>(orgUnitId: string, category: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.with(this.keys.caseGroupLock(orgUnitId, category), { waitMs: 30_000, pauseMs: () => 5 + Math.random() * 15 }, fn);
  }

  private async isEnterprise(unitId: string, at: Date): Promise<boolean> {
    return (await this.d.org.get(unitId, at))?.kind === 'enterprise';
  }

  /** The open case a new concern of this category about this enterprise would join, if any. */
  private async joinable(orgUnitId: string, category: string, at: Date): Promise<CaseDoc | undefined> {
    const open = (await this.d.store.about(orgUnitId, category, 'open')).filter((c) => takesNewConcerns(c, at, this.rule));
    return open.sort((a, b) => b.lastConcernAt.getTime() - a.lastConcernAt.getTime())[0];
  }

  /** The member's concern in the case, if they have one (their own list; nothing is revealed to anyone). */
  private async ownIn(memberId: string, c: CaseDoc): Promise<string | undefined> {
    const mine = new Set(await this.d.concerns.vault.codesOf(memberId));
    return c.concernCodes.find((code) => mine.has(code));
  }

  /** What to tell a worker about to raise a concern of `category` about `unitId`: undefined when no case matches. */
  async offerFor(memberId: string, orgUnitId: string, category: string, at: Date): Promise<CaseOffer | undefined> {
    if (!this.d.concerns.policy.categories[category] || !(await this.isEnterprise(orgUnitId, at))) return undefined;
    const c = await this.joinable(orgUnitId, category, at);
    if (!c) return undefined;
    const alreadyIn = await this.ownIn(memberId, c);
    return { count: c.concernCodes.length, ...(alreadyIn ? { alreadyIn } : {}) };
  }

  /**
   * Raises a concern (ConcernService.submit) and places it in a collective case: `join` attaches
   * it to the matching open case (its lead gets it; AlreadyInCaseError when the worker is in it
   * already); `separate` keeps it apart; otherwise — nobody was offered a case — it joins an open
   * case formed meanwhile, or forms one with the others when there are enough.
   * `caseId` is the case it is in, `formed` when this concern completed a new one.
   */
  async submit(i: Intake, choice?: 'join' | 'separate'): Promise<{ concern: ConcernDoc; notices: Notice[]; caseId?: string; formed?: boolean }> {
    if (choice === 'join' && (await this.isEnterprise(i.orgUnitId, i.at))) {
      const joined = await this.withGroup(i.orgUnitId, i.category, async () => {
        const c = await this.joinable(i.orgUnitId, i.category, i.at);
        if (!c) return undefined;
        const already = await this.ownIn(i.memberId, c);
        if (already) throw new AlreadyInCaseError(already);
        const { concern, notices } = await this.d.concerns.submit({ ...i, ...(c.leadId && c.leadUnitId ? { lead: { memberId: c.leadId, unitId: c.leadUnitId } } : {}) });
        notices.push(...(await this.attach(c, concern, i.at, 'reporter')));
        return { concern, notices, caseId: c._id };
      });
      // The case was resolved (or its window passed) while the worker wrote: grouped as usual.
      if (joined) return joined;
    }
    const { concern, notices } = await this.d.concerns.submit(i);
    if (choice === 'separate') return { concern, notices };
    const grouped = await this.group(concern, i.at);
    return { concern, notices: [...notices, ...grouped.notices], ...(grouped.caseId ? { caseId: grouped.caseId, formed: grouped.formed } : {}) };
  }

  /** Adds a concern to an open case (under its lock), gives it to the lead, tells the lead. */
  private async attach(c: CaseDoc, concern: ConcernDoc, at: Date, actor: 'reporter' | 'system'): Promise<Notice[]> {
    if (c.concernCodes.includes(concern._id)) return [];
    // Who had the concern before: a lead who did not gets its photos with the notice below.
    const hadIt = concern.assigneeId;
    c.concernCodes.push(concern._id);
    if (concern.createdAt.getTime() > c.lastConcernAt.getTime()) c.lastConcernAt = concern.createdAt;
    c.events.push({ at, kind: 'joined', actor, code: concern._id });
    c.updatedAt = at;
    if (c.leadId && c.leadUnitId) await this.d.concerns.handOverToCaseLead(concern._id, c.leadId, c.leadUnitId, c._id, at);
    else if (concern.assigneeId) {
      // Nobody led it: the first cadre to get one of its concerns leads it from now on.
      c.leadId = concern.assigneeId;
      c.leadUnitId = concern.levelUnitId;
      c.events.push({ at, kind: 'lead_changed', actor: 'system' });
    }
    await this.d.store.save(c);
    // The worker is "reporter", never named: the audit log must not tie a member to a case.
    await this.d.audit.record({ actor, action: 'case.joined', target: c._id, details: { code: concern._id }, idempotencyKey: `${c._id}|${concern._id}`, at });
    if (!c.leadId) return [];
    const { t, locale } = await this.translatorFor(c.leadId);
    const text = t('cases:staff.notify.joined', { caseId: c._id, code: concern._id, count: c.concernCodes.length, category: t(`concern:category.${c.category}`) });
    const photos = hadIt !== c.leadId && concern.photoRefs?.length ? this.d.concerns.noticePhotos(t, concern) : undefined;
    return [{ memberId: c.leadId, key: `case:${c._id}:joined:${concern._id}`, message: { text, locale }, ...(photos ? { photos } : {}) }];
  }

  /** Puts a new concern in a case when one is open, or forms one when enough have arrived (idempotent). */
  private async group(concern: ConcernDoc, at: Date): Promise<{ notices: Notice[]; caseId?: string; formed?: boolean }> {
    if (!OPEN_STATUSES.includes(concern.status) || !(await this.isEnterprise(concern.orgUnitId, at))) return { notices: [] };
    return this.withGroup(concern.orgUnitId, concern.category, async () => {
      const all = await this.d.store.about(concern.orgUnitId, concern.category);
      const holding = all.find((c) => c.concernCodes.includes(concern._id));
      if (holding) return { notices: [], caseId: holding._id };
      const open = await this.joinable(concern.orgUnitId, concern.category, at);
      if (open) return { notices: await this.attach(open, concern, at, 'system'), caseId: open._id };
      const grouped = new Set(all.flatMap((c) => c.concernCodes));
      const candidates = (await this.openAbout(concern.orgUnitId, concern.category, windowStart(at, this.rule))).filter((c) => !grouped.has(c.code));
      const group = groupToForm(candidates, at, this.rule);
      if (!group) return { notices: [] };
      return this.form(concern.orgUnitId, concern.category, group, at);
    });
  }

  /** Open concerns of a category about a unit raised since `from`, with their cadre and where they handle it. */
  private async openAbout(orgUnitId: string, category: string, from: Date): Promise<(GroupCandidate & { levelUnitId: string })[]> {
    const list = await this.d.concerns.cm.Concern.find({ orgUnitId, category, status: { $in: OPEN_STATUSES }, createdAt: { $gte: from } }, { _id: 1, createdAt: 1, assigneeId: 1, levelUnitId: 1 }).lean<ConcernDoc[]>();
    return list.map((c) => ({ code: c._id, createdAt: c.createdAt, levelUnitId: c.levelUnitId, ...(c.assigneeId ? { assigneeId: c.assigneeId } : {}) }));
  }

  /** Forms a case of `group` (oldest first): a lead, the concerns given to them, the lead and the secretariat told. */
  private async form(orgUnitId: string, category: string, group: (GroupCandidate & { levelUnitId: string })[], at: Date): Promise<{ notices: Notice[]; caseId: string; formed: boolean }> {
    const withCadre = group.find((c) => c.assigneeId);
    const routed = withCadre ? undefined : await this.d.concerns.router.route({ category, concernedUnitId: orgUnitId, fromUnitId: orgUnitId, at });
    const leadId = pickLead(group, routed?.assigneeId);
    const leadUnitId = withCadre ? withCadre.levelUnitId : routed?.assigneeId ? routed.unitId : undefined;
    const doc: CaseDoc = {
      _id: caseIdFor(orgUnitId, category, group[0]!.code),
      orgUnitId,
      category,
      status: 'open',
      ...(leadId && leadUnitId ? { leadId, leadUnitId } : {}),
      concernCodes: group.map((c) => c.code),
      lastConcernAt: group.at(-1)!.createdAt,
      events: [{ at, kind: 'formed', actor: 'system' }],
      createdAt: at,
      updatedAt: at,
    };
    if (!(await this.d.store.insert(doc))) return { notices: [], caseId: doc._id, formed: false };
    if (doc.leadId && doc.leadUnitId) for (const code of doc.concernCodes) await this.d.concerns.handOverToCaseLead(code, doc.leadId, doc.leadUnitId, doc._id, at);
    await this.d.audit.record({ actor: 'system', action: 'case.formed', target: doc._id, details: { unit: orgUnitId, category, concerns: doc.concernCodes.length, lead: doc.leadId ?? null }, idempotencyKey: doc._id, at });
    // The lead was told of each concern they already had, with its photos; the others' photos come with the case.
    const newToLead = group.filter((g) => g.assigneeId !== doc.leadId).map((g) => g.code);
    return { notices: await this.formedNotices(doc, at, newToLead), caseId: doc._id, formed: true };
  }

  private async translatorFor(memberId: string): Promise<{ t: Translate; locale?: string }> {
    const m = await this.d.models.Member.findById(memberId, { locale: 1 }).lean();
    return { t: this.d.i18n.for(m?.locale ?? this.d.i18n.defaultLocale), ...(m?.locale ? { locale: m.locale } : {}) };
  }

  /**
   * Who is told when a case forms: the secretariat of the enterprise — the nearest unit at or above
   * it where someone holds the `secretariat` role — and that of the next unit above with one.
   * When nobody holds it at any unit, the top unit's secretariat (as for flagged concerns).
   */
  async alertees(orgUnitId: string, at: Date): Promise<string[]> {
    const chain = await this.d.concerns.router.chainFrom(orgUnitId, at);
    const staff = await this.d.models.Member.find({ roles: 'secretariat', status: 'active' }, { grants: 1, orgUnitId: 1 }).lean();
    const heldAt = (unitId: string) => staff.filter((m) => (m.grants ? m.grants.some((g) => g.role === 'secretariat' && g.unitId === unitId) : m.orgUnitId === unitId)).map((m) => m._id);
    const out: string[] = [];
    let levels = 0;
    for (const unitId of chain) {
      const here = heldAt(unitId);
      if (here.length === 0) continue;
      out.push(...here.filter((id) => !out.includes(id)));
      if (++levels === 2) break;
    }
    return out.length ? out : this.d.concerns.router.secretariatOf(chain.at(-1) ?? orgUnitId);
  }

  /** The photos of the concerns `codes` (those with any), captioned in `t`'s language, as one notice's photos. */
  private async photosOf(codes: string[], t: Translate): Promise<NoticePhotos | undefined> {
    const parts: NoticePhotos[] = [];
    for (const code of codes) {
      const c = await this.d.concerns.get(code);
      if (c?.photoRefs?.length) parts.push(this.d.concerns.noticePhotos(t, c));
    }
    if (parts.length === 0) return undefined;
    return { refs: parts.flatMap((p) => p.refs), captions: parts.flatMap((p) => p.captions), unavailable: parts[0]!.unavailable };
  }

  private async formedNotices(c: CaseDoc, at: Date, newToLead: string[] = []): Promise<Notice[]> {
    const notices: Notice[] = [];
    const leadName = c.leadId ? ((await this.d.models.Member.findById(c.leadId, { displayName: 1 }).lean())?.displayName ?? c.leadId) : undefined;
    const vars = async (t: Translate) => ({
      caseId: c._id,
      category: t(`concern:category.${c.category}`),
      unit: await this.d.concerns.unitName(c.orgUnitId, at),
      count: c.concernCodes.length,
      days: this.rule.windowDays,
      codes: c.concernCodes.join(', '),
      lead: leadName ?? t('cases:staff.no_lead'),
    });
    if (c.leadId) {
      const { t, locale } = await this.translatorFor(c.leadId);
      const photos = await this.photosOf(newToLead, t);
      notices.push({ memberId: c.leadId, key: `case:${c._id}:formed:lead`, message: { text: t('cases:staff.notify.lead', await vars(t)), locale }, ...(photos ? { photos } : {}) });
    }
    for (const memberId of await this.alertees(c.orgUnitId, at)) {
      if (memberId === c.leadId) continue;
      const { t, locale } = await this.translatorFor(memberId);
      notices.push({ memberId, key: `case:${c._id}:formed:${memberId}`, message: { text: t('cases:staff.notify.formed', await vars(t)), locale } });
    }
    return notices;
  }

  // ---------------------------------------------------------------- the lead

  async get(caseId: string): Promise<CaseDoc | null> {
    return this.d.store.get(caseId);
  }

  /** Open cases led by this cadre, newest first. */
  async ledBy(cadreId: string): Promise<CaseDoc[]> {
    return (await this.d.store.ledBy(cadreId)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** The case if this cadre leads it; refused (and audited) otherwise. */
  private async asLead(cadreId: string, caseId: string, action: string, at: Date, key: string): Promise<CaseDoc> {
    const c = await this.d.store.get(caseId);
    if (!c) throw new CaseNotFoundError(caseId);
    if (c.leadId !== cadreId) {
      await this.d.audit.record({ actor: cadreId, action: 'case.refused', target: caseId, details: { attempted: action, reason: 'not_lead' }, idempotencyKey: `${caseId}|${cadreId}|${key}`, at });
      throw new NotCaseLeadError(caseId);
    }
    return c;
  }

  /** The case and its concerns, for its lead (codes and what the concerns say; never who raised them). */
  async view(cadreId: string, caseId: string, at: Date, key: string): Promise<CaseView> {
    const c = await this.asLead(cadreId, caseId, 'open', at, key);
    const concerns = await Promise.all(c.concernCodes.map((code) => this.d.concerns.get(code)));
    return { case: c, concerns: concerns.filter((x): x is ConcernDoc => x !== null) };
  }

  /**
   * The lead replies to every reporter of the case at once, or resolves it as a whole: the action
   * runs on each open concern as a single cadre action would (ConcernService.act), so each reporter
   * is told through the sealed relay of their own concern. Returns the notices and how many
   * concerns it reached.
   */
  async leadAction(cadreId: string, caseId: string, action: { kind: 'reply'; text: string } | { kind: 'resolve'; summary: string }, at: Date, key: string): Promise<{ notices: Notice[]; concerns: number }> {
    const first = await this.asLead(cadreId, caseId, action.kind, at, key);
    return this.withGroup(first.orgUnitId, first.category, async () => {
      const c = (await this.d.store.get(caseId))!;
      if (c.leadId !== cadreId) return this.asLead(cadreId, caseId, action.kind, at, key).then(() => ({ notices: [], concerns: 0 }));
      if (c.status !== 'open') throw new CaseClosedError(caseId);
      const notices: Notice[] = [];
      let reached = 0;
      for (const code of c.concernCodes) {
        const concern = await this.d.concerns.get(code);
        if (!concern || !OPEN_STATUSES.includes(concern.status)) continue;
        const one = action.kind === 'reply' ? { kind: 'reply' as const, text: action.text } : { kind: 'resolve' as const, summary: action.summary };
        notices.push(...(await this.d.concerns.act(cadreId, code, one, at, `${key}|${code}`, { asCaseLead: true })));
        reached++;
      }
      const text = action.kind === 'reply' ? action.text : action.summary;
      c.events.push({ at, kind: action.kind === 'reply' ? 'replied' : 'resolved', actor: cadreId, text });
      if (action.kind === 'resolve') {
        c.status = 'resolved';
        c.resolvedAt = at;
        c.summary = action.summary;
      }
      c.updatedAt = at;
      await this.d.store.save(c);
      await this.d.audit.record({ actor: cadreId, action: `case.${action.kind === 'reply' ? 'replied' : 'resolved'}`, target: caseId, details: { concerns: reached }, idempotencyKey: `${caseId}|${key}`, at });
      return { notices, concerns: reached };
    });
  }

  // ---------------------------------------------------------------- operators, reports, erasure

  /** Cases about a unit's subtree (all when no unit is given), newest first. */
  async list(unitId: string | undefined, at: Date): Promise<CaseDoc[]> {
    return this.d.store.list(unitId ? await this.d.org.idsUnder([unitId], at) : undefined);
  }

  /** Collective cases counted by category (the concern report's "collective cases" section). */
  async report(): Promise<{ rows: CaseReportRow[]; total: CaseReportRow }> {
    return summariseCases(await this.d.store.list());
  }

  /**
   * A reporter deleted their data: their concerns leave the cases they were in (the codes go from
   * the list and from the case's history). The case itself stays, with the others' concerns.
   */
  async forgetConcerns(codes: readonly string[], at: Date): Promise<void> {
    for (const held of await this.d.store.holding(codes)) {
      await this.withGroup(held.orgUnitId, held.category, async () => {
        const c = await this.d.store.get(held._id);
        if (!c) return;
        const gone = c.concernCodes.filter((code) => codes.includes(code));
        if (gone.length === 0) return;
        c.concernCodes = c.concernCodes.filter((code) => !codes.includes(code));
        for (const e of c.events) if (e.code && codes.includes(e.code)) delete e.code;
        for (let n = 0; n < gone.length; n++) c.events.push({ at, kind: 'withdrawn', actor: 'system' });
        c.updatedAt = at;
        await this.d.store.save(c);
      });
    }
  }

  /**
   * The lead may no longer lead (their role ended, or they deleted their data; their concerns were
   * already handed on): each open case they led goes to the cadre now handling its oldest open
   * concern, who is told; a case whose concerns have nobody waits for the secretariat.
   */
  async leadLeft(memberId: string, at: Date): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (const led of await this.d.store.ledBy(memberId)) {
      notices.push(
        ...(await this.withGroup(led.orgUnitId, led.category, async () => {
          const c = await this.d.store.get(led._id);
          if (!c || c.leadId !== memberId || c.status !== 'open') return [];
          const concerns = (await Promise.all(c.concernCodes.map((code) => this.d.concerns.get(code)))).filter((x): x is ConcernDoc => !!x && OPEN_STATUSES.includes(x.status));
          const next = concerns.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).find((x) => x.assigneeId && x.assigneeId !== memberId);
          delete c.leadId;
          delete c.leadUnitId;
          if (next) {
            c.leadId = next.assigneeId!;
            c.leadUnitId = next.levelUnitId;
          }
          c.events.push({ at, kind: 'lead_changed', actor: 'system' });
          c.updatedAt = at;
          await this.d.store.save(c);
          if (!c.leadId) return [];
          for (const x of concerns) await this.d.concerns.handOverToCaseLead(x._id, c.leadId, c.leadUnitId!, c._id, at);
          const { t, locale } = await this.translatorFor(c.leadId);
          const text = t('cases:staff.notify.lead_changed', { caseId: c._id, count: c.concernCodes.length, category: t(`concern:category.${c.category}`), unit: await this.d.concerns.unitName(c.orgUnitId, at) });
          return [{ memberId: c.leadId, key: `case:${c._id}:lead:${c.leadId}:${c.events.length}`, message: { text, locale } }];
        })),
      );
    }
    return notices;
  }
}
