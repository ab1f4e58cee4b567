/**
 * Broadcasts for the secretariat: create (validated: content fits the platform, audience not
 * empty, time not past, recurrence rule valid), preview the audience size, list, pause, resume,
 * cancel, and read results. Sending itself is the runner's job (broadcast-runner.ts), started
 * through the Jobs port. Every action needs the secretariat role; refusals are audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import { ROLES, type Models, type Role, type RoleGrant } from '../db.js';
import { STAFF_ROLES, type AccessScope, type Grantee } from '../members/access-scope.js';
import type { Translations } from '../i18n.js';
import type { Jobs } from '../jobs.js';
import { isTopic, type MaterialService } from '../materials/material-service.js';
import { isInEffect } from '../org/org-directory.js';
import { formatVnDate, formatVnTime } from '../vn-time.js';
import { RedisKeys } from '../redis-keys.js';
import type { MaterialDoc } from '../materials/models.js';
import type { AudienceReader, AudienceSize } from './audience.js';
import { BroadcastInputError, NotAuthorizedError } from './broadcast-errors.js';
import { longestMessage, textLimitFor } from './broadcast-message.js';
import { InvalidRecurrenceError, nextRun, parseCron } from './cron-rule.js';
import { type Audience, type BroadcastContent, type BroadcastDoc, type BroadcastModels, type QuietHours, ZERO_COUNTS } from './models.js';
import { DEFAULT_QUIET_HOURS, validateQuietHours } from './quiet-hours.js';

/** Queue and job names of broadcast work on the Jobs port. */
export const BROADCAST_QUEUE = 'broadcasts';
export const RUN_JOB = 'broadcast.run';
export const OCCURRENCE_JOB = 'broadcast.occurrence';

/** What a broadcast job carries (both job names): the broadcast to run or start. */
export interface BroadcastJob {
  broadcastId: string;
}

/** Who asks: a member (with roles and where they hold them) or the operator at the admin CLI. */
export interface Actor {
  id: string;
  roles: readonly Role[] | 'operator';
  grants?: readonly RoleGrant[];
}

const granteeOf = (actor: Actor & { roles: readonly Role[] }): Grantee => ({ _id: actor.id, roles: [...actor.roles], grants: actor.grants });

/** What a new broadcast needs; omitted audience fields mean "anyone". */
export interface NewBroadcast {
  content: BroadcastContent;
  audience: Partial<Audience>;
  /** `at` omitted = now. */
  schedule: { kind: 'once'; at?: Date } | { kind: 'recurring'; cron: string };
  /** Default 21:30–07:00; null sends at any hour. */
  quietHours?: QuietHours | null;
  /** Save without scheduling. */
  draft?: boolean;
}

/** A time this far in the past still counts as "now" (the person took a moment to confirm). */
const PAST_TOLERANCE_MS = 60_000;

/** Whether a one-off time is too far in the past to schedule (a little tolerance for "now"). */
export function isPastTime(at: Date, now: Date): boolean {
  return at.getTime() < now.getTime() - PAST_TOLERANCE_MS;
}

export class BroadcastService {
  constructor(
    private readonly d: {
      models: Models;
      bm: BroadcastModels;
      materials: MaterialService;
      audience: AudienceReader;
      access: AccessScope;
      audit: AuditLog;
      jobs: Jobs;
      redis: Redis;
      redisPrefix: string;
      i18n: Translations;
    },
  ) {}

  /** Redis key that tells a running fan-out to stop ("pause" or "cancel"). */
  private controlKey(id: string): string {
    return new RedisKeys(this.d.redisPrefix).broadcastControl(id);
  }

  /** Throws NotAuthorizedError (and audits the attempt) unless the actor may run secretariat actions. */
  async authorize(actor: Actor, action: string, at: Date, target?: string): Promise<void> {
    if (actor.roles === 'operator' || actor.roles.includes('secretariat') || actor.roles.includes('admin')) return;
    await this.d.audit.record({ actor: actor.id, action: 'secretariat.denied', target, details: { attempted: action }, at });
    throw new NotAuthorizedError(`${actor.id} lacks the secretariat role needed to ${action}`);
  }

  /**
   * Throws BroadcastInputError `out_of_scope` unless the actor's grants reach the audience: a unit
   * inside one of their subtrees, or — for an audience without a unit, everyone — the city level.
   * The operator at the CLI reaches everything. Refusals are audited by the access check.
   */
  async checkScope(actor: Actor, audience: Partial<Audience>, action: string, at: Date): Promise<void> {
    if (actor.roles === 'operator') return;
    const member = granteeOf({ ...actor, roles: actor.roles });
    if (await this.d.access.allows(member, STAFF_ROLES, audience.orgUnitId, at, action)) return;
    const scope = await this.d.access.resolve(member, STAFF_ROLES, at);
    const names = await Promise.all(scope.units.map(async (id) => (await this.d.models.OrgUnit.findById(id).lean())?.name ?? id));
    const unit = audience.orgUnitId ? ((await this.d.models.OrgUnit.findById(audience.orgUnitId).lean())?.name ?? audience.orgUnitId) : undefined;
    throw new BroadcastInputError(
      unit ? 'out_of_scope' : 'out_of_scope_everyone',
      `${actor.id} may broadcast only within ${scope.units.join(', ') || 'no unit'}, not to ${audience.orgUnitId ?? 'everyone'}`,
      { scope: names.join(', '), ...(unit ? { unit } : {}) },
    );
  }

  /** Checks a request and returns it completed with defaults, plus the material it sends. */
  async validate(input: NewBroadcast, now: Date): Promise<{ content: BroadcastContent; audience: Audience; material: MaterialDoc | null; at?: Date; cron?: string; quietHours: QuietHours | null }> {
    const audience: Audience = { topics: [...new Set(input.audience.topics ?? [])], roles: [...new Set(input.audience.roles ?? [])] };
    if (input.audience.orgUnitId) {
      const unit = await this.d.models.OrgUnit.findById(input.audience.orgUnitId).lean();
      if (!unit) throw new BroadcastInputError('unknown_unit', `org unit "${input.audience.orgUnitId}" does not exist`, { unit: input.audience.orgUnitId });
      // A dissolved unit (or one under a dissolved unit) is no target: its people belong elsewhere now.
      const above = unit.ancestors.length ? await this.d.models.OrgUnit.find({ _id: { $in: unit.ancestors } }).lean() : [];
      const ended = [unit, ...above].find((u) => !isInEffect(u, now));
      if (ended) {
        throw new BroadcastInputError('unit_ended', `org unit "${ended._id}" is not in effect at ${now.toISOString()}`, { unit: ended.name, ...(ended.validTo ? { until: formatVnDate(ended.validTo) } : {}) });
      }
      audience.orgUnitId = input.audience.orgUnitId;
    }
    for (const t of audience.topics) if (!isTopic(t)) throw new BroadcastInputError('unknown_topic', `topic "${t}" is not known`, { topic: t });
    for (const r of audience.roles) if (!(ROLES as readonly string[]).includes(r)) throw new BroadcastInputError('unknown_role', `role "${r}" is not known (expected ${ROLES.join(', ')})`, { role: r });
    if (input.audience.locale) audience.locale = input.audience.locale;
    if (input.audience.channel) audience.channel = input.audience.channel;

    let material: MaterialDoc | null = null;
    const content: BroadcastContent = {};
    if (input.content.materialId) {
      material = await this.d.materials.get(input.content.materialId);
      // A material taken out of the library (unpublished) is not sent either.
      if (!material || material.unpublishedAt) throw new BroadcastInputError('unknown_material', `material "${input.content.materialId}" does not exist or is unpublished`, { material: input.content.materialId });
      content.materialId = material._id;
    } else {
      const text = input.content.text?.trim() ?? '';
      if (!text) throw new BroadcastInputError('no_content', 'the broadcast has neither a message nor a material');
      content.text = text;
    }
    const { limit, channel } = textLimitFor(audience.channel);
    const length = longestMessage(content, material, this.d.i18n);
    if (length > limit) {
      // Refused rather than split: one broadcast message is one queued delivery, so the rate
      // limiter (which counts jobs) stays exact.
      throw new BroadcastInputError('too_long', `the message is ${length} characters with its footer; ${channel} accepts ${limit}: shorten it by ${length - limit}`, { length, limit, channel, over: length - limit });
    }

    const quietHours = input.quietHours === undefined ? DEFAULT_QUIET_HOURS : input.quietHours;
    if (quietHours) {
      try {
        validateQuietHours(quietHours);
      } catch (err) {
        throw new BroadcastInputError('bad_quiet_hours', (err as Error).message);
      }
    }

    if (input.schedule.kind === 'once') {
      const at = input.schedule.at ?? now;
      if (isPastTime(at, now)) {
        throw new BroadcastInputError('past_time', `${at.toISOString()} is in the past: pick a time after ${formatVnTime(now)} (Vietnam time)`, { at: formatVnTime(at), now: formatVnTime(now) });
      }
      return { content, audience, material, at, quietHours };
    }
    let cron: string;
    try {
      cron = parseCron(input.schedule.cron, now).pattern;
    } catch (err) {
      if (err instanceof InvalidRecurrenceError) throw new BroadcastInputError('invalid_rule', `invalid recurrence rule "${input.schedule.cron}": ${err.message}`, { rule: input.schedule.cron, ruleError: { code: err.code, params: err.params } });
      throw err;
    }
    return { content, audience, material, cron, quietHours };
  }

  /**
   * How many people an audience reaches now, and how many are skipped and why. With a material,
   * members who turned its topic off are counted as opted out, as the fan-out will skip them.
   */
  async preview(audience: Partial<Audience>, content: BroadcastContent = {}): Promise<AudienceSize> {
    const material = content.materialId ? await this.d.materials.get(content.materialId) : null;
    return this.d.audience.size({ topics: [], roles: [], ...audience }, { materialTopic: material?.topic });
  }

  /**
   * Creates and schedules a broadcast. Refuses an empty audience. With `idempotencyKey` (a chat
   * event id) a replayed request returns the broadcast already created.
   */
  async create(input: NewBroadcast, actor: Actor, opts: { now: Date; idempotencyKey?: string }): Promise<{ broadcast: BroadcastDoc; size: AudienceSize }> {
    await this.authorize(actor, 'create a broadcast', opts.now);
    const v = await this.validate(input, opts.now);
    await this.checkScope(actor, v.audience, 'create a broadcast', opts.now);
    const size = await this.d.audience.size(v.audience, { materialTopic: v.material?.topic });
    if (size.targeted === 0) {
      throw new BroadcastInputError('empty_audience', `nobody would receive this broadcast (${size.optedOut} opted out, ${size.withdrawn} withdrew consent, ${size.unreachable} unreachable): widen the audience`, { ...size });
    }
    const _id = opts.idempotencyKey
      ? 'bc-' + createHash('sha256').update(`${actor.id}|${opts.idempotencyKey}`).digest('hex').slice(0, 12)
      : 'bc-' + randomBytes(6).toString('hex');
    const existing = await this.d.bm.Broadcast.findById(_id).lean<BroadcastDoc>();
    if (existing) return { broadcast: existing, size };
    const doc: BroadcastDoc = {
      _id,
      content: v.content,
      audience: v.audience,
      schedule: v.cron ? { kind: 'recurring', cron: v.cron } : { kind: 'once', at: v.at! },
      quietHours: v.quietHours,
      status: input.draft ? 'draft' : 'scheduled',
      createdBy: actor.id,
      createdAt: opts.now,
      updatedAt: opts.now,
      generation: 0,
      fannedOut: false,
      counts: { ...ZERO_COUNTS },
      expected: size.targeted,
    };
    await this.d.bm.Broadcast.create(doc);
    if (!input.draft) await this.schedule(doc);
    await this.d.audit.record({ actor: actor.id, action: 'broadcast.created', target: _id, details: { audience: v.audience, schedule: doc.schedule, size: size.targeted }, idempotencyKey: opts.idempotencyKey, at: opts.now });
    return { broadcast: doc, size };
  }

  /**
   * Schedules a saved draft — once (now when `at` is omitted) or recurring — after checking the
   * time, the rule, the message and the audience again, as at creation.
   */
  async scheduleDraft(id: string, schedule: NewBroadcast['schedule'], actor: Actor, now: Date): Promise<{ broadcast: BroadcastDoc; size: AudienceSize }> {
    await this.authorize(actor, 'schedule a broadcast', now, id);
    const b = await this.load(id);
    await this.checkScope(actor, b.audience, 'schedule a broadcast', now);
    if (b.status !== 'draft') throw new BroadcastInputError('bad_state', `broadcast ${id} is ${b.status}; only a draft can be scheduled`, { status: b.status });
    const v = await this.validate({ content: b.content, audience: b.audience, schedule, quietHours: b.quietHours }, now);
    const size = await this.d.audience.size(v.audience, { materialTopic: v.material?.topic });
    if (size.targeted === 0) {
      throw new BroadcastInputError('empty_audience', `nobody would receive this broadcast (${size.optedOut} opted out, ${size.withdrawn} withdrew consent, ${size.unreachable} unreachable): widen the audience`, { ...size });
    }
    const scheduled: BroadcastDoc = { ...b, schedule: v.cron ? { kind: 'recurring', cron: v.cron } : { kind: 'once', at: v.at! }, status: 'scheduled', updatedAt: now, expected: size.targeted };
    const res = await this.d.bm.Broadcast.updateOne({ _id: id, status: 'draft' }, { $set: { schedule: scheduled.schedule, status: 'scheduled', updatedAt: now, expected: size.targeted } });
    if (res.matchedCount === 0) throw new BroadcastInputError('bad_state', `broadcast ${id} is no longer a draft`, { status: 'scheduled' });
    await this.schedule(scheduled);
    await this.d.audit.record({ actor: actor.id, action: 'broadcast.scheduled', target: id, details: { schedule: scheduled.schedule, size: size.targeted }, at: now });
    return { broadcast: scheduled, size };
  }

  private async schedule(b: BroadcastDoc): Promise<void> {
    if (b.schedule.kind === 'recurring') {
      await this.d.jobs.repeat(BROADCAST_QUEUE, `bc:${b._id}`, { cron: b.schedule.cron }, OCCURRENCE_JOB, { broadcastId: b._id });
    } else {
      await this.d.jobs.schedule(BROADCAST_QUEUE, RUN_JOB, { broadcastId: b._id }, { id: `bc-run:${b._id}:${b.generation}`, at: b.schedule.at });
    }
  }

  /** One occurrence of a recurring broadcast: a child broadcast (same content and audience) sent now. */
  async startOccurrence(parentId: string, occurrenceKey: string, now: Date): Promise<string | undefined> {
    const parent = await this.d.bm.Broadcast.findById(parentId).lean<BroadcastDoc>();
    if (!parent || parent.status !== 'scheduled' || parent.schedule.kind !== 'recurring') return undefined;
    const _id = `${parentId}-${createHash('sha256').update(occurrenceKey).digest('hex').slice(0, 10)}`;
    const child: BroadcastDoc = {
      _id,
      parentId,
      content: parent.content,
      audience: parent.audience,
      schedule: { kind: 'once', at: now },
      quietHours: parent.quietHours,
      status: 'scheduled',
      createdBy: parent.createdBy,
      createdAt: now,
      updatedAt: now,
      generation: 0,
      fannedOut: false,
      counts: { ...ZERO_COUNTS },
      ...(parent.expected !== undefined ? { expected: parent.expected } : {}),
    };
    await this.d.bm.Broadcast.create(child).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err; // the same occurrence again: the child exists already
    });
    await this.schedule(child);
    return _id;
  }

  async get(id: string): Promise<BroadcastDoc | null> {
    return this.d.bm.Broadcast.findById(id).lean<BroadcastDoc>();
  }

  /** The latest broadcasts, newest first; with an actor, only those addressed inside the actor's scope. */
  async list(limit = 10, actor?: Actor, now = new Date()): Promise<BroadcastDoc[]> {
    const filter: Record<string, unknown> = {};
    if (actor && actor.roles !== 'operator') {
      const scope = await this.d.access.resolve(granteeOf({ ...actor, roles: actor.roles }), STAFF_ROLES, now);
      if (!scope.whole) filter['audience.orgUnitId'] = { $in: scope.unitIds ?? [] };
    }
    return this.d.bm.Broadcast.find(filter).sort({ createdAt: -1, _id: 1 }).limit(limit).lean<BroadcastDoc[]>();
  }

  private async load(id: string): Promise<BroadcastDoc> {
    const b = await this.get(id);
    if (!b) throw new BroadcastInputError('not_found', `broadcast "${id}" does not exist`, { id });
    return b;
  }

  /** Stops sending within seconds; what is already queued for the next few seconds still goes. */
  async pause(id: string, actor: Actor, now: Date): Promise<BroadcastDoc> {
    await this.authorize(actor, 'pause a broadcast', now, id);
    const b = await this.load(id);
    await this.checkScope(actor, b.audience, 'pause a broadcast', now);
    if (!['scheduled', 'sending'].includes(b.status)) throw new BroadcastInputError('bad_state', `broadcast ${id} is ${b.status}; only a scheduled or sending one can be paused`, { status: b.status });
    await this.d.redis.set(this.controlKey(id), 'pause');
    if (b.schedule.kind === 'recurring') await this.d.jobs.removeRepeat(BROADCAST_QUEUE, `bc:${id}`);
    else await this.d.jobs.cancel(BROADCAST_QUEUE, `bc-run:${id}:${b.generation}`);
    await this.d.bm.Broadcast.updateOne({ _id: id }, { $set: { status: 'paused', updatedAt: now } });
    await this.d.audit.record({ actor: actor.id, action: 'broadcast.paused', target: id, at: now });
    return { ...b, status: 'paused' };
  }

  /** Continues a paused broadcast where it stopped (or at its time, if that is still ahead). */
  async resume(id: string, actor: Actor, now: Date): Promise<BroadcastDoc> {
    await this.authorize(actor, 'resume a broadcast', now, id);
    const b = await this.load(id);
    await this.checkScope(actor, b.audience, 'resume a broadcast', now);
    if (b.status !== 'paused') throw new BroadcastInputError('bad_state', `broadcast ${id} is ${b.status}; only a paused one can be resumed`, { status: b.status });
    const status = b.startedAt ? 'sending' : 'scheduled';
    const generation = b.generation + 1;
    await this.d.redis.del(this.controlKey(id));
    await this.d.bm.Broadcast.updateOne({ _id: id }, { $set: { status, generation, updatedAt: now } });
    const next = { ...b, status, generation } as BroadcastDoc;
    if (b.schedule.kind === 'once' && b.schedule.at.getTime() < now.getTime()) next.schedule = { kind: 'once', at: now };
    await this.schedule(next);
    await this.d.audit.record({ actor: actor.id, action: 'broadcast.resumed', target: id, at: now });
    return next;
  }

  /** Cancels for good: nothing more is sent (queued messages are withdrawn); counts stay exact. */
  async cancel(id: string, actor: Actor, now: Date): Promise<BroadcastDoc> {
    await this.authorize(actor, 'cancel a broadcast', now, id);
    const b = await this.load(id);
    await this.checkScope(actor, b.audience, 'cancel a broadcast', now);
    if (['done', 'cancelled'].includes(b.status)) throw new BroadcastInputError('bad_state', `broadcast ${id} is already ${b.status}`, { status: b.status });
    await this.d.redis.set(this.controlKey(id), 'cancel');
    if (b.schedule.kind === 'recurring') await this.d.jobs.removeRepeat(BROADCAST_QUEUE, `bc:${id}`);
    else await this.d.jobs.cancel(BROADCAST_QUEUE, `bc-run:${id}:${b.generation}`);
    const generation = b.generation + 1;
    await this.d.bm.Broadcast.updateOne({ _id: id }, { $set: { status: 'cancelled', generation, updatedAt: now } });
    // A run job withdraws what is still queued and settles the counts (a running one does too).
    if (b.startedAt) await this.d.jobs.schedule(BROADCAST_QUEUE, RUN_JOB, { broadcastId: id }, { id: `bc-run:${id}:${generation}` });
    else await this.d.bm.Broadcast.updateOne({ _id: id }, { $set: { finishedAt: now } });
    await this.d.audit.record({ actor: actor.id, action: 'broadcast.cancelled', target: id, at: now });
    return { ...b, status: 'cancelled', generation };
  }

  /** The broadcast with its counts; `pending` = targeted but not yet settled as sent or failed. */
  async results(id: string, now = new Date()): Promise<{ broadcast: BroadcastDoc; pending: number; nextRun?: Date }> {
    const b = await this.load(id);
    const c = b.counts;
    // Members skipped as unreachable at fan-out count in `unreachable` but were never targeted.
    const pending = Math.max(0, c.targeted - c.sent - c.failed - (b.deliveredUnreachable ?? 0) - c.cancelled);
    const nextAt = b.schedule.kind === 'recurring' && b.status === 'scheduled' ? nextRun(b.schedule.cron, now) : undefined;
    return { broadcast: b, pending, ...(nextAt ? { nextRun: nextAt } : {}) };
  }

  /** Occurrences (children) of a recurring broadcast, newest first. */
  async occurrences(parentId: string, limit = 5): Promise<BroadcastDoc[]> {
    return this.d.bm.Broadcast.find({ parentId }).sort({ createdAt: -1 }).limit(limit).lean<BroadcastDoc[]>();
  }
}
