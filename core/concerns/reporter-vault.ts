/**
 * The sealed reporter records: which member raised which concern. This is the only module that
 * reads them. Every read of a reporter's identity — to relay a message, or to show a cadre the
 * name of a reporter who is named or consented — is written to the audit log.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Models } from '../db.js';
import { auditOnce } from './audit-once.js';
import { writeGateOf } from '../write-gate.js';
import type { ConcernModels } from './models.js';

export class ReporterVault {
  constructor(private readonly models: Models, private readonly cm: ConcernModels, private readonly audit: AuditLog) {}

  /** Stores who raised a concern; a retried intake finds its own record. Returns false if the code belongs to someone else. */
  async seal(code: string, memberId: string, anonymous: boolean, at: Date): Promise<boolean> {
    await writeGateOf(this.models).run(() => this.cm.ConcernReporter.updateOne({ _id: code }, { $setOnInsert: { memberId, anonymous, createdAt: at } }, { upsert: true }));
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    return rec?.memberId === memberId;
  }

  /** The worker's own concerns (the worker reading their own list, not an identity view). */
  async codesOf(memberId: string): Promise<string[]> {
    const recs = await this.cm.ConcernReporter.find({ memberId }, { _id: 1 }).lean();
    return recs.map((r) => r._id);
  }

  /** Whether this member raised this concern. */
  async isReporter(code: string, memberId: string): Promise<boolean> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    return rec?.memberId === memberId;
  }

  /** The member to relay a message to; audited as a read of the reporter's identity. */
  async relayTarget(code: string, purpose: string, at: Date, key: string): Promise<string | undefined> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    if (!rec) return undefined;
    await auditOnce(this.models, { actor: 'system:relay', action: 'concern.reporter.read', target: code, details: { purpose }, key: `${code}|${key}`, at });
    return rec.memberId;
  }

  /**
   * The reporter's name for a cadre, only when the concern is named or the worker consented to
   * reveal it for this concern; each such view is audited. Anonymous → undefined, nothing read.
   */
  async nameForCadre(code: string, cadreId: string, at: Date, key: string): Promise<string | undefined> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    if (!rec || (rec.anonymous && !rec.revealConsentAt)) return undefined;
    const member = await this.models.Member.findById(rec.memberId).lean();
    await auditOnce(this.models, { actor: cadreId, action: 'concern.reporter.viewed', target: code, details: { basis: rec.anonymous ? 'consent' : 'named' }, key: `${code}|${cadreId}|${key}`, at });
    return member?.status === 'active' ? (member.displayName ?? rec.memberId) : undefined;
  }

  /** Deletes the link from a concern to who raised it (they deleted their data); audited. */
  async forget(code: string, at: Date): Promise<void> {
    await writeGateOf(this.models).run(() => this.cm.ConcernReporter.deleteOne({ _id: code }));
    await auditOnce(this.models, { actor: 'system', action: 'concern.reporter.erased', target: code, key: code, at });
  }

  /** Records the worker's explicit consent to reveal who they are, for this one concern. */
  async consentToReveal(code: string, memberId: string, at: Date): Promise<void> {
    await writeGateOf(this.models).run(() => this.cm.ConcernReporter.updateOne({ _id: code, memberId }, { $set: { revealConsentAt: at } }));
    await this.audit.record({ actor: memberId, action: 'concern.reporter.reveal_consent', target: code, idempotencyKey: code, at });
  }

  /** Whether the reporter stays hidden from cadres. */
  async isSealed(code: string): Promise<boolean> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    return !rec || (rec.anonymous && !rec.revealConsentAt);
  }
}
