/**
 * How long the web console's dashboard takes at a realistic size: `tsx tools/bench-dashboard.ts
 * [--concerns 20000 --members 20000 --broadcasts 200 --zones 20 --enterprises 10 --cadres 500 --runs 3]`.
 * Seeds a fresh database (a city, zones, enterprises; cadres; concerns over the last 26 weeks with
 * a history and SLA outcomes; members with Zalo and Telegram chats, some erased; broadcasts with
 * counts), then asks for `GET /web/dashboard` over real HTTP as a city-level secretariat member
 * (the default 8 weeks with nothing read yet, then 26 weeks), as a zone's and as the city again
 * (what was read is kept a minute), and times each page and the reader's parts, nothing kept.
 * The last line printed is one JSON object. The database is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { buildHttpServer } from '../bots/http-server.js';
import { WebClient } from '../bots/web/web-test-client.js';
import { bindBroadcastModels, type BroadcastDoc } from '../core/broadcasts/models.js';
import type { ConcernDoc, ConcernEvent, Organisation } from '../core/concerns/models.js';
import { categoryIds, withPolicy } from '../core/concerns/policy.js';
import { loadConfig } from '../core/config.js';
import type { Clock } from '../core/engine/types.js';
import { ensureServices } from './services.js';

const { values } = parseArgs({
  options: {
    concerns: { type: 'string', default: '20000' },
    members: { type: 'string', default: '20000' },
    broadcasts: { type: 'string', default: '200' },
    zones: { type: 'string', default: '20' },
    enterprises: { type: 'string', default: '10' },
    cadres: { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
  },
});
const N = (k: keyof typeof values) => Number(values[k]);
const [CONCERNS, MEMBERS, BROADCASTS, ZONES, PER_ZONE, CADRES, RUNS] = [N('concerns'), N('members'), N('broadcasts'), N('zones'), N('enterprises'), N('cadres'), N('runs')];

const at = new Date('2026-11-25T02:00:00Z');
const clock: Clock = { now: () => new Date(at) };
const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const id = randomBytes(4).toString('hex');
const config = loadConfig({ MONGODB_DB: `bench_dash_${id}`, REDIS_PREFIX: `benchdash${id}`, LOG_LEVEL: 'silent' });
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false, concernPolicy: withPolicy(), clock });
const cm = app.services.concerns.cm;
const DAY = 86_400_000;
const MIN = 60_000;
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const batches = async <T>(n: number, make: (i: number) => T, insert: (docs: T[]) => Promise<unknown>) => {
  for (let i = 0; i < n; i += 1000) await insert(Array.from({ length: Math.min(1000, n - i) }, (_, k) => make(i + k)));
};

const seedStart = performance.now();
const zones = Array.from({ length: ZONES }, (_, z) => `kcn-${z}`);
const enterprises = zones.flatMap((z) => Array.from({ length: PER_ZONE }, (_, e) => ({ id: `${z}-ent-${e}`, zone: z })));
await app.models.OrgUnit.insertMany([
  { _id: 'city', name: 'Thành Đoàn', kind: 'city_youth_union', organisation: 'youth_union', ancestors: [], aliases: [] },
  ...zones.map((z) => ({ _id: z, name: `KCN ${z}`, kind: 'industrial_zone', parentId: 'city', ancestors: ['city'], aliases: [] })),
  ...enterprises.map((e) => ({ _id: e.id, name: `Công ty ${e.id}`, kind: 'enterprise', parentId: e.zone, ancestors: ['city', e.zone], aliases: [] })),
]);
const ORGS: Organisation[] = ['trade_union', 'womens_union', 'youth_union', 'youth_federation'];
const cadres = Array.from({ length: CADRES }, (_, i) => ({ id: `cad-${String(i).padStart(4, '0')}`, unit: i % 5 === 4 ? zones[i % ZONES]! : enterprises[i % enterprises.length]!.id, org: ORGS[i % ORGS.length]! }));
await app.models.Member.insertMany(cadres.map((c) => ({ _id: c.id, roles: ['worker', 'cadre'], orgUnitId: c.unit, locale: 'vi', status: 'active', broadcastsOptOut: false, displayName: `Cán bộ ${c.id}`, createdAt: new Date(at.getTime() - 200 * DAY) })));
await cm.CadreAssignment.insertMany(cadres.map((c) => ({ _id: `${c.id}:${c.unit}:${c.org}`, memberId: c.id, orgUnitId: c.unit, organisation: c.org, categories: [], conflictUnitIds: [], active: true, startedAt: new Date(at.getTime() - 200 * DAY) })));
await app.models.Member.insertMany([
  { _id: 'm-city', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'city' }], orgUnitId: 'city', locale: 'vi', status: 'active', broadcastsOptOut: false, displayName: 'Tổ thư ký', createdAt: at },
  { _id: 'm-zone', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'kcn-0' }], orgUnitId: 'kcn-0', locale: 'vi', status: 'active', broadcastsOptOut: false, displayName: 'Tổ thư ký KCN', createdAt: at },
]);

const categories = categoryIds(app.services.concerns.policy);
const text = 'Công nhân phản ánh sự việc tại phân xưởng, mong được hỗ trợ sớm. '.repeat(3);
function concern(i: number): ConcernDoc {
  const created = new Date(at.getTime() - rnd() * 182 * DAY);
  const who = pick(cadres).id;
  const e = pick(enterprises);
  const events: ConcernEvent[] = [{ at: created, kind: 'created', actor: 'reporter' }, { at: created, kind: 'assigned', actor: 'system', internal: true, assigneeId: who, unitId: e.id, level: 0 }];
  const outcomes: ConcernDoc['slaOutcomes'] = [];
  let t = created.getTime() + rnd() * 12 * 3600_000 + 5 * MIN;
  const first = new Date(t);
  outcomes.push({ kind: 'first_response', level: 0, met: rnd() < 0.8 });
  events.push({ at: first, kind: 'accepted', actor: who }, { at: new Date(t + 30 * MIN), kind: 'replied', actor: who, text });
  const resolved = rnd() < 0.8;
  if (resolved) {
    t += rnd() * 3 * DAY;
    outcomes.push({ kind: 'resolution', level: 0, met: rnd() < 0.7 });
    events.push({ at: new Date(t), kind: 'resolved', actor: who, text });
  }
  return {
    _id: `PA-${String(i).padStart(6, '0')}`, category: pick(categories), orgUnitId: e.id, levelUnitId: e.id, level: 0, assigneeId: who, flagged: false, urgent: false, anonymous: true, status: resolved ? 'resolved' : 'replied',
    description: text, photos: 0, awaitingAnswer: false, slaOutcomes: outcomes, slaSeq: 1, events, intakeKey: `bench-${i}`, createdAt: created, updatedAt: new Date(t), firstResponseAt: first, ...(resolved ? { resolvedAt: new Date(t) } : {}),
  } as ConcernDoc;
}
await batches(CONCERNS, concern, (docs) => cm.Concern.insertMany(docs, { lean: true }));
await batches(
  MEMBERS,
  (i) => {
    const created = new Date(at.getTime() - rnd() * 365 * DAY);
    return rnd() < 0.03
      ? { _id: `w-${i}`, roles: [], locale: 'vi', status: 'erased', broadcastsOptOut: true, createdAt: created, erasedAt: created }
      : { _id: `w-${i}`, roles: ['worker'], orgUnitId: pick(enterprises).id, locale: 'vi', consent: { version: '1', givenAt: created, channel: 'zalo' }, status: 'active', broadcastsOptOut: false, createdAt: created };
  },
  (docs) => app.models.Member.insertMany(docs, { lean: true }),
);
await batches(
  MEMBERS,
  (i) => ({ _id: `${i % 4 === 3 ? 'telegram' : 'zalo'}:${i}`, channel: i % 4 === 3 ? 'telegram' : 'zalo', platformUserId: String(i), chatId: String(i), memberId: `w-${i}`, createdAt: at }),
  (docs) => app.models.ChannelIdentity.insertMany(docs, { lean: true }),
);
const bm = bindBroadcastModels(app.conn);
await bm.Broadcast.insertMany(
  Array.from({ length: BROADCASTS }, (_, i): BroadcastDoc => {
    const started = new Date(at.getTime() - rnd() * 182 * DAY);
    const targeted = Math.floor(rnd() * 5000);
    return { _id: `bc-${i}`, content: { text: `Thông báo số ${i}` }, audience: { ...(i % 3 ? { orgUnitId: pick(zones) } : {}), topics: [], roles: [] }, schedule: { kind: 'once', at: started }, quietHours: null, status: 'done', createdBy: 'm-city', createdAt: started, updatedAt: started, generation: 1, fannedOut: true, counts: { targeted, sent: Math.floor(targeted * 0.95), failed: Math.floor(targeted * 0.05), unreachable: 0, optedOut: Math.floor(rnd() * 100), withdrawn: 0, cancelled: 0 }, startedAt: started, finishedAt: started };
  }),
);
const seedMs = performance.now() - seedStart;

const server = buildHttpServer(app, [], 'polling');
const base = await server.listen({ port: 0, host: '127.0.0.1' });
async function client(memberId: string): Promise<WebClient> {
  const c = new WebClient(base);
  const { url } = await app.services.webSignIn.issueLink((await app.services.members.get(memberId))!, { at, via: 'cli' });
  const r = await c.signInWith(url);
  if (r.status !== 303) throw new Error(`sign-in failed: ${r.status}`);
  return c;
}
const city = await client('m-city');
const zone = await client('m-zone');
// In order: the first page (nothing kept), another period (its concerns read, the rest kept), a zone and the city again (all kept).
const pages = { city_8_weeks_cold: [city, '/web/dashboard'], city_26_weeks: [city, '/web/dashboard?from=2026-05-25&to=2026-11-25'], zone_8_weeks_warm: [zone, '/web/dashboard'], city_8_weeks_warm: [city, '/web/dashboard'] } as const;
const runs: Record<string, number>[] = [];
for (let r = 0; r < RUNS; r++) {
  const run: Record<string, number> = {};
  app.services.dashboard.forget();
  for (const [name, [c, path]] of Object.entries(pages)) {
    const t0 = performance.now();
    const res = await c.get(path);
    run[`${name}_ms`] = Math.round(performance.now() - t0);
    if (res.status !== 200 || !res.text.includes('<svg class="chart"')) throw new Error(`${name}: ${res.status}`);
    if (r === 0) run[`${name}_kb`] = Math.round(res.text.length / 1024);
  }
  // The reader's parts for the city's 8 weeks, nothing kept (reads run in parallel; each time is its own wait).
  app.services.dashboard.forget();
  const scope = await app.services.access.resolve((await app.services.members.get('m-city'))!, ['secretariat', 'admin'], at);
  const { defaultPeriod } = await import('../core/reports/dashboard.js');
  const d = await app.services.dashboard.read({ scope, period: defaultPeriod(at), now: at });
  for (const [k, v] of Object.entries(d.timings)) run[`read_${k}_ms`] = v;
  runs.push(run);
  console.error(`run ${r + 1}: ${JSON.stringify(run)}`);
}
await server.close();
await app.conn.dropDatabase();
await app.close();
console.log(JSON.stringify({ concerns: CONCERNS, members: MEMBERS, broadcasts: BROADCASTS, workplaces: enterprises.length, cadres: CADRES, seed_s: Math.round(seedMs / 100) / 10, runs }));
