/**
 * `npm run bench:sla`: a burst of SLA breaches. 1,000 concerns arrive over `--spread` seconds
 * (10 by default, so 100 a second), each with its first response due `--window` seconds after it
 * arrived: every first-response deadline falls within the same `--spread` seconds, whatever the
 * intake speed. Intake runs one concern at a time, as they arrive (a concern is never taken in
 * before its arrival time; when intake is slower than arrivals it queues, the deadlines stay).
 * The SLA worker runs in this process on the real Redis (BullMQ delayed jobs); nobody answers,
 * so every concern escalates once, and the bench measures how late each escalation ran after
 * its deadline and how fast the burst was drained. The last line printed is one JSON object.
 *
 * Intake is what a worker waits for after "Gửi đi" (the concern step of flows/concern.ts):
 * `ConcernService.submit` and the lookup of the chat of each person told (`reachableChat`, as
 * `notifyInTurn` does), timed one concern at a time.
 *
 * Usage: npm run bench:sla [-- --concerns 1000 --spread 10 --window 300]
 *   --spread: seconds over which the concerns arrive, and so their deadlines fall due.
 *   --window: seconds from arrival to the first-response deadline (longer than intake takes).
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { reachableChat } from '../core/concerns/notices.js';
import { withPolicy } from '../core/concerns/policy.js';
import { SLA_QUEUE } from '../core/concerns/sla-timers.js';
import { loadConfig } from '../core/config.js';
import { ensureServices, stopService } from './services.js';

const { values } = parseArgs({ options: { concerns: { type: 'string', default: '1000' }, spread: { type: 'string', default: '10' }, window: { type: 'string', default: '300' }, enterprises: { type: 'string', default: '20' } } });
const N = Number(values.concerns);
const SPREAD = Number(values.spread);
const WINDOW = Number(values.window);
const ENTERPRISES = Number(values.enterprises);
const TARGET = { escalation_late_p99_ms: 1000, escalations_per_second: 100, intake_ms: 50 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round1 = (x: number) => Math.round(x * 10) / 10;

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

console.log(`${N} concerns arriving over ${SPREAD} s, first response due ${WINDOW} s after arrival …`);
const arrivalStart = Date.now() + 100;
const intake: number[] = [];
let firstDeadline = Infinity;
let lastDeadline = 0;
for (let i = 0; i < N; i++) {
  const arrival = arrivalStart + Math.floor((i * SPREAD * 1000) / N);
  if (arrival > Date.now()) await sleep(arrival - Date.now());
  const started = performance.now();
  const w = workers[i % workers.length]!;
  const { concern, notices } = await concerns.submit({ memberId: w, category: i % 2 ? 'wages' : 'overtime', orgUnitId: enterprises[(i % workers.length) % ENTERPRISES]!, description: `Phản ánh thử số ${i}`, photos: 0, anonymous: true, intakeKey: `bench-${i}`, at: new Date(arrival) });
  await Promise.all(notices.map((n) => reachableChat(app.services.contacts, n.memberId)));
  intake.push(performance.now() - started);
  const due = concern.firstResponseDue?.getTime() ?? 0;
  firstDeadline = Math.min(firstDeadline, due);
  lastDeadline = Math.max(lastDeadline, due);
}
const intakeSeconds = (Date.now() - arrivalStart) / 1000;
const intakeSorted = [...intake].sort((a, b) => a - b);
const intakeMean = intake.reduce((a, b) => a + b, 0) / N;
console.log(`taken in by ${intakeSeconds.toFixed(1)} s: ${intakeMean.toFixed(1)} ms per concern (p50 ${percentile(intakeSorted, 50).toFixed(1)}, p95 ${percentile(intakeSorted, 95).toFixed(1)} ms); deadlines fall due over ${((lastDeadline - firstDeadline) / 1000).toFixed(1)} s; waiting …`);
if (firstDeadline < Date.now()) console.log(`note: intake took longer than the ${WINDOW} s window, so early deadlines fired while concerns were still being taken in`);

// Wait for the last deadline, then until the SLA queue has nothing due left to run, then count.
// The queue's counts live in Redis; polling the concerns collection instead (a scan on FerretDB)
// would take CPU from the system being measured. Give up after the window plus two minutes.
const until = Date.now() + (WINDOW + 120) * 1000;
const slaQueue = app.jobs.queue(SLA_QUEUE);
await sleep(Math.max(0, lastDeadline - Date.now()));
while (Date.now() < until) {
  const due = await slaQueue.getJobCounts('waiting', 'active', 'prioritized');
  if (Object.values(due).every((n) => n === 0) && (await concerns.cm.Concern.countDocuments({ level: { $gte: 1 } })) >= N) break;
  await sleep(1000);
}
const docs = await concerns.cm.Concern.find({ level: { $gte: 1 } }, { events: 1 }).lean();
const breaches = docs.flatMap((d) => d.events.filter((e) => e.kind === 'escalated' && e.deadline && typeof e.lateMs === 'number').map((e) => ({ due: new Date(e.deadline!).getTime(), late: e.lateMs! })));
const late = breaches.map((b) => b.late).sort((a, b) => a - b);
// The burst is drained when the last escalation is written: escalations per second from the first deadline on.
const drainedAt = Math.max(...breaches.map((b) => b.due + b.late));
const reminded = await concerns.cm.Concern.countDocuments({ 'events.kind': 'reminded' });

const result = {
  concerns: N,
  escalated: late.length,
  reminded,
  spread_s: SPREAD,
  window_s: WINDOW,
  deadlines_per_second: round1(N / Math.max(0.001, (lastDeadline - firstDeadline) / 1000)),
  escalations_per_second: late.length ? round1(late.length / Math.max(0.001, (drainedAt - firstDeadline) / 1000)) : 0,
  escalation_late_ms: late.length ? { p50: percentile(late, 50), p99: percentile(late, 99), max: late.at(-1), min: late[0] } : null,
  intake_ms: { mean: round1(intakeMean), p50: round1(percentile(intakeSorted, 50)), p95: round1(percentile(intakeSorted, 95)), max: round1(intakeSorted.at(-1)!) },
  intake_ms_per_concern: Math.round(intakeMean),
  target: TARGET,
  late_ms_each: late,
  database: process.env.MONGODB_URI ? 'mongodb' : 'ferretdb-1.24.2-sqlite-patched',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
};
console.log(
  `escalated ${late.length}/${N} at ${result.escalations_per_second}/s (deadlines due at ${result.deadlines_per_second}/s); lateness after the deadline: p50 ${result.escalation_late_ms?.p50} ms, p99 ${result.escalation_late_ms?.p99} ms, max ${result.escalation_late_ms?.max} ms; intake ${result.intake_ms.mean} ms per concern`,
);
// Workers stop before the drop: FerretDB can crash when a dropped database is still queried.
await Promise.all(app.workers.map((w) => w.close()));
await app.conn.dropDatabase();
const keys = await app.redis.keys(`benchsla${id}*`);
for (let i = 0; i < keys.length; i += 500) await app.redis.del(...keys.slice(i, i + 500));
await app.close();
for (const h of services.started) await stopService(h.name);
console.log(JSON.stringify(result));
