/**
 * `npm run bench:inbound`: inbound performance of the app as `npm start` runs it, with webhooks.
 *
 * The app runs in a process of its own (`node --import tsx app/main.ts`, plus a small probe, see
 * tools/bench-inbound-probe.ts); this process runs the fake Telegram and Zalo servers and the
 * simulated people, so the load generator does not take the app's CPU. Latency is measured from
 * the moment a person's message reaches the fake platform until the first reply to that chat
 * reaches the fake platform (matched through the fakes' `onSent` hook, per chat). Like Telegram
 * (max_connections, default 40) each platform posts at most `--connections` updates at a time to the
 * webhook; the rest wait in line, and that wait is part of the latency. "Webhook answered" is the
 * time from the POST to its answer (the app has handled the event; the rest is delivery).
 *
 * 1. Calibration: one person per platform goes through the script one event at a time and we count
 *    the replies each step gets, so that later replies are matched to the right event (and while
 *    doing so, MONITOR on the benchmark's own Redis counts the commands clients send).
 * 2. Open loop: events arrive at a fixed rate whatever the replies (default 100/s for 30 s, half on
 *    each platform), spread over enough people that each writes one message every 3 s.
 * 3. Closed loop: 25, 50, 100, 200 people (`--steps`), each sending their next message as soon as
 *    the previous one is answered, ~10 s per step; sustained = the best events/s of a step whose p95
 *    stayed under 1 s.
 *
 * Counted, not estimated: the app's CPU time (process.cpuUsage() reported by the probe), MongoDB
 * driver commands (BENCH_COUNT_COMMANDS=1: core/db.ts counts the driver's `commandStarted` events;
 * FerretDB's serverStatus would also count other people's tests on the shared server), and Redis
 * commands (INFO commandstats deltas of a redis-server started by this benchmark, so nobody else's
 * commands are counted; with REDIS_URL set, that server's deltas include its other clients).
 *
 * The app's per-person limits (INBOUND_BURST, INBOUND_REFILL_PER_SECOND, INBOX_MAX_EVENTS) and the
 * platforms' send rates are lifted in its environment: no simulated person is ever throttled.
 *
 * Usage: npm run bench:inbound [-- --open-rate 100 --open-seconds 30 --pace-seconds 3
 *          --steps 25,50,100,200 --step-seconds 10 --connections 40]
 *   --quick    a smoke run: 5 s of open loop, closed loop steps 25 and 50 of 5 s each
 *   --trace    print the calibration conversation (what each step of the script gets back)
 *   --profile  run the app with --cpu-prof and print where the profile was written
 * The last line printed is one JSON object.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Update } from 'grammy/types';
import { Redis } from 'ioredis';
import { connectMongo } from '../core/db.js';
import { FakeTelegramServer, type SentMessage } from '../test/fake-telegram-server.js';
import { FakeZaloServer, type FakeZaloSent } from '../test/fake-zalo-server.js';
import type { ProbeReading } from './bench-inbound-probe.js';
import { ferretBinaryPath } from './ferretdb-build.js';
import { ensureFerret, ensureRedis, portOpen, stopService, type ServiceHandle } from './services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    'open-rate': { type: 'string', default: '100' },
    'open-seconds': { type: 'string', default: '30' },
    steps: { type: 'string', default: '25,50,100,200' },
    'step-seconds': { type: 'string', default: '10' },
    'pace-seconds': { type: 'string', default: '3' },
    connections: { type: 'string', default: '40' },
    quick: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const QUICK = values.quick;
const OPEN_RATE = Number(values['open-rate']);
const OPEN_SECONDS = QUICK ? 5 : Number(values['open-seconds']);
const STEPS = (QUICK ? '25,50' : values.steps).split(',').map(Number);
const STEP_SECONDS = QUICK ? 5 : Number(values['step-seconds']);
/** Seconds between two messages of one person in the open loop (a human pace). */
const PACE_SECONDS = Number(values['pace-seconds']);
/** Webhook requests in flight per platform (Telegram's default max_connections). */
const CONNECTIONS = Number(values.connections);
/** A reply later than this counts as no reply (the event is given up on; long, as an overloaded app builds a backlog). */
const REPLY_TIMEOUT_MS = 120_000;
/** Calibration: a step's replies are complete once the chat has been quiet this long. */
const QUIET_MS = 500;
for (const [name, v] of Object.entries({ OPEN_RATE, OPEN_SECONDS, STEP_SECONDS, PACE_SECONDS, CONNECTIONS, STEPS: Math.min(...STEPS) })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`bench:inbound: bad option value ${name}=${v}`);
}

/**
 * What each person types: onboarding (greeting, consent, language, workplace search and pick), then
 * moving around the menu in a loop (materials, settings, back to the menu, …). On Telegram a number
 * that matches a button of the last question is a tap on that button (as people do there); on Zalo
 * (no buttons) it is typed.
 */
const ONBOARDING = ['xin chào', '1', '1', 'vsip', '1'];
const MENU_LOOP = ['4', '6', '1', 'menu', '2', '1', 'menu', 'cài đặt', 'menu'];
const stepText = (k: number) => (k < ONBOARDING.length ? ONBOARDING[k]! : MENU_LOOP[(k - ONBOARDING.length) % MENU_LOOP.length]!);
/** Index into the calibrated reply counts (onboarding steps, then one pass of the menu loop). */
const stepSlot = (k: number) => (k < ONBOARDING.length ? k : ONBOARDING.length + ((k - ONBOARDING.length) % MENU_LOOP.length));

type Platform = 'telegram' | 'zalo';

interface Collector {
  name: string;
  /** Webhook-to-first-reply, ms, of every answered event. */
  latencies: number[];
  /** From the POST until the webhook answered (the app has handled the event). */
  handled: number[];
  sent: number;
  /** First replies received so far (with their time). */
  answeredTimes: number[];
  unanswered: number;
}

interface Outstanding {
  sentAt: number;
  expected: number;
  received: number;
  firstAt?: number;
  collector: Collector;
  done: () => void;
  finished: Promise<void>;
  timer?: NodeJS.Timeout;
}

interface ChatState {
  pending: Outstanding[];
  /** Telegram: the buttons of the last message that had some. */
  keyboard?: { messageId: number; data: string[] };
  /** Calibration and --trace: every message, in order. */
  capture?: string[];
  onCapture?: () => void;
}

interface Person {
  platform: Platform;
  /** Telegram user id (number) or Zalo user id, as a string. */
  chatId: string;
  name: string;
  step: number;
}

const chats = new Map<string, ChatState>();
let unexpectedReplies = 0;
/** Webhook posts not answered 200 (all phases), by status. */
const webhookErrors: Record<string, number> = {};
const webhookError = (status: string) => (webhookErrors[status] = (webhookErrors[status] ?? 0) + 1);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

// ---- services: FerretDB/MongoDB shared, Redis our own -------------------------------------------

const started: ServiceHandle[] = [];
let mongoUri = process.env.MONGODB_URI || '';
if (!mongoUri) {
  const h = await ensureFerret({ quiet: true });
  if (h.startedHere) started.push(h);
  mongoUri = h.url;
}
let ownRedis: { proc: ChildProcess; dir: string } | undefined;
let redisUrl = process.env.REDIS_URL || '';
let redisNote: string;
if (!redisUrl && spawnSync('sh', ['-c', 'command -v redis-server']).status === 0) {
  // Same settings as the local Redis of tools/services.ts (AOF on, noeviction), on a port of its own.
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-inbound-redis-'));
  const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''], { stdio: 'ignore' });
  ownRedis = { proc, dir };
  redisUrl = `redis://127.0.0.1:${port}`;
  redisNote = `own redis-server (AOF on, noeviction): nobody else's commands are counted`;
} else if (redisUrl) {
  redisNote = 'REDIS_URL: its command counts include any other client of that server';
} else {
  const h = await ensureRedis({ quiet: true });
  if (h.startedHere) started.push(h);
  redisUrl = h.url;
  redisNote = 'shared local Redis (no redis-server binary to start one): command counts include other clients, e.g. tests';
}
{
  const { hostname, port } = new URL(redisUrl);
  const until = Date.now() + 10_000;
  while (!(await portOpen(Number(port || 6379), hostname))) {
    if (Date.now() > until) throw new Error(`Redis at ${hostname}:${port} did not accept connections within 10 s`);
    await sleep(50);
  }
}
const stats = new Redis(redisUrl, { maxRetriesPerRequest: 1 });

/** Calls per Redis command since the server started (INFO commandstats; our own INFO left out). */
async function redisCommandStats(): Promise<Map<string, number>> {
  const info = await stats.info('commandstats');
  const counts = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== 'info') counts.set(m[1]!, Number(m[2]));
  return counts;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** CPU time (user + system) of a process in ms, from /proc (Linux); undefined when unreadable. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}
const ferretPid = (() => {
  if (process.env.MONGODB_URI) return undefined;
  try {
    return Number(readFileSync(join(root, '.data', 'ferretdb.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
})();

function database(): { database: string; database_build?: Record<string, unknown> } {
  if (process.env.MONGODB_URI) return { database: 'mongodb' };
  let running: string | undefined;
  try {
    const pid = readFileSync(join(root, '.data', 'ferretdb.pid'), 'utf8').trim();
    running = basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    running = undefined;
  }
  const current = basename(ferretBinaryPath({ dir: join(root, 'tools', 'ferretdb'), dataDir: join(root, '.data') }));
  return {
    database: 'ferretdb-1.24.2-sqlite',
    database_build: { running: running ?? 'unknown', current_sources: current, running_is_current_patched_build: running === current },
  };
}

// ---- the fake platforms, in this process ----------------------------------------------------------

const telegram = new FakeTelegramServer();
const zalo = new FakeZaloServer();
const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);

function onMessage(platform: Platform, chatId: string, text: string, keyboard?: ChatState['keyboard']): void {
  const now = performance.now();
  const st = chats.get(`${platform}:${chatId}`);
  if (!st) {
    unexpectedReplies++;
    return;
  }
  if (keyboard) st.keyboard = keyboard;
  if (st.capture) {
    st.capture.push(text);
    st.onCapture?.();
    return;
  }
  const head = st.pending[0];
  if (!head) {
    unexpectedReplies++;
    return;
  }
  if (head.firstAt === undefined) {
    head.firstAt = now;
    head.collector.latencies.push(now - head.sentAt);
    head.collector.answeredTimes.push(now);
  }
  if (++head.received >= head.expected) {
    st.pending.shift();
    clearTimeout(head.timer);
    head.done();
  }
}

telegram.onSent((m: SentMessage) => {
  const rows = (m.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard;
  const keyboard = rows ? { messageId: m.message_id, data: rows.map((r) => r[0]?.callback_data ?? '') } : undefined;
  onMessage('telegram', m.chat_id, m.text ?? m.caption ?? `[${m.method}]`, keyboard);
});
zalo.onSent((m: FakeZaloSent) => {
  if (m.method === 'sendChatAction') return;
  onMessage('zalo', m.chat_id, m.text ?? m.caption ?? `[${m.method}]`);
});
// The fakes keep every call for tests; we match through onSent and need none of it.
const trim = setInterval(() => {
  telegram.sent.length = 0;
  telegram.calls.length = 0;
  zalo.sent.length = 0;
  zalo.calls.length = 0;
}, 1000);

let nextCallbackId = 1;
/** A tap on the button `data` under message `messageId`, built directly (the fake's helper scans everything sent). */
function callbackUpdate(userId: number, name: string, data: string, messageId: number): Update {
  const from = { id: userId, is_bot: false, first_name: name, language_code: 'vi' };
  const message = { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: userId, type: 'private', first_name: name }, from: telegram.botInfo, text: '…' };
  return telegram.rawUpdate({ callback_query: { id: `cb${nextCallbackId++}`, from, chat_instance: `ci-${userId}`, message, data } } as unknown as Omit<Update, 'update_id'>);
}

/**
 * At most `max` webhook requests in flight per platform, the rest wait in line, as the platforms
 * do: Telegram opens at most `max_connections` (default 40, which the app does not change) to a
 * webhook; Zalo publishes no figure and gets the same.
 */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(f: () => Promise<T>): Promise<T> {
    while (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
const gates: Record<Platform, Gate> = { telegram: new Gate(CONNECTIONS), zalo: new Gate(CONNECTIONS) };
/** Failures where the update surely never reached the app: the platform delivers it again. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Posts the person's next scripted event to the app's webhook (in the platform's line); resolves
 * with the HTTP status and when the POST started. A connection that could not be made is retried
 * after a second, up to 5 times, as the platforms redeliver.
 */
async function post(p: Person): Promise<{ status: number | string; postedAt: number }> {
  const push = nextUpdate(p);
  return gates[p.platform].run(async () => {
    for (let attempt = 1; ; attempt++) {
      const postedAt = performance.now();
      try {
        return { status: await push(), postedAt };
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code ?? '';
        if (!NOT_CONNECTED.has(code) || attempt >= 5) throw err;
        webhookError(`${code} (delivered again)`);
        await sleep(1000);
      }
    }
  });
}

/** The person's next scripted event, ready to be posted (and posted again, unchanged). */
function nextUpdate(p: Person): () => Promise<number | string> {
  const text = stepText(p.step++);
  if (p.platform === 'zalo') {
    const update = zalo.textUpdate(p.chatId, text, { name: p.name });
    return () => zalo.pushUpdate(update);
  }
  const id = Number(p.chatId);
  const st = chats.get(`telegram:${p.chatId}`);
  const kb = st?.keyboard;
  const n = /^\d+$/.test(text) ? Number(text) : 0;
  // A tap needs the question on screen: while an earlier event is still being answered the number
  // is typed (its pending entry is pushed before this post, so 1 means "only this one").
  const data = n > 0 && (st?.pending.length ?? 0) <= 1 ? kb?.data[n - 1] : undefined;
  const update = data ? callbackUpdate(id, p.name, data, kb!.messageId) : telegram.textUpdate(id, text, { firstName: p.name });
  return () => telegram.pushUpdate(update).then((s) => s ?? 'queued');
}

let replyCounts: Record<Platform, number[]> = { telegram: [], zalo: [] };

/** Sends the person's next event, expecting the calibrated number of replies. */
function send(p: Person, collector: Collector): Outstanding {
  const key = `${p.platform}:${p.chatId}`;
  let st = chats.get(key);
  if (!st) chats.set(key, (st = { pending: [] }));
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const o: Outstanding = { sentAt: performance.now(), expected: replyCounts[p.platform][stepSlot(p.step)]!, received: 0, collector, done, finished };
  st.pending.push(o);
  o.timer = setTimeout(() => {
    // No (complete) answer in time: give up on this event so the chat's later replies still match.
    const i = st.pending.indexOf(o);
    if (i >= 0) st.pending.splice(i, 1);
    if (o.firstAt === undefined) collector.unanswered++;
    done();
  }, REPLY_TIMEOUT_MS);
  collector.sent++;
  void post(p).then(
    ({ status, postedAt }) => {
      if (status !== 200) webhookError(String(status));
      else collector.handled.push(performance.now() - postedAt);
    },
    (err: Error & { cause?: { code?: string } }) => webhookError(err.cause?.code ?? err.name),
  );
  return o;
}

const newCollector = (name: string): Collector => ({ name, latencies: [], sent: 0, answeredTimes: [], handled: [], unanswered: 0 });
let personSeq = 0;
function newPerson(platform: Platform): Person {
  const i = personSeq++;
  return { platform, chatId: platform === 'telegram' ? String(9_000_000 + i) : `bench-zalo-${i}`, name: `Bench ${i}`, step: 0 };
}

// ---- the app, in its own process ---------------------------------------------------------------------

const id = randomBytes(4).toString('hex');
const dbName = `bench_inbound_${id}`;
const port = await freePort();
const limits = { INBOUND_BURST: '10000', INBOUND_REFILL_PER_SECOND: '10000', INBOX_MAX_EVENTS: '10000' };
const appEnv: Record<string, string> = {
  ...(Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TELEGRAM_|ZALO_|PUBLIC_URL$|PORT$|REDIS_|MONGODB_DB$|INBOUND_|INBOX_)/.test(k))) as Record<string, string>),
  MONGODB_DB: dbName,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: `bench${id}`,
  LOG_LEVEL: 'warn',
  PORT: String(port),
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  TELEGRAM_BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: apiRoot,
  TELEGRAM_WEBHOOK_SECRET: 'bench-secret-tg',
  ZALO_BOT_TOKEN: zalo.token,
  ZALO_API_BASE: zaloBase,
  ZALO_WEBHOOK_SECRET: 'bench-secret-zalo',
  // The platforms' own limits are not what we measure here.
  TELEGRAM_RATE_PER_SECOND: '10000',
  ZALO_RATE_PER_SECOND: '10000',
  // Per-person limits lifted: the simulated people must never be throttled or refused.
  ...limits,
  REPORTER_SEAL_KEY: randomBytes(32).toString('hex'),
  MARKER_KEY: randomBytes(32).toString('hex'),
  BENCH_COUNT_COMMANDS: '1',
};
const logPath = join(tmpdir(), `bench-inbound-app-${id}.log`);
const appLog = createWriteStream(logPath);
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'bench-inbound-prof-')) : undefined;
const app = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', '--import', './tools/bench-inbound-probe.ts', 'app/main.ts'], {
  cwd: root,
  env: appEnv,
  stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
});
app.stdout!.pipe(appLog, { end: false });
app.stderr!.pipe(appLog, { end: false });
let appExited = false;
app.once('exit', (code, signal) => {
  appExited = true;
  if (!stopping) {
    process.stderr.write(`bench:inbound: the app exited (${code ?? signal}) during the run; its output is in ${logPath}\n`);
    void cleanup().then(() => process.exit(1));
  }
});
let stopping = false;

async function cleanup(): Promise<void> {
  stopping = true;
  clearInterval(trim);
  if (!appExited) {
    const exited = new Promise((r) => app.once('exit', r));
    app.kill('SIGTERM');
    const killer = setTimeout(() => app.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  }
  appLog.end();
  await Promise.all([telegram.stop(), zalo.stop()]);
  stats.disconnect();
  if (ownRedis) {
    const exited = new Promise((r) => ownRedis!.proc.once('exit', r));
    if (ownRedis.proc.exitCode === null) ownRedis.proc.kill('SIGTERM');
    await exited;
    rmSync(ownRedis.dir, { recursive: true, force: true });
  }
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
// Should the benchmark fail half-way, the processes it started do not outlive it.
process.once('exit', () => {
  if (!appExited) app.kill('SIGTERM');
  if (ownRedis?.proc.exitCode === null) ownRedis.proc.kill('SIGTERM');
});

function probe(): Promise<ProbeReading> {
  return new Promise((resolveProbe, reject) => {
    const onMsg = (m: { probe?: ProbeReading }) => {
      if (!m.probe) return;
      app.off('message', onMsg);
      clearTimeout(t);
      resolveProbe(m.probe);
    };
    const t = setTimeout(() => {
      app.off('message', onMsg);
      reject(new Error('the app did not answer the probe within 10 s'));
    }, 10_000);
    app.on('message', onMsg);
    app.send({ probe: true });
  });
}

// Ready once both webhooks are registered with the fakes (main.ts does that after listening).
{
  const until = Date.now() + 120_000;
  while (!(telegram.webhook?.url && zalo.webhook.url)) {
    if (appExited) throw new Error(`the app exited during start-up; see ${logPath}`);
    if (Date.now() > until) throw new Error(`the app did not register its webhooks within 120 s; see ${logPath}`);
    await sleep(100);
  }
}

/** A snapshot of the app's counters and the Redis server's. */
interface Snapshot {
  at: number;
  probe: ProbeReading;
  redis: Map<string, number>;
  /** CPU ms of the database server (shared with anyone else using it) and of our own Redis. */
  ferretCpuMs?: number;
  redisCpuMs?: number;
}
const snapshot = async (): Promise<Snapshot> => {
  const [p, r] = await Promise.all([probe(), redisCommandStats()]);
  return { at: performance.now(), probe: p, redis: r, ferretCpuMs: processCpuMs(ferretPid), redisCpuMs: processCpuMs(ownRedis?.proc.pid) };
};

function costs(a: Snapshot, b: Snapshot, events: number) {
  const cpuMs = (b.probe.cpuMicros.user + b.probe.cpuMicros.system - a.probe.cpuMicros.user - a.probe.cpuMicros.system) / 1000;
  const delta = (x: Record<string, number> | Map<string, number>, y: Record<string, number> | Map<string, number>) => {
    const get = (o: Record<string, number> | Map<string, number>, k: string) => (o instanceof Map ? o.get(k) : o[k]) ?? 0;
    const keys = new Set([...(x instanceof Map ? x.keys() : Object.keys(x)), ...(y instanceof Map ? y.keys() : Object.keys(y))]);
    const out: Record<string, number> = {};
    for (const k of keys) {
      const d = get(y, k) - get(x, k);
      if (d > 0) out[k] = d;
    }
    return out;
  };
  const mongo = delta(a.probe.mongoCommands, b.probe.mongoCommands);
  const redis = delta(a.redis, b.redis);
  const total = (o: Record<string, number>) => Object.values(o).reduce((s, v) => s + v, 0);
  const perEvent = (o: Record<string, number>, top: number) =>
    Object.fromEntries(
      Object.entries(o)
        .sort((x, y) => y[1] - x[1])
        .slice(0, top)
        .map(([k, v]) => [k, round2(v / events)]),
    );
  const serverMs = (x?: number, y?: number) => (x === undefined || y === undefined ? null : round2((y - x) / events));
  return {
    seconds: (b.at - a.at) / 1000,
    cpuMs,
    ferretdb_cpu_ms_per_event: serverMs(a.ferretCpuMs, b.ferretCpuMs),
    redis_cpu_ms_per_event: serverMs(a.redisCpuMs, b.redisCpuMs),
    app_cpu_ms_per_event: round2(cpuMs / events),
    mongo_ops_per_event: round2(total(mongo) / events),
    redis_ops_per_event: round2(total(redis) / events),
    mongo_ops_by_command: perEvent(mongo, 20),
    redis_ops_by_command: perEvent(redis, 12),
  };
}

// ---- 1. calibration (and warm-up) ------------------------------------------------------------------------

/** Sends one event and collects its replies until the chat has been quiet for QUIET_MS. */
async function stepAndSettle(p: Person): Promise<string[]> {
  const key = `${p.platform}:${p.chatId}`;
  let st = chats.get(key);
  if (!st) chats.set(key, (st = { pending: [] }));
  const got: string[] = [];
  st.capture = got;
  const settled = new Promise<void>((resolveSettled, reject) => {
    let quiet: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => reject(new Error(`calibration: no reply on ${p.platform} to "${stepText(p.step - 1)}" within 15 s; see ${logPath}`)), 15_000);
    st.onCapture = () => {
      clearTimeout(timeout);
      clearTimeout(quiet);
      quiet = setTimeout(resolveSettled, QUIET_MS);
    };
  });
  const { status } = await post(p);
  if (status !== 200) throw new Error(`calibration: the ${p.platform} webhook answered ${status}; see ${logPath}`);
  await settled;
  st.capture = undefined;
  st.onCapture = undefined;
  return got;
}

const monitor = await stats.monitor();
let clientCommands = 0;
const clientCommandsByName = new Map<string, number>();
monitor.on('monitor', (_time: string, args: string[], source: string) => {
  // Commands a Lua script runs show "lua" as their source; ours are the INFO calls.
  const name = String(args[0] ?? '').toLowerCase();
  if (source === 'lua' || name === 'info') return;
  clientCommands++;
  // A script is named by the shape of its first key (ids and digits starred), so the
  // breakdown says which script ran, not only that one did.
  const key = (name === 'evalsha' || name === 'eval') && Number(args[2]) > 0 ? ` ${String(args[3]).replace(/[0-9a-f]{12,}|[A-Za-z0-9_-]{20,}|\d+/g, '*')}` : '';
  clientCommandsByName.set(name + key, (clientCommandsByName.get(name + key) ?? 0) + 1);
});
const calibrationSteps = ONBOARDING.length + 2 * MENU_LOOP.length;
const calStart = await snapshot();
const calClientStart = clientCommands;
for (const platform of ['telegram', 'zalo'] as const) {
  const p = newPerson(platform);
  const counts: number[] = [];
  for (let k = 0; k < calibrationSteps; k++) {
    const text = stepText(k);
    const replies = await stepAndSettle(p);
    if (values.trace) {
      process.stderr.write(`--- ${platform} step ${k}: "${text}" → ${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}\n`);
      for (const r of replies) process.stderr.write(`    ${r.replace(/\n/g, '\n    ')}\n`);
    }
    counts.push(replies.length);
  }
  const loopA = counts.slice(ONBOARDING.length, ONBOARDING.length + MENU_LOOP.length);
  const loopB = counts.slice(ONBOARDING.length + MENU_LOOP.length);
  if (loopA.join() !== loopB.join()) throw new Error(`calibration: the menu loop does not repeat on ${platform} (replies ${loopA.join(',')} then ${loopB.join(',')}); run with --trace`);
  replyCounts = { ...replyCounts, [platform]: counts.slice(0, ONBOARDING.length + MENU_LOOP.length) };
}
const calEnd = await snapshot();
const calClient = clientCommands - calClientStart;
const calEvents = 2 * calibrationSteps;
const sequential = costs(calStart, calEnd, calEvents);
process.stderr.write(`calibrated replies per step: telegram ${replyCounts.telegram.join(',')}; zalo ${replyCounts.zalo.join(',')}\n`);

// Idle: what the app does with no events (BullMQ polling, timers), for reading the per-event figures.
const idleStart = await snapshot();
const idleClientStart = clientCommands;
await sleep(5000);
const idleEnd = await snapshot();
const idleClient = clientCommands - idleClientStart;
monitor.disconnect();
const idleSeconds = (idleEnd.at - idleStart.at) / 1000;
const idle = costs(idleStart, idleEnd, idleSeconds);

// ---- 2. open loop -----------------------------------------------------------------------------------

const open = newCollector('open');
const openPeople: Person[] = Array.from({ length: Math.max(1, Math.round(OPEN_RATE * PACE_SECONDS)) }, (_, i) => newPerson(i % 2 === 0 ? 'telegram' : 'zalo'));
const openTotal = Math.round(OPEN_RATE * OPEN_SECONDS);
const openOutstanding: Promise<void>[] = [];
const loadStart = loadavg()[0]!;
const openA = await snapshot();
const openT0 = performance.now();
let fired = 0;
await new Promise<void>((resolveFired) => {
  // Fires every event that is due (catching up if a timer ran late), then sleeps until the next.
  const tick = () => {
    const due = Math.min(openTotal, Math.floor(((performance.now() - openT0) / 1000) * OPEN_RATE) + 1);
    while (fired < due) {
      const p = openPeople[fired % openPeople.length]!;
      openOutstanding.push(send(p, open).finished);
      fired++;
    }
    if (fired >= openTotal) return resolveFired();
    setTimeout(tick, Math.max(0, openT0 + (fired / OPEN_RATE) * 1000 - performance.now()));
  };
  tick();
});
const openSendSeconds = (performance.now() - openT0) / 1000;
await Promise.all(openOutstanding);
await sleep(500); // the delivery records written after the last sends
const openB = await snapshot();
const openCosts = costs(openA, openB, openTotal);
open.latencies.sort((a, b) => a - b);
open.handled.sort((a, b) => a - b);
process.stderr.write(
  `open loop ${OPEN_RATE} events/s for ${OPEN_SECONDS} s (${openPeople.length} people): p50 ${Math.round(percentile(open.latencies, 50))} ms, ` +
    `p95 ${Math.round(percentile(open.latencies, 95))} ms (webhook answered: p50 ${Math.round(percentile(open.handled, 50))} ms, p95 ${Math.round(percentile(open.handled, 95))} ms); app ${openCosts.app_cpu_ms_per_event} ms CPU, ${openCosts.mongo_ops_per_event} MongoDB commands, ${openCosts.redis_ops_per_event} Redis commands per event\n`,
);

// ---- 3. closed loop ---------------------------------------------------------------------------------

interface StepResult {
  people: number;
  events: number;
  events_per_second: number;
  p50_ms: number;
  p95_ms: number;
  webhook_p50_ms: number;
  webhook_p95_ms: number;
  unanswered: number;
}
const steps: StepResult[] = [];
const closedA = await snapshot();
let closedEvents = 0;
for (const n of STEPS) {
  const c = newCollector(`closed-${n}`);
  const people = Array.from({ length: n }, (_, i) => newPerson(i % 2 === 0 ? 'telegram' : 'zalo'));
  const t0 = performance.now();
  const end = t0 + STEP_SECONDS * 1000;
  await Promise.all(
    people.map(async (p, i) => {
      // Start spread over the first 200 ms, not all in the same millisecond.
      await sleep((i / n) * 200);
      while (performance.now() < end) await send(p, c).finished;
    }),
  );
  // Events/s: first replies within the step's window (each person's last event may end after it).
  const inWindow = c.answeredTimes.filter((t) => t <= end).length;
  c.latencies.sort((a, b) => a - b);
  c.handled.sort((a, b) => a - b);
  const r: StepResult = {
    people: n,
    events: c.sent,
    events_per_second: round1(inWindow / STEP_SECONDS),
    p50_ms: Math.round(percentile(c.latencies, 50)),
    p95_ms: Math.round(percentile(c.latencies, 95)),
    webhook_p50_ms: Math.round(percentile(c.handled, 50)),
    webhook_p95_ms: Math.round(percentile(c.handled, 95)),
    unanswered: c.unanswered,
  };
  closedEvents += c.sent;
  steps.push(r);
  process.stderr.write(`closed loop, ${n} people: ${r.events_per_second} events/s, p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms (webhook answered: p50 ${r.webhook_p50_ms} ms, p95 ${r.webhook_p95_ms} ms; ${r.events} events)\n`);
}
await sleep(500);
const closedB = await snapshot();
const closedCosts = costs(closedA, closedB, closedEvents);
const sustainedStep = steps.filter((s) => s.p95_ms < 1000 && s.unanswered === 0).sort((a, b) => b.events_per_second - a.events_per_second)[0];
const loadEnd = loadavg()[0]!;

// ---- results ------------------------------------------------------------------------------------------

const db = database();
const result = {
  sustained_events_per_second: sustainedStep?.events_per_second ?? 0,
  sustained_at_people: sustainedStep?.people ?? null,
  open_loop_rate: OPEN_RATE,
  open_loop_p50_ms: Math.round(percentile(open.latencies, 50)),
  open_loop_p95_ms: Math.round(percentile(open.latencies, 95)),
  open_loop_p99_ms: Math.round(percentile(open.latencies, 99)),
  open_loop_max_ms: Math.round(open.latencies.at(-1) ?? NaN),
  open_loop_webhook_p50_ms: Math.round(percentile(open.handled, 50)),
  open_loop_webhook_p95_ms: Math.round(percentile(open.handled, 95)),
  open_loop_seconds: OPEN_SECONDS,
  open_loop_events: openTotal,
  open_loop_people: openPeople.length,
  webhook_connections_per_platform: CONNECTIONS,
  open_loop_sent_per_second: round1(openTotal / openSendSeconds),
  open_loop_unanswered: open.unanswered,
  app_cpu_ms_per_event: openCosts.app_cpu_ms_per_event,
  app_cpu_share_of_one_core: round2(openCosts.cpuMs / 1000 / openCosts.seconds),
  mongo_ops_per_event: openCosts.mongo_ops_per_event,
  redis_ops_per_event: openCosts.redis_ops_per_event,
  ferretdb_cpu_ms_per_event: openCosts.ferretdb_cpu_ms_per_event,
  redis_server_cpu_ms_per_event: openCosts.redis_cpu_ms_per_event,
  mongo_ops_by_command: openCosts.mongo_ops_by_command,
  redis_ops_by_command: openCosts.redis_ops_by_command,
  closed_loop: steps,
  closed_loop_step_seconds: STEP_SECONDS,
  closed_loop_app_cpu_ms_per_event: closedCosts.app_cpu_ms_per_event,
  closed_loop_mongo_ops_per_event: closedCosts.mongo_ops_per_event,
  closed_loop_redis_ops_per_event: closedCosts.redis_ops_per_event,
  // One event at a time (calibration, with a quiet wait after each): includes the idle background
  // of that time (idle_per_second × sequential.seconds); "net" subtracts it.
  sequential: {
    events: calEvents,
    seconds: round1(sequential.seconds),
    mongo_ops_per_event: sequential.mongo_ops_per_event,
    redis_ops_per_event: sequential.redis_ops_per_event,
    redis_client_commands_per_event: round2(calClient / calEvents),
    redis_client_commands_per_event_net_of_idle: round2((calClient - (idleClient / idleSeconds) * sequential.seconds) / calEvents),
    redis_client_commands_by_name: Object.fromEntries([...clientCommandsByName].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round2(v / calEvents)])),
  },
  idle_per_second: { app_cpu_ms: idle.app_cpu_ms_per_event, mongo_ops: idle.mongo_ops_per_event, redis_ops: idle.redis_ops_per_event, redis_client_commands: round2(idleClient / idleSeconds) },
  webhook_errors: webhookErrors,
  unexpected_replies: unexpectedReplies,
  replies_per_step: replyCounts,
  script: { onboarding: ONBOARDING, menu_loop: MENU_LOOP },
  ...db,
  redis: redisNote,
  app: 'node --import tsx app/main.ts in its own process, webhooks (+ tools/bench-inbound-probe.ts, BENCH_COUNT_COMMANDS=1)',
  app_limits: limits,
  load_average_1m: { start: round2(loadStart), end: round2(loadEnd) },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
  quick: QUICK,
};

process.stderr.write(
  `sustained (closed loop, p95 < 1 s): ${result.sustained_events_per_second} events/s` +
    (sustainedStep ? ` at ${sustainedStep.people} people${sustainedStep === steps.at(-1) ? ' (the largest step: more may be possible)' : ''}` : ' (no step kept p95 under 1 s)') +
    '\n',
);

await cleanup();
// The app has exited: drop its database (FerretDB can crash when a dropped database is still queried).
{
  const conn = await connectMongo(mongoUri, dbName);
  await conn.dropDatabase();
  await conn.close();
}
for (const h of started) await stopService(h.name);
// Kept only when the app said more than its start-up lines.
if (existsSync(logPath) && readFileSync(logPath, 'utf8').split('\n').every((l) => l.trim() === '' || l.startsWith('[start] '))) rmSync(logPath, { force: true });
else process.stderr.write(`the app's output (warnings, errors): ${logPath}\n`);
if (profileDir) process.stderr.write(`the app's CPU profile (open it in Chrome DevTools): ${profileDir}\n`);
// Exit explicitly once the line is written (keep-alive sockets of fetch would keep us waiting).
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
