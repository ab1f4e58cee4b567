/**
 * `npm run bench:soak`: the app under a steady mixed load for ten minutes, to see that nothing
 * grows that should not (heap, RSS, Redis memory, queues) and how each path holds up.
 *
 * The app runs as `npm start` runs it (`app/main.ts`, ROLE=all, webhooks, /metrics on its own
 * port) in a process of its own; the fake Telegram and Zalo servers and the simulated people run
 * here. At a fixed pace (each person writes every `--pace-seconds`, or as soon as their previous
 * message was answered when that is later):
 * - chats: `--people` people, half on each platform, go through onboarding, then around the menu;
 * - concerns: each person, once onboarded, raises one concern (its SLA timers are then waiting
 *   in Redis for the rest of the run);
 * - surveys: each person then answers the open survey (the first choice to every question);
 * - one broadcast, 30 s in, to `--recipients` members seeded beforehand.
 * Every 30 s it prints the app's heap and RSS (its /metrics), Redis's used memory, the jobs
 * waiting in the queues and the reply latency of the last window; at the end, p50/p95 per path
 * and the growth of each figure after the first minute. The last line is one JSON object.
 *
 * Usage: npm run bench:soak [-- --seconds 600 --people 60 --pace-seconds 4 --recipients 5000]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { loadConfig } from '../core/config.js';
import { FakeTelegramServer } from '../test/fake-telegram-server.js';
import { FakeZaloServer } from '../test/fake-zalo-server.js';
import { seedInChild } from './seed-bench-members.js';
import { ensureServices } from './services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    people: { type: 'string', default: '60' },
    'pace-seconds': { type: 'string', default: '4' },
    recipients: { type: 'string', default: '5000' },
  },
});
const SECONDS = Number(values.seconds);
const PEOPLE = Number(values.people);
const PACE_MS = Number(values['pace-seconds']) * 1000;
const RECIPIENTS = Number(values.recipients);
const SAMPLE_EVERY_MS = 30_000;
const FIRST_RECIPIENT = 5_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

// ---- stores, fakes, the app ---------------------------------------------------------------------

const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const id = randomBytes(4).toString('hex');
// The app and the control connection share the database, the prefix and the privacy keys.
const target = { MONGODB_DB: `bench_soak_${id}`, REDIS_PREFIX: `benchsoak${id}`, REPORTER_SEAL_KEY: randomBytes(32).toString('hex'), MARKER_KEY: randomBytes(32).toString('hex'), WEB_SESSION_SECRET: randomBytes(32).toString('hex') };
const telegram = new FakeTelegramServer();
const zalo = new FakeZaloServer();
const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
const [port, metricsPort] = [await freePort(), await freePort()];

process.stderr.write(`[soak] seeding ${RECIPIENTS} broadcast members …\n`);
await seedInChild(services.mongoUri, target.MONGODB_DB, RECIPIENTS, FIRST_RECIPIENT);

const app = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'pipe'],
  env: {
    ...process.env,
    ...target,
    MONGODB_URI: services.mongoUri,
    REDIS_URL: services.redisUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    METRICS_PORT: String(metricsPort),
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_SECRET: 'soak-secret-1',
    ZALO_BOT_TOKEN: zalo.token,
    ZALO_API_BASE: zaloBase,
    ZALO_WEBHOOK_SECRET: 'soak-secret-2',
    TELEGRAM_RATE_PER_SECOND: '200',
    ZALO_RATE_PER_SECOND: '200',
    INBOUND_BURST: '10000',
    INBOUND_REFILL_PER_SECOND: '10000',
    LOG_LEVEL: 'warn',
  },
});
let appErr = '';
app.stderr!.on('data', (d: Buffer) => (appErr += d.toString()));
await new Promise<void>((done, fail) => {
  const t = setInterval(() => {
    if (/HTTP on/.test(appErr)) {
      clearInterval(t);
      done();
    }
  }, 100);
  app.once('exit', (code) => fail(new Error(`the app exited (${code}):\n${appErr.slice(-2000)}`)));
});
// A control connection on the same database and prefix, for the broadcast and the counts.
const control = await createApp({ config: loadConfig({ ...target, LOG_LEVEL: 'silent' }), mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false });

// ---- what the app says about itself -------------------------------------------------------------

interface Sample {
  t: number;
  heapMb: number;
  rssMb: number;
  redisMb: number;
  waitingJobs: number;
  replyP95Ms: number | null;
  turnP95Ms: number | null;
  events: number;
}

async function scrape(): Promise<{ heapMb: number; rssMb: number; waitingJobs: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const one = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const waiting = [...text.matchAll(/^donghanh_queue_jobs\{[^}]*state="(?:waiting|prioritized|delayed)"[^}]*\} ([0-9.e+]+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { heapMb: one('nodejs_heap_size_used_bytes') / 2 ** 20, rssMb: one('process_resident_memory_bytes') / 2 ** 20, waitingJobs: waiting };
}

async function redisMb(): Promise<number> {
  const info = await control.redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN) / 2 ** 20;
}

// ---- the people ---------------------------------------------------------------------------------

type Path = 'chat' | 'concern' | 'survey';
const latencies: Record<Path, number[]> = { chat: [], concern: [], survey: [] };
/** From the POST to the webhook's answer: the turn itself, without the delivery of its reply. */
const turns: number[] = [];
let windowTurns: number[] = [];
let windowLatencies: number[] = [];
let events = 0;
let concernsRaised = 0;
let surveysDone = 0;
const waiting = new Map<string, (text: string) => void>();
const onReply = (chat: string, text: string) => {
  const w = waiting.get(chat);
  if (w) {
    waiting.delete(chat);
    w(text);
  }
};
telegram.onSent((m) => onReply(`telegram:${m.chat_id}`, m.text ?? ''));
zalo.onSent((m) => m.method === 'sendMessage' && onReply(`zalo:${m.chat_id}`, m.text ?? ''));

const ONBOARDING = ['xin chào', '1', '1', 'vsip', '1'];
const concernScript = (n: number) => ['menu', 'gửi phản ánh', 'gửi phản ánh mới', 'tiền lương', '1', `Tổ ${n} chưa nhận lương tăng ca tháng trước, soak`, 'xong', 'ẩn danh', 'gửi đi'];
const MENU_LOOP = ['menu', 'cài đặt', 'menu', 'tài liệu', 'menu'];
const SURVEY_DONE = /Cảm ơn bạn đã dành thời gian chia sẻ/;

let stopping = false;

async function person(n: number): Promise<void> {
  const platform = n % 2 === 0 ? 'telegram' : 'zalo';
  const user = platform === 'telegram' ? String(8_000_000 + n) : `zl-soak-${n}`;
  const chat = `${platform}:${user}`;
  let next = Date.now() + Math.random() * PACE_MS;
  const say = async (text: string, path: Path): Promise<string> => {
    await sleep(Math.max(0, next - Date.now()));
    next = Date.now() + PACE_MS;
    const reply = new Promise<string>((r) => waiting.set(chat, r));
    const sent = performance.now();
    const push = platform === 'telegram' ? telegram.pushUpdate(telegram.textUpdate(Number(user), text, { firstName: 'Lan' })) : zalo.pushUpdate(zalo.textUpdate(user, text, { name: 'Lan' }));
    void push.then(
      () => {
        const ms = performance.now() - sent;
        turns.push(ms);
        windowTurns.push(ms);
      },
      () => undefined,
    );
    events++;
    const answer = await Promise.race([reply, sleep(60_000).then(() => '')]);
    const ms = performance.now() - sent;
    latencies[path].push(ms);
    windowLatencies.push(ms);
    return answer;
  };
  for (const text of ONBOARDING) await say(text, 'chat');
  const concern = concernScript(n);
  for (const [k, text] of concern.entries()) await say(text, k === concern.length - 1 ? 'concern' : 'chat');
  concernsRaised++;
  await say('menu', 'chat');
  let answer = await say('khảo sát', 'survey');
  for (let k = 0; k < 30 && !stopping && !SURVEY_DONE.test(answer); k++) answer = await say('1', 'survey');
  if (SURVEY_DONE.test(answer)) surveysDone++;
  for (let k = 0; !stopping; k++) await say(MENU_LOOP[k % MENU_LOOP.length]!, 'chat');
}

// ---- the run ------------------------------------------------------------------------------------

const started = Date.now();
const samples: Sample[] = [];
const sample = async () => {
  const s = await scrape();
  const row: Sample = { t: Math.round((Date.now() - started) / 1000), ...s, heapMb: Math.round(s.heapMb), rssMb: Math.round(s.rssMb), redisMb: Math.round((await redisMb()) * 10) / 10, replyP95Ms: percentile(windowLatencies, 95), turnP95Ms: percentile(windowTurns, 95), events };
  windowLatencies = [];
  windowTurns = [];
  samples.push(row);
  process.stderr.write(`[soak] ${String(row.t).padStart(4)} s: heap ${row.heapMb} MB, rss ${row.rssMb} MB, redis ${row.redisMb} MB, waiting jobs ${row.waitingJobs}, reply p95 ${row.replyP95Ms ?? '-'} ms (turn ${row.turnP95Ms ?? '-'} ms), ${row.events} events\n`);
};
process.stderr.write(`[soak] ${PEOPLE} people every ${PACE_MS / 1000} s, one broadcast to ${RECIPIENTS} at 30 s, for ${SECONDS} s …\n`);
await sample();
const people = Array.from({ length: PEOPLE }, (_, n) => person(n));
const sampler = setInterval(() => void sample().catch(() => undefined), SAMPLE_EVERY_MS);
const broadcastSent = () => telegram.sent.filter((m) => Number(m.chat_id) >= FIRST_RECIPIENT && Number(m.chat_id) < FIRST_RECIPIENT + RECIPIENTS).length;
let broadcast: { id: string; startedAt: number; doneAt?: number } | undefined;
setTimeout(() => {
  void control.services.broadcasts
    .create({ content: { text: 'Thông báo: sinh hoạt chi đoàn tối thứ Sáu (soak)' }, audience: {}, schedule: { kind: 'once' }, quietHours: null }, { id: 'soak', roles: ['secretariat'] }, { now: new Date() })
    .then(({ broadcast: b }) => (broadcast = { id: b._id, startedAt: Date.now() }));
}, 30_000);
const watchBroadcast = setInterval(() => {
  if (broadcast && !broadcast.doneAt && broadcastSent() >= RECIPIENTS) broadcast.doneAt = Date.now();
}, 500);
await sleep(SECONDS * 1000);
stopping = true;
clearInterval(sampler);
await sample();
await Promise.race([Promise.all(people), sleep(70_000)]);
clearInterval(watchBroadcast);

// ---- results ------------------------------------------------------------------------------------

const warm = samples.filter((s) => s.t >= 60);
const growth = (f: (s: Sample) => number) => (warm.length >= 2 ? Math.round((f(warm.at(-1)!) - f(warm[0]!)) * 10) / 10 : null);
const paths = {
  ...Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, { n: v.length, p50_ms: percentile(v, 50), p95_ms: percentile(v, 95) }])),
  turn: { n: turns.length, p50_ms: percentile(turns, 50), p95_ms: percentile(turns, 95) },
};
const result = {
  bench: 'soak',
  seconds: SECONDS,
  people: PEOPLE,
  pace_seconds: PACE_MS / 1000,
  events,
  events_per_second: Math.round((events / SECONDS) * 10) / 10,
  paths,
  concerns_raised: concernsRaised,
  surveys_completed: surveysDone,
  broadcast: { recipients: RECIPIENTS, sent: broadcastSent(), seconds: broadcast?.doneAt ? Math.round((broadcast.doneAt - broadcast.startedAt) / 100) / 10 : null },
  growth_after_first_minute: { heap_mb: growth((s) => s.heapMb), rss_mb: growth((s) => s.rssMb), redis_mb: growth((s) => s.redisMb), waiting_jobs: growth((s) => s.waitingJobs) },
  peak: { heap_mb: Math.max(...samples.map((s) => s.heapMb)), rss_mb: Math.max(...samples.map((s) => s.rssMb)), redis_mb: Math.max(...samples.map((s) => s.redisMb)), waiting_jobs: Math.max(...samples.map((s) => s.waitingJobs)) },
  samples,
  machine: { cpus: cpus().length, load_average_1m_end: loadavg()[0] },
  database: process.env.MONGODB_URI ? 'mongodb' : 'ferretdb-1.24.2-sqlite (local)',
};

app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
await control.conn.dropDatabase().catch(() => undefined);
const keys = await control.redis.keys(`${target.REDIS_PREFIX}*`);
for (let i = 0; i < keys.length; i += 500) await control.redis.del(...keys.slice(i, i + 500));
await control.close();
await Promise.all([telegram.stop(), zalo.stop()]);
console.log(JSON.stringify(result));
process.exit(0);
