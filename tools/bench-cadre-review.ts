/**
 * How long the cadre-force review takes at a realistic size: `tsx tools/bench-cadre-review.ts
 * [--cadres 500 --concerns 20000 --zones 20 --enterprises 10 --runs 3]`. Seeds a fresh database
 * (a city, zones, enterprises per zone; cadres at enterprises and zones of all four organisations;
 * concerns with a history: assigned, answered in or out of time, some escalated, resolved and
 * rated, some still open), then times the review of the whole tree (cold, then again with the
 * per-cadre figures kept), the concerns scan on its own and the in-memory aggregation over what
 * it returned. The last line printed is one JSON object. The database is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import type { ConcernDoc, ConcernEvent, Organisation } from '../core/concerns/models.js';
import { categoryIds, withPolicy } from '../core/concerns/policy.js';
import { cadreStats, type ReviewConcern } from '../core/concerns/cadre-review.js';
import { CadreReviewService } from '../core/concerns/cadre-review-service.js';
import { loadConfig } from '../core/config.js';
import { ensureServices } from './services.js';

const { values } = parseArgs({ options: { cadres: { type: 'string', default: '500' }, concerns: { type: 'string', default: '20000' }, zones: { type: 'string', default: '20' }, enterprises: { type: 'string', default: '10' }, runs: { type: 'string', default: '3' } } });
const CADRES = Number(values.cadres);
const CONCERNS = Number(values.concerns);
const ZONES = Number(values.zones);
const PER_ZONE = Number(values.enterprises);
const RUNS = Number(values.runs);

const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const id = randomBytes(4).toString('hex');
const config = loadConfig({ MONGODB_DB: `bench_review_${id}`, REDIS_PREFIX: `benchreview${id}`, LOG_LEVEL: 'silent' });
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false, concernPolicy: withPolicy() });
const cm = app.services.concerns.cm;
const at = new Date('2026-11-25T02:00:00Z');
const DAY = 86_400_000;
const MIN = 60_000;
// A fixed pseudo-random sequence, so every run seeds the same data.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

const zones = Array.from({ length: ZONES }, (_, z) => `kcn-${z}`);
const enterprises = zones.flatMap((z) => Array.from({ length: PER_ZONE }, (_, e) => ({ id: `${z}-ent-${e}`, zone: z })));
await app.models.OrgUnit.insertMany([
  { _id: 'city', name: 'Thành Đoàn', kind: 'city_youth_union', organisation: 'youth_union', ancestors: [], aliases: [] },
  ...zones.map((z) => ({ _id: z, name: `KCN ${z}`, kind: 'industrial_zone', parentId: 'city', ancestors: ['city'], aliases: [] })),
  ...enterprises.map((e) => ({ _id: e.id, name: `Công ty ${e.id}`, kind: 'enterprise', parentId: e.zone, ancestors: ['city', e.zone], aliases: [] })),
]);

const ORGS: Organisation[] = ['trade_union', 'womens_union', 'youth_union', 'youth_federation'];
const cadres = Array.from({ length: CADRES }, (_, i) => ({ id: `cad-${String(i).padStart(4, '0')}`, unit: i % 5 === 4 ? zones[i % ZONES]! : enterprises[i % enterprises.length]!.id, org: ORGS[i % ORGS.length]! }));
await app.models.Member.insertMany(cadres.map((c) => ({ _id: c.id, roles: ['worker', 'cadre'], locale: 'vi', status: 'active', broadcastsOptOut: false, displayName: `Cán bộ ${c.id}`, createdAt: new Date(at.getTime() - 200 * DAY) })));
await cm.CadreAssignment.insertMany(cadres.map((c) => ({ _id: `${c.id}:${c.unit}:${c.org}`, memberId: c.id, orgUnitId: c.unit, organisation: c.org, categories: [], conflictUnitIds: [], active: true, startedAt: new Date(at.getTime() - 200 * DAY) })));

const categories = categoryIds(app.services.concerns.policy);
const text = 'Công nhân phản ánh sự việc tại phân xưởng, mong được hỗ trợ sớm. '.repeat(3);
function concern(i: number): ConcernDoc {
  const created = new Date(at.getTime() - rnd() * 180 * DAY);
  const c1 = pick(cadres).id;
  const c2 = pick(cadres).id;
  const e = pick(enterprises);
  const events: ConcernEvent[] = [{ at: created, kind: 'created', actor: 'reporter' }, { at: created, kind: 'assigned', actor: 'system', internal: true, assigneeId: c1, unitId: e.id, level: 0 }];
  const outcomes: ConcernDoc['slaOutcomes'] = [];
  let t = created.getTime();
  let who = c1;
  if (rnd() < 0.15) {
    t += 8 * 3600_000;
    outcomes.push({ kind: 'first_response', level: 0, met: false });
    events.push({ at: new Date(t), kind: 'escalated', actor: 'system:sla', unitId: e.zone, level: 1, deadline: new Date(t) }, { at: new Date(t), kind: 'assigned', actor: 'system', internal: true, assigneeId: c2, unitId: e.zone, level: 1 });
    who = c2;
  }
  const open = rnd() < 0.2;
  t += rnd() * 12 * 3600_000 + 5 * MIN;
  outcomes.push({ kind: 'first_response', level: 0, met: rnd() < 0.8 });
  events.push({ at: new Date(t), kind: 'accepted', actor: who }, { at: new Date(t + 30 * MIN), kind: 'replied', actor: who, text });
  let status: ConcernDoc['status'] = 'replied';
  let rating: number | undefined;
  if (!open) {
    t += rnd() * 3 * DAY;
    outcomes.push({ kind: 'resolution', level: 0, met: rnd() < 0.7 });
    events.push({ at: new Date(t), kind: 'resolved', actor: who, text });
    status = 'resolved';
    if (rnd() < 0.5) {
      rating = 1 + Math.floor(rnd() * 5);
      events.push({ at: new Date(t + DAY), kind: 'rated', actor: 'reporter', text: String(rating) });
    }
  }
  return {
    _id: `PA-${String(i).padStart(6, '0')}`, category: pick(categories), orgUnitId: e.id, levelUnitId: who === c1 ? e.id : e.zone, level: who === c1 ? 0 : 1, assigneeId: who, flagged: false, urgent: false, anonymous: true, status,
    description: text, photos: 0, awaitingAnswer: false, slaOutcomes: outcomes, slaSeq: 1, events, intakeKey: `bench-${i}`, createdAt: created, updatedAt: new Date(t), ...(rating ? { rating } : {}),
  } as ConcernDoc;
}
const seedStart = performance.now();
for (let i = 0; i < CONCERNS; i += 1000) await cm.Concern.insertMany(Array.from({ length: Math.min(1000, CONCERNS - i) }, (_, k) => concern(i + k)), { lean: true });
const seedMs = performance.now() - seedStart;

const runs: { review_ms: number; warm_review_ms: number; scan_ms: number; aggregate_ms: number }[] = [];
let summary: { cadres: number; gaps: number; idle: number; workplaces: number } | undefined;
for (let r = 0; r < RUNS; r++) {
  // Cold: a new reader, so the per-cadre figures are computed from a fresh scan; warm: the next screen within two minutes.
  const reader = new CadreReviewService(app.models, cm, app.services.org, app.services.concerns.router, () => app.services.concerns.policy);
  const t0 = performance.now();
  const review = await reader.review('city', at);
  const reviewMs = performance.now() - t0;
  const w0 = performance.now();
  await reader.review('city', at);
  const warmMs = performance.now() - w0;
  // The parts: the concerns scan alone (what FerretDB costs), and the pure aggregation over what it returned.
  const s0 = performance.now();
  const docs = await cm.Concern.find({}, { status: 1, assigneeId: 1, rating: 1, slaOutcomes: 1, 'events.at': 1, 'events.kind': 1, 'events.actor': 1, 'events.assigneeId': 1, 'events.deadline': 1 }).lean<ReviewConcern[]>();
  const scan = performance.now() - s0;
  const a0 = performance.now();
  cadreStats(docs);
  const aggregate = performance.now() - a0;
  runs.push({ review_ms: Math.round(reviewMs), warm_review_ms: Math.round(warmMs), scan_ms: Math.round(scan), aggregate_ms: Math.round(aggregate) });
  summary = { cadres: review.cadres.length, gaps: review.gaps.length, idle: review.cadres.filter((c) => c.idle).length, workplaces: review.workplaces };
  console.error(`run ${r + 1}: review ${runs.at(-1)!.review_ms} ms (again within two minutes: ${runs.at(-1)!.warm_review_ms} ms); concerns scan alone ${runs.at(-1)!.scan_ms} ms, aggregation in memory ${runs.at(-1)!.aggregate_ms} ms`);
}
await app.conn.dropDatabase();
await app.close();
console.log(JSON.stringify({ cadres: CADRES, concerns: CONCERNS, workplaces: enterprises.length, seed_s: Math.round(seedMs / 100) / 10, runs, ...summary }));
