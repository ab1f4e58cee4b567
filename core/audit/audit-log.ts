/** The audit log: who did what, when — including every view of a person's identity. */
import { createHash } from 'node:crypto';
import type { Models } from '../db.js';

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

  /** Writes one entry (once per idempotency key). */
  async record(e: AuditEntry): Promise<void> {
    const _id = e.idempotencyKey
      ? createHash('sha256').update(`${e.action}|${e.idempotencyKey}`).digest('hex').slice(0, 24)
      : createHash('sha256').update(`${e.action}|${e.at.toISOString()}|${Math.random()}`).digest('hex').slice(0, 24);
    await this.models.Audit.updateOne(
      { _id },
      { $setOnInsert: { at: e.at, actor: e.actor, action: e.action, target: e.target, details: e.details } },
      { upsert: true },
    );
  }
}
