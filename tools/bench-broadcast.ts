/**
 * `npm run bench:broadcast`: measures broadcasts end to end against the fake Telegram Bot API
 * over real HTTP, with the real app (FerretDB or MONGODB_URI, Redis, BullMQ delivery lanes).
 * (a) a big broadcast with no platform rate limit: enqueue time, messages per second, peak RSS;
 * (b) a broadcast against a fake enforcing 30 messages/s: achieved fraction of the limit, 429s,
 * and the tightest second: the shortest time spanned by limit + 1 accepted messages (≥ 1,000 ms
 * means no second held more than the limit; its distance from 1,000 ms is the margin left).
 * Duplicates and losses for both; the app's CPU time per message sent (this process: fan-out,
 * lanes and HTTP client), which depends less than msg/s on what else the machine runs; the load
 * average before and after. Progress on stderr; the last line of stdout is one JSON object.
 * Options: --a <recipients> (20000) --b <recipients> (1000) --max-seconds <s> (1800 per phase);
 * (b) runs twice: with the default 4 delivery lanes per channel, and with 1.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { createAdapters } from '../bots/channels.js';
import { loadConfig } from '../core/config.js';
import { FakeTelegramProcess } from './fake-telegram-process.js';
import { seedInChild } from './seed-bench-members.js';
import { ensureServices } from './services.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, 'max-seconds': { type: 'string' } } });
const A = Number(values.a ?? 20_000);
const B = Number(values.b ?? 1_000);
const REPORT_MS = Number(process.env.BENCH_REPORT_MS ?? 10_000);
const MAX_MS = Number(values['max-seconds'] ?? 1800) * 1000;
// A platform token requires the privacy keys (docs/privacy.md): throw-away ones for the benchmark's own database.
const BENCH_KEYS = { REPORTER_SEAL_KEY: randomBytes(32).toString('hex'), MARKER_KEY: randomBytes(32).toString('hex') };
const say = (s: string) => process.stderr.write(`[bench:broadcast] ${s}\n`);
const memory = () => {
  const m = process.memoryUsage();
  return `rss ${Math.round(m.rss / 1e6)} MB (heap ${Math.round(m.heapUsed / 1e6)}/${Math.round(m.heapTotal / 1e6)} MB, external ${Math.round(m.external / 1e6)} MB)`;
};

interface PhaseResult {
  recipients: number;
  rateConfigured: number;
  fakeLimitPerSecond: number | null;
  createMs: number;
  enqueueMs: number | null;
  endToEndMs: number | null;
  messagesPerSecond: number;
  sent: number;
  duplicates: number;
  /** Members never reached once the broadcast finished; null when it was stopped at --max-seconds. */
  losses: number | null;
  /** Members not yet reached when the phase was stopped at --max-seconds. */
  unsentAtStop: number;
  tooManyRequests: number;
  peakRssMb: number;
  finished: boolean;
  /** CPU time of this process (user + system) per message sent, from the broadcast's start to its last message. */
  appCpuMsPerMessage: number;
  /** For the rate-limited phase: first-to-last message rate over the limit. */
  fractionOfLimit?: number;
  /** For the rate-limited phase: the shortest span of limit + 1 consecutive accepted messages, in ms. */
  tightestSecondMs?: number;
}

async function phase(name: string, recipients: number, rate: number, fakeLimit: number | null, urls: { mongoUri: string; redisUrl: string }, env: Record<string, string> = {}): Promise<PhaseResult> {
  // The platform runs in its own process: peak RSS is this app's alone.
  const telegram = await FakeTelegramProcess.start(fakeLimit);
  const apiRoot = telegram.apiRoot;
  const id = randomBytes(4).toString('hex');
  const config = loadConfig({ MONGODB_DB: `bench_bc_${id}`, REDIS_PREFIX: `bbc${id}`, LOG_LEVEL: 'error', TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_RATE_PER_SECOND: String(rate), ...BENCH_KEYS, ...env });
  const app = await createApp({ config, ...urls });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    for (const a of createAdapters(config, (e) => app.engine.handle(e), app.log, app.services.i18n)) app.startDelivery(a.sender, rate);
    await app.models.OrgUnit.create({ _id: 'hcm', name: 'Thành Đoàn', kind: 'city_youth_union', ancestors: [], aliases: [] });
    say(`${name}: app started, ${memory()}; seeding ${recipients} members`);
    await seedInChild(urls.mongoUri, config.MONGODB_DB, recipients, 1_000_000);
    const t0 = Date.now();
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Bản tin Đồng Hành: lịch sinh hoạt chi đoàn tháng này.' }, audience: { orgUnitId: 'hcm' }, schedule: { kind: 'once' }, quietHours: null },
      { id: 'bench', roles: 'operator' },
      { now: app.clock.now() },
    );
    const createMs = Date.now() - t0;
    say(`${name}: created in ${createMs} ms (audience preview included), ${memory()}`);
    const t1 = Date.now();
    const cpu0 = process.cpuUsage();
    let cpuAtEnd: NodeJS.CpuUsage | undefined;
    let enqueueMs: number | null = null;
    let endToEndMs: number | null = null;
    let lastReport = 0;
    while (Date.now() - t1 < MAX_MS) {
      const b = await app.services.broadcasts.get(broadcast._id);
      const now = await telegram.count();
      if (enqueueMs === null && b?.fannedOut) enqueueMs = Date.now() - t1;
      if (endToEndMs === null && now.sent >= recipients) {
        endToEndMs = Date.now() - t1;
        cpuAtEnd = process.cpuUsage(cpu0);
      }
      if (endToEndMs !== null && (b?.status === 'done' || Date.now() - t1 - endToEndMs > 60_000)) break;
      if (Date.now() - lastReport > REPORT_MS) {
        lastReport = Date.now();
        say(`${name}: ${Math.round((Date.now() - t1) / 1000)} s: enqueued ${b?.counts.targeted ?? 0}, sent ${now.sent}/${recipients}, 429s ${now.tooManyRequests}, peak rss ${Math.round(peak / 1e6)} MB, now ${memory()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    // Anything still arriving late would be a duplicate: give stragglers a moment.
    await new Promise((r) => setTimeout(r, 1000));
    const stats = await telegram.stats();
    const sent = stats.sent.map(([chat_id, time]) => ({ chat_id, time }));
    const perChat = new Map<string, number>();
    for (const m of sent) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    const duplicates = [...perChat.values()].reduce((n, c) => n + (c - 1), 0);
    const losses = Array.from({ length: recipients }, (_, i) => String(1_000_000 + i)).filter((c) => !perChat.has(c)).length;
    const elapsed = endToEndMs ?? Date.now() - t1;
    const cpu = cpuAtEnd ?? process.cpuUsage(cpu0);
    const times = sent.map((m) => m.time).sort((x, y) => x - y);
    const span = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
    const result: PhaseResult = {
      recipients,
      rateConfigured: rate,
      fakeLimitPerSecond: fakeLimit,
      createMs,
      enqueueMs,
      endToEndMs,
      messagesPerSecond: Math.round((sent.length / (elapsed / 1000)) * 10) / 10,
      sent: sent.length,
      duplicates,
      losses: endToEndMs !== null ? losses : null,
      unsentAtStop: endToEndMs !== null ? 0 : losses,
      tooManyRequests: stats.tooManyRequests,
      peakRssMb: Math.round(peak / 1e6),
      finished: endToEndMs !== null,
      appCpuMsPerMessage: sent.length > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / sent.length) * 1000) / 1000 : 0,
    };
    if (fakeLimit && span > 0) result.fractionOfLimit = Math.round(((times.length - 1) / span / fakeLimit) * 1000) / 1000;
    if (fakeLimit && times.length > fakeLimit) {
      let tightest = Infinity;
      for (let k = 0; k + fakeLimit < times.length; k++) tightest = Math.min(tightest, times[k + fakeLimit]! - times[k]!);
      result.tightestSecondMs = tightest;
    }
    say(`${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    clearInterval(sampler);
    // Workers stop before the drop: FerretDB can crash when a dropped database is still queried.
    await Promise.all(app.workers.map((w) => w.close()));
    await app.conn.dropDatabase().catch(() => undefined);
    const keys = await app.redis.keys(`bbc${id}*`);
    for (let i = 0; i < keys.length; i += 500) await app.redis.del(...keys.slice(i, i + 500));
    await app.close();
    await telegram.stop();
  }
}

const urls = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const server = process.env.MONGODB_URI ? 'MongoDB (MONGODB_URI)' : 'FerretDB 1.24 (SQLite)';
const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
say(`database ${server}; ${cpus().length} cores; load average ${loadBefore.join(' ')}`);
// (a) first, so its peak RSS is not inflated by what earlier phases left on the heap.
// "No limit": the lanes are paced far above what one machine sends, so pacing never binds.
const a = await phase('a (no limit)', A, 10_000, null, urls);
const b = await phase('b (30/s limit, 4 lanes)', B, 30, 30, urls);
// The delivery lanes each pace themselves; one lane paces the whole channel exactly.
const b1 = await phase('b (30/s limit, 1 lane)', B, 30, 30, urls, { DELIVERY_SHARDS: '1' });
console.log(
  JSON.stringify({
    database: server,
    cores: cpus().length,
    loadAverage: { before: loadBefore, after: loadavg().map((l) => Math.round(l * 100) / 100) },
    a: { recipients: a.recipients, enqueueMs: a.enqueueMs, messagesPerSecond: a.messagesPerSecond, peakRssMb: a.peakRssMb, appCpuMsPerMessage: a.appCpuMsPerMessage, duplicates: a.duplicates, losses: a.losses, unsentAtStop: a.unsentAtStop, finished: a.finished, endToEndMs: a.endToEndMs, sent: a.sent },
    b: { recipients: b.recipients, limitPerSecond: 30, deliveryLanes: 4, achievedFractionOfLimit: b.fractionOfLimit ?? null, tightestSecondMs: b.tightestSecondMs ?? null, tooManyRequests: b.tooManyRequests, duplicates: b.duplicates, losses: b.losses, finished: b.finished },
    bOneLane: { recipients: b1.recipients, limitPerSecond: 30, deliveryLanes: 1, achievedFractionOfLimit: b1.fractionOfLimit ?? null, tightestSecondMs: b1.tightestSecondMs ?? null, tooManyRequests: b1.tooManyRequests, duplicates: b1.duplicates, losses: b1.losses, finished: b1.finished },
    targets: { aMessagesPerSecond: 1000, aPeakRssMb: 300, bFraction: 0.95, b429: 0 },
  }),
);
process.exit(0);
