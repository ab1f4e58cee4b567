/** The audit log: who did what, when — including every view of a person's identity. */
import { createHash } from 'node:crypto';
import type { AuditDoc, Models } from '../db.js';
import { insertNew } from '../insert-new.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  /** When given, the entry's id derives from it so a replayed event writes one entry. */
  idempotencyKey?: string;
  at: Date;
}

export class AuditLog {
  constructor(private readonly models: Models) {}

  /**
   * Writes one entry (once per idempotency key): an insert, checked by the `_id` index; an entry
   * a replay already wrote is left as it is (the duplicate key is ignored).
   */
  async record(e: AuditEntry): Promise<void> {
    const _id = e.idempotencyKey
      ? createHash('sha256').update(`${e.action}|${e.idempotencyKey}`).digest('hex').slice(0, 24)
      : createHash('sha256').update(`${e.action}|${e.at.toISOString()}|${Math.random()}`).digest('hex').slice(0, 24);
    const doc: AuditDoc = { _id, at: e.at, actor: e.actor, action: e.action };
    if (e.target !== undefined) doc.target = e.target;
    if (e.details !== undefined) doc.details = e.details;
    await insertNew(this.models.Audit, [doc]);
  }
}
