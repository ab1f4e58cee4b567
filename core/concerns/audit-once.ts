/**
 * Writes an audit entry by insert under the same id AuditLog derives from (action, key): on
 * FerretDB an insert is checked by the primary key, while AuditLog's upsert scans the whole
 * (large) audit collection — this runs on every relay of a concern message.
 */
import { createHash } from 'node:crypto';
import type { Models } from '../db.js';

/** One audit entry, written once per (action, key). */
export async function auditOnce(models: Models, e: { actor: string; action: string; target?: string; details?: Record<string, unknown>; key: string; at: Date }): Promise<void> {
  const _id = createHash('sha256').update(`${e.action}|${e.key}`).digest('hex').slice(0, 24);
  try {
    await models.Audit.create({ _id, at: e.at, actor: e.actor, action: e.action, target: e.target, details: e.details });
  } catch (err) {
    // Already written (a retried job or event): that is the point of the key.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
