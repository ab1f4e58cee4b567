/**
 * The delivery log: one record per message job, written once with its outcome (sent, failed,
 * cancelled). A job in the queue is its own "queued" state, so nothing is written before the
 * outcome. Inserts go through insertNew (lean, so no documents are built); updates through the
 * driver's collection, as records are already in their stored shape.
 */
import type { mongo } from 'mongoose';
import type { DeliveryDoc, Models } from './db.js';
import type { Envelope } from './engine/types.js';
import { insertNew } from './insert-new.js';

/** What a record says about where a message went. */
export type DeliveryTarget = Pick<Envelope, 'channel' | 'chatId' | 'memberId'>;

export class DeliveryLog {
  /** Personal data in a record (docs/privacy.md): the chat it went to and the member. */
  static readonly personalFields = ['chatId', 'memberId'] as const;

  private readonly collection: mongo.Collection<DeliveryDoc>;
  private readonly model: Models['Delivery'];

  constructor(models: Models) {
    this.model = models.Delivery;
    this.collection = models.Delivery.collection as unknown as mongo.Collection<DeliveryDoc>;
  }

  /**
   * Records many sends at once: one insert for the batch, then an update by id for any record
   * that existed already (a job retried after its outcome was written).
   */
  async recordSent(sends: { jobId: string; to: DeliveryTarget; attempts: number }[], sentAt: Date): Promise<void> {
    const docs = sends.map(({ jobId, to, attempts }) => ({ _id: jobId, ...this.target(to), status: 'sent' as const, attempts, sentAt, createdAt: sentAt }));
    const attemptsOf = new Map(sends.map((s) => [s.jobId, s.attempts]));
    for (const id of await insertNew(this.model, docs)) await this.collection.updateOne({ _id: id }, { $set: { status: 'sent', sentAt, attempts: attemptsOf.get(id)! } });
  }

  /** Records one outcome, creating the record if missing (a failure, an unreachable chat). */
  async recordOutcome(jobId: string, to: DeliveryTarget, set: Partial<Omit<DeliveryDoc, '_id'>>): Promise<void> {
    const insert: Partial<DeliveryDoc> = { ...this.target(to), createdAt: new Date() };
    if (!('status' in set)) insert.status = 'queued';
    if (!('attempts' in set)) insert.attempts = 0;
    await this.collection.updateOne({ _id: jobId }, { $setOnInsert: insert, ...(Object.keys(set).length ? { $set: set } : {}) }, { upsert: true });
  }

  /** Records jobs withdrawn before they ran (a cancelled broadcast) as failed, reason "cancelled". */
  async recordCancelled(jobs: { jobId: string; to: DeliveryTarget }[], at: Date): Promise<void> {
    await insertNew(this.model, jobs.map(({ jobId, to }) => ({ _id: jobId, ...this.target(to), status: 'failed' as const, reason: 'cancelled', attempts: 0, createdAt: at })));
  }

  /** Erasure: every record of the member, or of any of their chats. */
  async forget(memberId: string, chats: { channel: string; chatId: string }[]): Promise<void> {
    await this.collection.deleteMany({ $or: [{ memberId }, ...chats.map((c) => ({ channel: c.channel, chatId: c.chatId }))] });
  }

  private target(to: DeliveryTarget): Pick<DeliveryDoc, 'channel' | 'chatId' | 'memberId'> {
    return { channel: to.channel, chatId: to.chatId, ...(to.memberId ? { memberId: to.memberId } : {}) };
  }
}
