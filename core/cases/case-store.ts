/**
 * Where collective cases live (the only importer of ./models.ts). Writes happen under the case's
 * group lock (core/cases/case-service.ts), so a read-modify-write here is never interleaved.
 */
import { insertNew } from '../insert-new.js';
import type { CaseDoc, CaseModels } from './models.js';

export class CaseStore {
  /**
   * The personal fields of each collection (core/privacy/member-erasure.ts declares them): the
   * concern codes of a reporter (erasure takes theirs out), the lead cadre, cadres as actors.
   */
  static readonly personalFields = {
    collective_cases: ['concernCodes', 'leadId', 'events.actor', 'events.code'],
  } as const;

  constructor(private readonly m: CaseModels) {}

  /** Creates the indexes (called once at start). */
  async init(): Promise<void> {
    await this.m.Case.init();
  }

  /** Inserts a new case; false when a case with this `_id` already exists (formed by another process). */
  async insert(doc: CaseDoc): Promise<boolean> {
    return (await insertNew(this.m.Case, [doc])).length === 0;
  }

  async get(id: string): Promise<CaseDoc | null> {
    return this.m.Case.findById(id).lean<CaseDoc>();
  }

  async save(doc: CaseDoc): Promise<void> {
    await this.m.Case.replaceOne({ _id: doc._id }, doc);
  }

  /** The cases about one enterprise and category, of a status when given. */
  async about(orgUnitId: string, category: string, status?: CaseDoc['status']): Promise<CaseDoc[]> {
    return this.m.Case.find({ orgUnitId, category, ...(status ? { status } : {}) }).lean<CaseDoc[]>();
  }

  /** Open cases led by a cadre. */
  async ledBy(leadId: string): Promise<CaseDoc[]> {
    return this.m.Case.find({ leadId, status: 'open' }).lean<CaseDoc[]>();
  }

  /** Cases about these units (all when none given), newest first. */
  async list(unitIds?: readonly string[]): Promise<CaseDoc[]> {
    const all = await this.m.Case.find(unitIds ? { orgUnitId: { $in: unitIds } } : {}).lean<CaseDoc[]>();
    return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a._id.localeCompare(b._id));
  }

  /** Cases holding any of these concern codes. */
  async holding(codes: readonly string[]): Promise<CaseDoc[]> {
    if (codes.length === 0) return [];
    return this.m.Case.find({ concernCodes: { $in: codes } }).lean<CaseDoc[]>();
  }
}
