/** The secretariat's concern list on the real MongoDB-wire server: filters as plain values, overdue as slaState says, newest first, pages. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { ConcernReader, concernQuery, isOverdue, slaState, type ConcernFilter } from './concern-reader.js';
import { bindConcernModels, type ConcernDoc } from './models.js';

let db: TestDb;
let reader: ConcernReader;
const NOW = new Date('2026-11-25T02:00:00Z');
const h = (hours: number) => new Date(NOW.getTime() + hours * 3600_000);

function concern(id: string, o: Partial<ConcernDoc>): ConcernDoc {
  return {
    _id: id,
    category: 'wages',
    orgUnitId: 'ent-a',
    levelUnitId: 'ent-a',
    level: 0,
    flagged: false,
    urgent: false,
    anonymous: true,
    status: 'received',
    description: 'một mô tả đủ dài',
    photos: 0,
    awaitingAnswer: false,
    slaOutcomes: [],
    slaSeq: 1,
    events: [],
    intakeKey: `k-${id}`,
    firstResponseDue: h(2),
    resolutionDue: h(48),
    createdAt: h(-1),
    updatedAt: h(-1),
    ...o,
  };
}

const docs: ConcernDoc[] = [
  concern('PA-AAAA', { createdAt: h(-10) }),
  // First response missed.
  concern('PA-BBBB', { createdAt: h(-9), firstResponseDue: h(-1) }),
  // Responded late at this level: the first-response deadline no longer counts, resolution ahead.
  concern('PA-CCCC', { createdAt: h(-8), status: 'accepted', firstResponseDue: h(-1), respondedAt: h(-0.5) }),
  // Resolution missed.
  concern('PA-DDDD', { createdAt: h(-7), status: 'replied', respondedAt: h(-6), resolutionDue: h(-0.1), category: 'overtime', orgUnitId: 'ent-b', levelUnitId: 'zone', level: 1 }),
  // Resolved after its deadline: never overdue.
  concern('PA-EEEE', { createdAt: h(-6), status: 'resolved', resolutionDue: h(-3), resolvedAt: h(-2), slaOutcomes: [{ kind: 'resolution', level: 0, met: false }] }),
  concern('PA-FFFF', { createdAt: h(-5), flagged: true, orgUnitId: '{"$gt": ""}', levelUnitId: 'city' }),
];

beforeAll(async () => {
  db = await openTestDb();
  const cm = bindConcernModels(db.conn);
  await cm.Concern.init();
  // Escalation sets respondedAt to undefined and saves: stored as null or left out. Both count as "not responded".
  await cm.Concern.insertMany(docs);
  await cm.Concern.collection.updateOne({ _id: 'PA-BBBB' as never }, { $set: { respondedAt: null } });
  reader = new ConcernReader(cm);
});
afterAll(async () => db?.close());

const codes = async (f: ConcernFilter) => (await reader.page(f, NOW, 1, 50)).concerns.map((c) => c._id);

describe('concern reader', () => {
  it('lists newest first without the heavy fields, and pages', async () => {
    const all = await reader.page({}, NOW, 1, 4);
    expect(all.concerns.map((c) => c._id)).toEqual(['PA-FFFF', 'PA-EEEE', 'PA-DDDD', 'PA-CCCC']);
    expect(all.hasNext).toBe(true);
    expect(Object.keys(all.concerns[0]!)).not.toContain('description');
    expect(Object.keys(all.concerns[0]!)).not.toContain('events');
    const second = await reader.page({}, NOW, 2, 4);
    expect(second.concerns.map((c) => c._id)).toEqual(['PA-BBBB', 'PA-AAAA']);
    expect(second.hasNext).toBe(false);
  });

  it('filters by status, open, category, units, level and flagged as plain values', async () => {
    expect(await codes({ status: 'resolved' })).toEqual(['PA-EEEE']);
    expect(await codes({ status: 'open' })).toEqual(['PA-FFFF', 'PA-DDDD', 'PA-CCCC', 'PA-BBBB', 'PA-AAAA']);
    expect(await codes({ category: 'overtime' })).toEqual(['PA-DDDD']);
    expect(await codes({ unitIds: ['ent-b'] })).toEqual(['PA-DDDD']);
    expect(await codes({ unitIds: [] })).toEqual([]);
    expect(await codes({ level: 1 })).toEqual(['PA-DDDD']);
    expect(await codes({ flagged: true })).toEqual(['PA-FFFF']);
    // An operator lookalike is a unit id like any other.
    expect(await codes({ unitIds: ['{"$gt": ""}'] })).toEqual(['PA-FFFF']);
    expect(await codes({ category: '{"$gt": ""}' })).toEqual([]);
    expect(concernQuery({ category: 'x' }, NOW)).toEqual({ category: { $eq: 'x' } });
  });

  it('finds overdue concerns exactly as slaState calls them overdue', async () => {
    expect(await codes({ overdue: true })).toEqual(['PA-DDDD', 'PA-BBBB']);
    expect(docs.filter((d) => isOverdue(slaState(d, NOW))).map((d) => d._id).sort()).toEqual(['PA-BBBB', 'PA-DDDD']);
    expect(await codes({ overdue: true, status: 'resolved' })).toEqual([]);
    expect(await codes({ overdue: true, level: 0 })).toEqual(['PA-BBBB']);
  });

  it('tells the SLA state', () => {
    expect(slaState(docs[0]!, NOW)).toEqual({ kind: 'due_first_response', due: h(2) });
    expect(slaState(docs[1]!, NOW)).toEqual({ kind: 'overdue_first_response', due: h(-1) });
    expect(slaState(docs[2]!, NOW)).toEqual({ kind: 'due_resolution', due: h(48) });
    expect(slaState(docs[3]!, NOW)).toEqual({ kind: 'overdue_resolution', due: h(-0.1) });
    expect(slaState(docs[4]!, NOW)).toEqual({ kind: 'resolved_late' });
    expect(slaState({ ...docs[4]!, slaOutcomes: [{ kind: 'resolution', level: 0, met: true }] }, NOW)).toEqual({ kind: 'resolved_met' });
    expect(slaState({ ...docs[0]!, status: 'withdrawn' }, NOW)).toEqual({ kind: 'closed' });
  });

  it('returns everything up to a limit for the export, saying whether more matched', async () => {
    const some = await reader.all({ status: 'open' }, NOW, 3);
    expect(some.concerns).toHaveLength(3);
    expect(some.truncated).toBe(true);
    expect((await reader.all({}, NOW, 10)).truncated).toBe(false);
  });
});
