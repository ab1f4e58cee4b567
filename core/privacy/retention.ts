/**
 * Retention: how long each store keeps what it holds, and the daily sweep that enforces it. The
 * local server (FerretDB v1) has no TTL indexes, so a scheduled job deletes what is older than
 * its period, a page of `_id`s at a time (docs/privacy.md, "Retention"). The Redis side (finished
 * message jobs) is cleaned by the job's processor in workers/retention.ts.
 */
import type { Model } from 'mongoose';
import type { BroadcastModels } from '../broadcasts/models.js';
import type { Config } from '../config.js';
import type { Models } from '../db.js';
import { ConversationStore } from '../engine/conversation-store.js';
import { DEFAULT_TZ, type Jobs } from '../jobs.js';
import type { PrivacyKeys } from './privacy-keys.js';

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/** How long each store keeps its documents (from the RETENTION_* variables). */
export interface RetentionPolicy {
  /** `deliveries`: days after the message was queued. */
  deliveriesDays: number;
  /** `conversations`: days idle after which recent replies and the way back are dropped. */
  conversationHistoryDays: number;
  /** `broadcast_records`: days after the broadcast finished (done or cancelled). */
  broadcastRecordsDays: number;
  /** `audit_log`: days after the action. */
  auditLogDays: number;
  /** BullMQ message jobs (`deliver-*`): hours kept once sent. */
  jobsCompletedHours: number;
  /** BullMQ message jobs (`deliver-*`): days kept once failed for good. */
  jobsFailedDays: number;
}

/** The retention periods of a configuration. */
export function retentionPolicyFrom(config: Config): RetentionPolicy {
  return {
    deliveriesDays: config.RETENTION_DELIVERIES_DAYS,
    conversationHistoryDays: config.RETENTION_CONVERSATION_HISTORY_DAYS,
    broadcastRecordsDays: config.RETENTION_BROADCAST_RECORDS_DAYS,
    auditLogDays: config.RETENTION_AUDIT_LOG_DAYS,
    jobsCompletedHours: config.RETENTION_JOBS_COMPLETED_HOURS,
    jobsFailedDays: config.RETENTION_JOBS_FAILED_DAYS,
  };
}

/** How long finished message jobs stay in Redis, in milliseconds. */
export function finishedJobAges(policy: RetentionPolicy): { completedMs: number; failedMs: number } {
  return { completedMs: policy.jobsCompletedHours * HOUR_MS, failedMs: policy.jobsFailedDays * DAY_MS };
}

/** The Jobs queue, scheduler and job name of the daily sweep. */
export const RETENTION_QUEUE = 'retention';
export const RETENTION_SCHEDULER = 'retention-daily';
export const RETENTION_JOB = 'retention.sweep';
/** The sweep's job carries nothing: it reads the policy it was started with. */
export type RetentionJob = Record<string, never>;
/** Every day at 03:00, Vietnam time: the quietest hour. */
export const RETENTION_CRON = '0 3 * * *';

/** Registers the daily sweep (idempotent: registering again keeps one scheduler). */
export async function scheduleRetention(jobs: Jobs): Promise<void> {
  await jobs.repeat(RETENTION_QUEUE, RETENTION_SCHEDULER, { cron: RETENTION_CRON, tz: DEFAULT_TZ }, RETENTION_JOB, {});
}

/** What one sweep removed, per store (counts only: nothing personal is logged). */
export interface RetentionReport {
  deliveries: number;
  conversations: number;
  broadcastRecords: number;
  auditLog: number;
}

/** Documents read and deleted per round trip. */
const PAGE = 500;

export interface RetentionSweepDeps {
  models: Models;
  broadcastModels: BroadcastModels;
  policy: RetentionPolicy;
  /** Conversations keep their replies sealed (core/engine/conversation-seal.ts): opened, emptied, sealed again. */
  keys: PrivacyKeys;
}

/** Deletes (or, for conversations, empties) what the policy no longer keeps, as of `now`. */
export class RetentionSweep {
  constructor(private readonly d: RetentionSweepDeps, private readonly page = PAGE) {}

  async run(now: Date): Promise<RetentionReport> {
    const { policy } = this.d;
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    return {
      deliveries: await this.deleteInPages(this.d.models.Delivery, { createdAt: { $lt: before(policy.deliveriesDays) } }),
      conversations: await this.forgetIdleConversations(before(policy.conversationHistoryDays)),
      broadcastRecords: await this.forgetBroadcastRecords(before(policy.broadcastRecordsDays)),
      auditLog: await this.deleteInPages(this.d.models.Audit, { at: { $lt: before(policy.auditLogDays) } }),
    };
  }

  /**
   * Deletes the documents matching `filter`: reads a page of their `_id`s in `_id` order, then
   * deletes exactly those by `_id`, and goes on after the last one. FerretDB evaluates the
   * filter document by document but deletes by `_id` cheaply; MongoDB uses its indexes.
   */
  private async deleteInPages<T extends { _id: string }>(model: Model<T>, filter: Record<string, unknown>): Promise<number> {
    let removed = 0;
    let after: string | undefined;
    for (;;) {
      const page = await model
        .find(after === undefined ? filter : { $and: [filter, { _id: { $gt: after } }] }, { _id: 1 })
        .sort({ _id: 1 })
        .limit(this.page)
        .lean<{ _id: string }[]>();
      if (page.length === 0) return removed;
      removed += (await model.deleteMany({ _id: { $in: page.map((d) => d._id) } })).deletedCount;
      if (page.length < this.page) return removed;
      after = page[page.length - 1]!._id;
    }
  }

  /** Idle conversations lose their kept replies and way back (ConversationStore.forgetIdle). */
  private forgetIdleConversations(cutoff: Date): Promise<number> {
    return new ConversationStore(this.d.models, this.d.keys).forgetIdle(cutoff, this.page);
  }


  /** Who was sent a broadcast, for broadcasts finished (done or cancelled) before `cutoff`; their counts stay. */
  private async forgetBroadcastRecords(cutoff: Date): Promise<number> {
    const { Broadcast, BroadcastRecord } = this.d.broadcastModels;
    const finished = await Broadcast.find({ finishedAt: { $lt: cutoff } }, { _id: 1 }).lean();
    if (finished.length === 0) return 0;
    return this.deleteInPages(BroadcastRecord, { broadcastId: { $in: finished.map((b) => b._id) } });
  }
}
