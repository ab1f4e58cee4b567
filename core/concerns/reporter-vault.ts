/**
 * The sealed reporter records: which member raised which concern. This is the only module that
 * reads them. Every read of a reporter's identity — to relay a message, or to show a cadre the
 * name of a reporter who is named or consented — is written to the audit log.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Models } from '../db.js';
import { insertNew } from '../insert-new.js';
import type { ConcernModels, ConcernReporterDoc } from './models.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';

export class ReporterVault {
  constructor(private readonly models: Models, private readonly cm: ConcernModels, private readonly audit: AuditLog, private readonly keys: PrivacyKeys) {}

  private tag(memberId: string): string {
    return this.keys.marker('reporter', memberId);
  }

  /** The reporter of a record: opened from its seal (or, for a record not yet resealed, read as written). */
  private reporterOf(rec: ConcernReporterDoc): string {
    return rec.sealed ? this.keys.open(rec.sealed) : rec.memberId!;
  }

  /** Whether a record belongs to this member, without opening it. */
  private belongsTo(rec: ConcernReporterDoc | null, memberId: string): boolean {
    return !!rec && (rec.reporterTag ? rec.reporterTag === this.tag(memberId) : rec.memberId === memberId);
  }

  /** Stores who raised a concern, sealed; a retried intake finds its own record. Returns false if the code belongs to someone else. */
  async seal(code: string, memberId: string, anonymous: boolean, at: Date): Promise<boolean> {
    const existed = await insertNew(this.cm.ConcernReporter, [{ _id: code, sealed: this.keys.seal(memberId), reporterTag: this.tag(memberId), anonymous, createdAt: at }]);
    // Inserted: the record is this member's. Already there: read it (a retried intake, or someone else's code).
    return existed.length === 0 || this.belongsTo(await this.cm.ConcernReporter.findById(code).lean(), memberId);
  }

  /** The worker's own concerns (the worker reading their own list, not an identity view). */
  async codesOf(memberId: string): Promise<string[]> {
    const recs = await this.cm.ConcernReporter.find({ $or: [{ reporterTag: this.tag(memberId) }, { memberId }] }, { _id: 1 }).lean();
    return recs.map((r) => r._id);
  }

  /** Whether this member raised this concern. */
  async isReporter(code: string, memberId: string): Promise<boolean> {
    return this.belongsTo(await this.cm.ConcernReporter.findById(code).lean(), memberId);
  }

  /** The member to relay a message to; audited as a read of the reporter's identity. */
  async relayTarget(code: string, purpose: string, at: Date, key: string): Promise<string | undefined> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    if (!rec) return undefined;
    await this.audit.record({ actor: 'system:relay', action: 'concern.reporter.read', target: code, details: { purpose }, idempotencyKey: `${code}|${key}`, at });
    return this.reporterOf(rec);
  }

  /**
   * Seals records written before sealing, and re-seals those sealed with a previous key
   * (REPORTER_SEAL_KEY_PREVIOUS) under the current one. Returns how many changed.
   */
  async reseal(): Promise<number> {
    let changed = 0;
    let after = '';
    for (;;) {
      const page = await this.cm.ConcernReporter.find({ _id: { $gt: after } }).sort({ _id: 1 }).limit(500).lean();
      if (page.length === 0) return changed;
      for (const rec of page) {
        if (rec.sealed && !this.keys.sealedWithPrevious(rec.sealed)) continue;
        const memberId = this.reporterOf(rec);
        await this.cm.ConcernReporter.updateOne({ _id: rec._id }, { $set: { sealed: this.keys.seal(memberId), reporterTag: this.tag(memberId) }, $unset: { memberId: 1 } });
        changed++;
      }
      after = page.at(-1)!._id;
    }
  }

  /**
   * The reporter's name for a cadre, only when the concern is named or the worker consented to
   * reveal it for this concern; each such view is audited. Anonymous → undefined, nothing read.
   */
  async nameForCadre(code: string, cadreId: string, at: Date, key: string): Promise<string | undefined> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    if (!rec || (rec.anonymous && !rec.revealConsentAt)) return undefined;
    const memberId = this.reporterOf(rec);
    const member = await this.models.Member.findById(memberId).lean();
    await this.audit.record({ actor: cadreId, action: 'concern.reporter.viewed', target: code, details: { basis: rec.anonymous ? 'consent' : 'named' }, idempotencyKey: `${code}|${cadreId}|${key}`, at });
    return member?.status === 'active' ? (member.displayName ?? memberId) : undefined;
  }

  /** Deletes the link from a concern to who raised it (they deleted their data); audited. */
  async forget(code: string, at: Date): Promise<void> {
    await this.cm.ConcernReporter.deleteOne({ _id: code });
    await this.audit.record({ actor: 'system', action: 'concern.reporter.erased', target: code, idempotencyKey: code, at });
  }

  /** Records the worker's explicit consent to reveal who they are, for this one concern. */
  async consentToReveal(code: string, memberId: string, at: Date): Promise<void> {
    if (!(await this.isReporter(code, memberId))) return;
    await this.cm.ConcernReporter.updateOne({ _id: code }, { $set: { revealConsentAt: at } });
    await this.audit.record({ actor: memberId, action: 'concern.reporter.reveal_consent', target: code, idempotencyKey: code, at });
  }

  /** Whether the concern still has a reporter to ask (none once they deleted their data); opens nothing. */
  async hasReporter(code: string): Promise<boolean> {
    return !!(await this.cm.ConcernReporter.findById(code, { _id: 1 }).lean());
  }

  /** Whether the reporter stays hidden from cadres. */
  async isSealed(code: string): Promise<boolean> {
    const rec = await this.cm.ConcernReporter.findById(code).lean();
    return !rec || (rec.anonymous && !rec.revealConsentAt);
  }
}
