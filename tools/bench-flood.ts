/**
 * `npm run bench:flood`: a flood of Zalo webhook events (by default 2,000 from 40 accounts over
 * 12 s, through the fake Zalo server over real HTTP, at the platform rate of 20 messages/s)
 * while unrelated people write: one in the middle of the flood, one right after it. Prints each
 * unrelated person's first-reply latency (from posting the event until their first message
 * reaches the platform), what the flood got through, and how long its backlog took to drain.
 * The last line printed is one JSON object.
 *
 * Usage: npm run bench:flood [-- --ids 40 --events 2000 --seconds 12 --rate 20 --no-limits]
 * (`--no-limits` lifts the per-person bucket and inbox cap and turns lane fairness off: the
 * behaviour before them, for comparison.)
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../app/app.js';
import { createAdapters } from '../bots/channels.js';
import { buildHttpServer } from '../bots/http-server.js';
import { loadConfig } from '../core/config.js';
import { seedSampleOrg } from '../core/org/sample-seed.js';
import { FakeZaloServer } from '../test/fake-zalo-server.js';
import { ensureServices, stopService } from './services.js';

const { values } = parseArgs({
  options: {
    ids: { type: 'string', default: '40' },
    events: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '12' },
    rate: { type: 'string', default: '20' },
    'no-limits': { type: 'boolean', default: false },
  },
});
const IDS = Number(values.ids);
const EVENTS = Number(values.events);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const LIMITS = !values['no-limits'];

const services = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined }, { quiet: true });
const zalo = new FakeZaloServer();
const zaloBase = await zalo.start();
const id = randomBytes(4).toString('hex');
const config = loadConfig({
  MONGODB_DB: `bench_flood_${id}`,
  REDIS_PREFIX: `bflood${id}`,
  LOG_LEVEL: 'silent',
  ZALO_BOT_TOKEN: zalo.token,
  ZALO_API_BASE: zaloBase,
  ZALO_WEBHOOK_SECRET: 'bench-secret-zalo',
  ZALO_RATE_PER_SECOND: String(RATE),
  REPORTER_SEAL_KEY: randomBytes(32).toString('hex'),
  MARKER_KEY: randomBytes(32).toString('hex'),
  ...(LIMITS ? {} : { INBOUND_BURST: '10000', INBOUND_REFILL_PER_SECOND: '10000', INBOX_MAX_EVENTS: '10000', DELIVERY_FAIRNESS_LEVELS: '1' }),
});
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl });
await seedSampleOrg(app.models);
const adapters = createAdapters(config, (e) => app.engine.handle(e), app.log, app.services.i18n);
for (const a of adapters) app.startDelivery(a.sender, RATE);
const server = buildHttpServer(app, adapters, 'webhook');
const address = await server.listen({ port: 0, host: '127.0.0.1' });
for (const a of adapters) await a.setWebhook(`${address}/webhooks/${a.channel}`);

const sentTo = (chat: string) => zalo.sent.filter((s) => s.method === 'sendMessage' && s.chat_id === chat);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts one event from `chat` and resolves with the ms until its first message reached the platform. */
async function firstReply(chat: string, text: string): Promise<number> {
  const before = sentTo(chat).length;
  const started = Date.now();
  const update = zalo.textUpdate(chat, text, { name: chat });
  // A socket the server closed as it was reused (thousands of connections): post again, as Zalo would.
  await zalo.pushUpdate(update).catch(() => zalo.pushUpdate(update));
  const until = started + 300_000;
  while (sentTo(chat).length <= before) {
    if (Date.now() > until) throw new Error(`no reply to ${chat} within 300 s`);
    await sleep(5);
  }
  return sentTo(chat)[before]!.time - started;
}

// Warm-up: one person's first steps (connections, caches, JIT), then an idle lane.
for (const text of ['xin chào', '1', '1']) await firstReply('bench-warmup', text);

const flooders = Array.from({ length: IDS }, (_, i) => `bench-flood-${i}`);
const statuses = new Map<number | string, number>();
const floodStarted = Date.now();
const inFlight: Promise<void>[] = [];
const gap = (SECONDS * 1000) / EVENTS;
let during: Promise<number> | undefined;
for (let i = 0; i < EVENTS; i++) {
  const chat = flooders[i % IDS]!;
  inFlight.push(
    zalo.pushUpdate(zalo.textUpdate(chat, `tin nhắn ${i}`, { name: chat })).then(
      (s) => void statuses.set(s, (statuses.get(s) ?? 0) + 1),
      () => void statuses.set('error', (statuses.get('error') ?? 0) + 1),
    ),
  );
  if (i === Math.floor(EVENTS / 2)) during = firstReply('bench-bystander-during', 'xin chào');
  const due = floodStarted + (i + 1) * gap;
  if (due > Date.now()) await sleep(due - Date.now());
}
const floodSentMs = Date.now() - floodStarted;
// "An unrelated person who wrote next": right after the last flood event was posted.
const after = await firstReply('bench-bystander-after', 'xin chào');
const duringMs = await during!;
await Promise.all(inFlight);
const webhooksAnsweredMs = Date.now() - floodStarted;
const until = Date.now() + 600_000;
while ((await app.outbox.pending('zalo')) > 0 && Date.now() < until) await sleep(100);
const drainedMs = Date.now() - floodStarted;

const floodMessages = zalo.sent.filter((s) => s.method === 'sendMessage' && s.chat_id.startsWith('bench-flood-')).length;
let handled = 0;
for (const chat of flooders) handled += (await app.models.Conversation.findById(`zalo:${chat}`).lean())?.recentEvents.length ?? 0;
const result = {
  limits: LIMITS ? { burst: config.INBOUND_BURST, refill_per_second: config.INBOUND_REFILL_PER_SECOND, inbox_max: config.INBOX_MAX_EVENTS, fairness_levels: config.DELIVERY_FAIRNESS_LEVELS } : 'off',
  flood: { ids: IDS, events: EVENTS, posted_in_ms: floodSentMs, webhook_statuses: Object.fromEntries(statuses), handled_events_lower_bound: handled, messages_sent: floodMessages, all_webhooks_answered_ms: webhooksAnsweredMs, backlog_drained_ms: drainedMs },
  platform_rate_per_second: RATE,
  bystander_first_reply_ms: { during_flood: duringMs, right_after_flood: after },
  database: process.env.MONGODB_URI ? 'mongodb' : 'ferretdb-1.24.2-sqlite',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg_1m: Math.round(loadavg()[0]! * 10) / 10 },
};
console.log(`flood: ${EVENTS} events from ${IDS} Zalo accounts posted in ${(floodSentMs / 1000).toFixed(1)} s; ${floodMessages} messages sent to them; backlog drained after ${(drainedMs / 1000).toFixed(1)} s`);
console.log(`unrelated person's first reply: ${duringMs} ms (writing mid-flood), ${after} ms (writing right after the flood)`);

await server.close();
// Workers stop before the drop: FerretDB can crash when a dropped database is still queried.
await Promise.all(app.workers.map((w) => w.close()));
await app.conn.dropDatabase();
const keys = await app.redis.keys(`bflood${id}*`);
if (keys.length) await app.redis.del(...keys);
await app.close();
await zalo.stop();
for (const h of services.started) await stopService(h.name);
console.log(JSON.stringify(result));
