/**
 * `npm run bench:sla`: creates 1,000 concerns whose first-response deadline is short, starts the
 * SLA worker in this process on the real Redis (BullMQ delayed jobs), lets every deadline pass
 * unanswered, and measures how late each escalation ran after its deadline. The last line
 * printed is one JSON object (p50, p99, max and every lateness in ms).
 *
 * Usage: npm run bench:sla [-- --concerns 1000 --window 300 --pace 0]
 *   --window: seconds from intake to the first-response deadline (make it longer than intake takes).
 *   --pace: at least this many ms between intakes, so deadlines fall due at a chosen rate.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { withPolicy } from '../core/concerns/policy.js';
import { SLA_QUEUE } from '../core/concerns/sla-timers.js';
import { loadConfig } from '../core/config.js';
import { ensureServices, stopService } from './services.js';

const { values } = parseArgs({ options: { concerns: { type: 'string', default: '1000' }, window: { type: 'string', default: '300' }, enterprises: { type: 'string', default: '20' }, pace: { type: 'string', default: '0' } } });
const N = Number(values.concerns);
const WINDOW = Number(values.window);
const ENTERPRISES = Number(values.enterprises);
const PACE = Number(values.pace);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const id = randomBytes(4).toString('hex');
const config = loadConfig({ MONGODB_DB: `bench_sla_${id}`, REDIS_PREFIX: `benchsla${id}`, LOG_LEVEL: 'silent' });
const base = withPolicy({ businessHours: { alwaysOpen: true }, maxOpenPerWorker: 3 });
// Level 0 must answer within WINDOW seconds; the level above gets an hour, so each concern escalates once.
const concernPolicy = {
  ...base,
  categories: Object.fromEntries(Object.entries(base.categories).map(([k, r]) => [k, { ...r, firstResponseSeconds: [WINDOW, 3600], resolutionSeconds: [7200] }])),
};
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, concernPolicy });
const now = () => new Date();

// A small tree: the city, one industrial zone, enterprises; a trade-union cadre at each enterprise and at the zone.
const enterprises = Array.from({ length: ENTERPRISES }, (_, i) => `ent-${i}`);
await app.models.OrgUnit.insertMany([
  { _id: 'city', name: 'Thành Đoàn', kind: 'city_youth_union', organisation: 'youth_union', ancestors: [], aliases: [] },
  { _id: 'kcn', name: 'KCN Bench', kind: 'industrial_zone', parentId: 'city', ancestors: ['city'], aliases: [] },
  ...enterprises.map((e) => ({ _id: e, name: `Công ty ${e}`, kind: 'enterprise', parentId: 'kcn', ancestors: ['city', 'kcn'], aliases: [] })),
]);
const member = (_id: string, roles: string[], orgUnitId?: string) => ({ _id, roles, orgUnitId, locale: 'vi', status: 'active', broadcastsOptOut: false, displayName: _id, consent: { version: 'bench', givenAt: now(), channel: 'console' }, createdAt: now() });
const identity = (memberId: string) => ({ _id: `console:${memberId}`, channel: 'console', platformUserId: memberId, chatId: memberId, memberId, createdAt: now() });
const cadres = ['cadre-kcn', ...enterprises.map((e) => `cadre-${e}`)];
const workers = Array.from({ length: Math.ceil(N / 2) }, (_, i) => `worker-${i}`);
await app.models.Member.insertMany([...cadres.map((c) => member(c, ['cadre'])), ...workers.map((w, i) => member(w, ['worker'], enterprises[i % ENTERPRISES]))]);
await app.models.ChannelIdentity.insertMany([...cadres, ...workers].map(identity));
const concerns = app.services.concerns;
await concerns.upsertAssignment({ _id: 'cadre-kcn', memberId: 'cadre-kcn', orgUnitId: 'kcn', organisation: 'trade_union', categories: [], conflictUnitIds: [], active: true }, now());
for (const e of enterprises) await concerns.upsertAssignment({ _id: `cadre-${e}`, memberId: `cadre-${e}`, orgUnitId: e, organisation: 'trade_union', categories: [], conflictUnitIds: [], active: true }, now());

console.log(`creating ${N} concerns (first response due ${WINDOW} s after intake) …`);
const createStarted = performance.now();
const codes: string[] = [];
let lastDeadline = 0;
for (let i = 0; i < N; i++) {
  const started = performance.now();
  const w = workers[i % workers.length]!;
  const { concern } = await concerns.submit({ memberId: w, category: i % 2 ? 'wages' : 'overtime', orgUnitId: enterprises[(i % workers.length) % ENTERPRISES]!, description: `Phản ánh thử số ${i}`, photos: 0, anonymous: true, intakeKey: `bench-${i}`, at: now() });
  codes.push(concern._id);
  lastDeadline = Math.max(lastDeadline, concern.firstResponseDue?.getTime() ?? 0);
  const rest = PACE - (performance.now() - started);
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
}
const createSeconds = (performance.now() - createStarted) / 1000;
console.log(`created in ${createSeconds.toFixed(1)} s (${((createSeconds * 1000) / N).toFixed(1)} ms per concern); waiting for the deadlines …`);
if (createSeconds > WINDOW) console.log(`note: intake took longer than the ${WINDOW} s window, so early deadlines fired while concerns were still being created`);

// Wait for the last deadline, then until the SLA queue has nothing due left to run, then count.
// The queue's counts live in Redis; polling the concerns collection every second instead (a full
// scan on FerretDB, ~0.3 s each at 1,000 concerns) took a quarter of a core from the system
// being measured. Give up after the window plus two minutes.
const until = Date.now() + (WINDOW + 120) * 1000;
const slaQueue = app.jobs.queue(SLA_QUEUE);
await new Promise((r) => setTimeout(r, Math.max(0, lastDeadline - Date.now())));
let escalated = 0;
while (Date.now() < until) {
  const due = await slaQueue.getJobCounts('waiting', 'active', 'prioritized');
  if (Object.values(due).every((n) => n === 0)) {
    escalated = await concerns.cm.Concern.countDocuments({ level: { $gte: 1 } });
    if (escalated >= N) break;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const docs = await concerns.cm.Concern.find({ level: { $gte: 1 } }, { events: 1 }).lean();
const late = docs.flatMap((d) => d.events.filter((e) => e.kind === 'escalated' && typeof e.lateMs === 'number').map((e) => e.lateMs!)).sort((a, b) => a - b);
const reminded = await concerns.cm.Concern.countDocuments({ 'events.kind': 'reminded' });

const result = {
  concerns: N,
  escalated: late.length,
  reminded,
  window_s: WINDOW,
  pace_ms: PACE,
  deadlines_per_second: Math.round((N / createSeconds) * 10) / 10,
  intake_ms_per_concern: Math.round((createSeconds * 1000) / N),
  escalation_late_ms: late.length ? { p50: percentile(late, 50), p99: percentile(late, 99), max: late.at(-1), min: late[0] } : null,
  target_p99_ms: 5000,
  late_ms_each: late,
  database: process.env.MONGODB_URI ? 'mongodb' : 'ferretdb-1.24.2-sqlite',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
};
console.log(`escalated ${late.length}/${N}; lateness after the deadline: p50 ${result.escalation_late_ms?.p50} ms, p99 ${result.escalation_late_ms?.p99} ms, max ${result.escalation_late_ms?.max} ms`);
// Workers stop before the drop: FerretDB can crash when a dropped database is still queried.
await Promise.all(app.workers.map((w) => w.close()));
await app.conn.dropDatabase();
const keys = await app.redis.keys(`benchsla${id}*`);
for (let i = 0; i < keys.length; i += 500) await app.redis.del(...keys.slice(i, i + 500));
await app.close();
for (const h of services.started) await stopService(h.name);
console.log(JSON.stringify(result));
