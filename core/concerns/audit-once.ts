/**
 * Writes an audit entry by insert under the same id AuditLog derives from (action, key): on
 * FerretDB an insert is checked by the primary key, while AuditLog's upsert scans the whole
 * (large) audit collection — this runs on every relay of a concern message. Entries written at
 * the same moment (SLA escalations run side by side) share one insert (group commit).
 */
import { createHash } from 'node:crypto';
import type { AuditDoc, Models } from '../db.js';
import { insertNew } from '../insert-new.js';
import { GroupCommit } from './group-commit.js';
import { writeGateOf } from '../write-gate.js';

const writers = new WeakMap<Models, GroupCommit<AuditDoc>>();

function writerFor(models: Models): GroupCommit<AuditDoc> {
  let w = writers.get(models);
  if (!w) {
    // Entries already written (a retried job or event) are what the ids are for; anything else fails the batch.
    w = new GroupCommit<AuditDoc>(async (docs) => void (await writeGateOf(models).run(() => insertNew(models.Audit, docs))));
    writers.set(models, w);
  }
  return w;
}

/** One audit entry, written once per (action, key). */
export async function auditOnce(models: Models, e: { actor: string; action: string; target?: string; details?: Record<string, unknown>; key: string; at: Date }): Promise<void> {
  const _id = createHash('sha256').update(`${e.action}|${e.key}`).digest('hex').slice(0, 24);
  const doc: AuditDoc = { _id, at: e.at, actor: e.actor, action: e.action };
  if (e.target !== undefined) doc.target = e.target;
  if (e.details !== undefined) doc.details = e.details;
  await writerFor(models).add(doc);
}
