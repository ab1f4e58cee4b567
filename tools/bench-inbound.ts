/**
 * `npm run bench:inbound`: simulated people chat through the webhooks of both platforms (via
 * the fake Telegram and Zalo servers over real HTTP) and we measure webhook-to-reply latency
 * (from the platform posting an update until the first reply reaches the platform) and the
 * inbound events per second sustained. The last line printed is one JSON object.
 *
 * Usage: npm run bench:inbound [-- --users 50 --rounds 8]
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../bots/app.js';
import { createAdapters } from '../bots/channels.js';
import { buildHttpServer } from '../bots/http-server.js';
import { loadConfig } from '../core/config.js';
import { seedSampleOrg } from '../core/org/sample-seed.js';
import { FakeTelegramServer } from '../test/fake-telegram-server.js';
import { FakeZaloServer } from '../test/fake-zalo-server.js';
import { ensureServices, stopService } from './services.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '50' }, rounds: { type: 'string', default: '8' } } });
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);

/** What each simulated person types, in order: onboarding, then moving around the menu. */
const SCRIPT = ['xin chào', '1', '1', 'vsip', '1', '4', '6', '1', '4', '6', '2', '4', '6'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const telegram = new FakeTelegramServer();
const zalo = new FakeZaloServer();
const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
const id = randomBytes(4).toString('hex');
const config = loadConfig({
  MONGODB_DB: `bench_inbound_${id}`,
  REDIS_PREFIX: `bench${id}`,
  LOG_LEVEL: 'silent',
  TELEGRAM_BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: apiRoot,
  TELEGRAM_WEBHOOK_SECRET: 'bench-secret-tg',
  ZALO_BOT_TOKEN: zalo.token,
  ZALO_API_BASE: zaloBase,
  ZALO_WEBHOOK_SECRET: 'bench-secret-zalo',
  // The platforms' own limits are not what we measure here.
  TELEGRAM_RATE_PER_SECOND: '1000',
  ZALO_RATE_PER_SECOND: '1000',
});
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl });
await seedSampleOrg(app.models);
const adapters = createAdapters(config, (e) => app.engine.handle(e), app.log, app.services.i18n);
for (const a of adapters) app.startDelivery(a.sender, 1000);
const server = buildHttpServer(app, adapters, 'webhook');
const address = await server.listen({ port: 0, host: '127.0.0.1' });
for (const a of adapters) await a.setWebhook(`${address}/webhooks/${a.channel}`);

/** Resolves when `count()` grows past `before`. */
async function replied(count: () => number, before: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (count() <= before) {
    if (Date.now() > until) throw new Error('no reply within 30 s');
    await new Promise((r) => setImmediate(r));
  }
}

const latencies: number[] = [];
/** Time until the webhook answered (the engine has handled the event); the rest is delivery. */
const handled: number[] = [];
let events = 0;

async function person(i: number): Promise<void> {
  const onTelegram = i % 2 === 0;
  const tgId = 9_000_000 + i;
  const zaloId = `bench-zalo-${i}`;
  const sentTo = () => (onTelegram ? telegram.sent.filter((s) => s.chat_id === String(tgId)).length : zalo.sent.filter((s) => s.chat_id === zaloId).length);
  for (let round = 0; round < ROUNDS; round++) {
    const text = SCRIPT[Math.min(round, SCRIPT.length - 1)]!;
    const before = sentTo();
    const started = performance.now();
    if (onTelegram) await telegram.pushUpdate(telegram.textUpdate(tgId, text, { firstName: `Bench ${i}` }));
    else await zalo.pushUpdate(zalo.textUpdate(zaloId, text, { name: `Bench ${i}` }));
    handled.push(performance.now() - started);
    await replied(sentTo, before);
    latencies.push(performance.now() - started);
    events++;
  }
}

// Warm-up: one person through the first steps (connections, caches, JIT).
await person(USERS + 1);
latencies.length = 0;
handled.length = 0;
events = 0;

const started = performance.now();
await Promise.all(Array.from({ length: USERS }, (_, i) => person(i)));
const seconds = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
handled.sort((a, b) => a - b);
const result = {
  users: USERS,
  events,
  platforms: ['telegram', 'zalo'],
  latency_ms: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), max: Math.round(latencies.at(-1)!) },
  webhook_handled_ms: { p50: Math.round(percentile(handled, 50)), p95: Math.round(percentile(handled, 95)) },
  events_per_second: Math.round((events / seconds) * 10) / 10,
  database: process.env.MONGODB_URI ? 'mongodb' : 'ferretdb-1.24.2-sqlite',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
};
console.log(`webhook-to-reply latency at ${USERS} concurrent users: p50 ${result.latency_ms.p50} ms, p95 ${result.latency_ms.p95} ms (max ${result.latency_ms.max} ms)`);
console.log(`sustained: ${result.events_per_second} inbound events/s (${events} events in ${seconds.toFixed(1)} s)`);

await server.close();
// Workers stop before the drop: FerretDB can crash when a dropped database is still queried.
await Promise.all(app.workers.map((w) => w.close()));
await app.conn.dropDatabase();
await app.close();
await Promise.all([telegram.stop(), zalo.stop()]);
for (const h of services.started) await stopService(h.name);
console.log(JSON.stringify(result));
