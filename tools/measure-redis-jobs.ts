/**
 * How much Redis memory waiting delivery jobs take (docs/operations.md, "Capacity"). Uses the
 * running local Redis (`npm run services -- start`; redis://127.0.0.1:6381, or REDIS_URL / --url)
 * and starts nothing itself. Under a prefix of its own it queues jobs exactly as the app does,
 * through the real QueueOutbox (same lanes, job options, sealing and fairness hashes), reads
 * `INFO memory` before and after, sums `MEMORY USAGE` over its own keys, then removes everything
 * it wrote.
 *
 *   npx tsx tools/measure-redis-jobs.ts                      # 100,000 jobs of each shape
 *   npx tsx tools/measure-redis-jobs.ts --jobs 20000 --only broadcast
 *
 * Two shapes, measured one after the other:
 * - `broadcast`: a broadcast's messages (bulk, not sealed, a ~400-character Vietnamese
 *   announcement with its footer, member id and tally), 70% on Zalo and 30% on Telegram;
 * - `replies`: conversation replies (priority reply, sealed with REPORTER_SEAL_KEY, a menu with
 *   six choices), one per chat, each counted in its chat's fairness hash.
 *
 * `INFO memory` is server-wide: on a Redis shared with other work its delta moves with that work.
 * The sum of `MEMORY USAGE` over this run's keys counts only what this run wrote, so both are
 * printed. The last line is one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bullConnection } from '../app/bull-connection.js';
import type { ChannelName, Envelope, Outbound } from '../core/engine/types.js';
import { PrivacyKeys } from '../core/privacy/privacy-keys.js';
import { RedisKeys } from '../core/redis-keys.js';
import { ChatFairness } from '../workers/chat-fairness.js';
import { QueueOutbox } from '../workers/delivery-queue.js';

type Shape = 'broadcast' | 'replies';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const URL_ = option('url') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6381';
const JOBS = Number(option('jobs') ?? 100_000);
const SHAPES: Shape[] = option('only') ? [option('only') as Shape] : ['broadcast', 'replies'];
const BATCH = 1000;
/** The app's defaults (DELIVERY_SHARDS=4, DELIVERY_FAIRNESS_LEVELS=9). */
const SHARDS = { console: 1, telegram: 4, zalo: 4 };
const FAIRNESS_LEVELS = 9;

if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error('--jobs expects a whole number above 0');
for (const s of SHAPES) if (s !== 'broadcast' && s !== 'replies') throw new Error('--only expects broadcast or replies');

const ANNOUNCEMENT =
  'Thông báo: Chủ nhật này (8 giờ – 11 giờ), Đoàn Thanh niên khu công nghiệp tổ chức ngày hội tư vấn pháp luật lao động miễn phí tại nhà văn hóa khu trọ. ' +
  'Các luật sư sẽ giải đáp về hợp đồng lao động, tiền lương, làm thêm giờ, bảo hiểm xã hội và bảo hiểm thất nghiệp. ' +
  'Bạn mang theo hợp đồng lao động hoặc phiếu lương (nếu có). Có khám sức khỏe miễn phí và quà cho 200 người đến sớm nhất.' +
  '\n\n— Gõ "ngừng nhận tin" nếu bạn không muốn nhận thông báo chung nữa.';

const MENU: Outbound = {
  text: 'Bạn muốn làm gì tiếp theo? Chọn một mục bên dưới hoặc gõ số thứ tự.',
  choices: [
    { id: 'materials', label: 'Tài liệu' },
    { id: 'surveys', label: 'Khảo sát' },
    { id: 'concern', label: 'Gửi phản ánh' },
    { id: 'my-concerns', label: 'Phản ánh của tôi' },
    { id: 'meetings', label: 'Sinh hoạt chi đoàn' },
    { id: 'settings', label: 'Cài đặt' },
  ],
  choiceNonce: 'k3Xa9Q',
  locale: 'vi',
};

/** A platform chat id as the platforms write them: Telegram a 10-digit number, Zalo 18 hex-like characters. */
const chatIdOf = (channel: ChannelName, i: number) => (channel === 'telegram' ? String(5_000_000_000 + i) : `a${(7_000_000_000_000_000n + BigInt(i)).toString(16)}`);
const memberIdOf = (i: number) => `m_${i.toString(36).padStart(8, '0')}Xk2pQ9`;

function envelope(shape: Shape, i: number, broadcastId: string): Envelope {
  const channel: ChannelName = i % 10 < 7 ? 'zalo' : 'telegram';
  const chatId = chatIdOf(channel, i);
  const memberId = memberIdOf(i);
  if (shape === 'broadcast') {
    return { channel, chatId, key: `bc:${broadcastId}:${memberId}`, messages: [{ text: ANNOUNCEMENT, locale: 'vi' }], priority: 'bulk', memberId, tally: broadcastId };
  }
  // A turn's replies, keyed as the engine keys them (identity, event id), sealed as the engine asks.
  return { channel, chatId, key: `${channel}:${chatId}:${1_000_000 + i}`, messages: [MENU], priority: 'reply', memberId, seal: true };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)![1]);
}

/** Every key under the prefix, with the sum of `MEMORY USAGE` (SAMPLES 0: every element counted). */
async function keysUnder(redis: Redis, prefix: string): Promise<{ keys: string[]; bytes: number }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 1000)) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    for (const [err, n] of (await pipe.exec())!) if (!err) bytes += Number(n ?? 0);
  }
  return { keys, bytes };
}

async function removeAll(redis: Redis, outbox: QueueOutbox, prefix: string): Promise<number> {
  for (const channel of ['telegram', 'zalo'] as const) for (const q of outbox.queuesOf(channel)) await q.obliterate({ force: true });
  const { keys } = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  return (await keysUnder(redis, prefix)).keys.length;
}

interface Measured {
  shape: Shape;
  jobs: number;
  seconds: number;
  keys: number;
  memory_usage_bytes: number;
  memory_usage_bytes_per_job: number;
  memory_usage_mb_per_100k: number;
  info_used_memory_delta_bytes: number;
  info_used_memory_mb_per_100k: number;
  left_after_cleanup: number;
}

async function measure(redis: Redis, shape: Shape): Promise<Measured> {
  const prefix = `measure-jobs-${process.pid}-${randomBytes(3).toString('hex')}`;
  const keys = new PrivacyKeys(randomBytes(32), randomBytes(32));
  const redisKeys = new RedisKeys(prefix);
  const outbox = new QueueOutbox(bullConnection(URL_), redisKeys, SHARDS, keys);
  outbox.fairness = new ChatFairness(redis, redisKeys, FAIRNESS_LEVELS);
  const broadcastId = `b_${randomBytes(5).toString('hex')}`;
  let measured: Omit<Measured, 'left_after_cleanup'>;
  let left: number;
  try {
    // Open every lane before the first reading, so the connections' own buffers are not counted.
    await Promise.all((['telegram', 'zalo'] as const).flatMap((c) => outbox.queuesOf(c).map((q) => q.waitUntilReady())));
    const before = await usedMemory(redis);
    const started = Date.now();
    for (let i = 0; i < JOBS; i += BATCH) {
      const batch: Envelope[] = [];
      for (let j = i; j < Math.min(JOBS, i + BATCH); j++) batch.push(envelope(shape, j, broadcastId));
      await outbox.send(batch);
      if ((i / BATCH) % 20 === 19) process.stderr.write(`  ${shape}: ${i + BATCH} jobs queued\n`);
    }
    const seconds = (Date.now() - started) / 1000;
    const after = await usedMemory(redis);
    const waiting = (await outbox.pending('telegram')) + (await outbox.pending('zalo'));
    if (waiting !== JOBS) throw new Error(`expected ${JOBS} waiting jobs, found ${waiting}`);
    const own = await keysUnder(redis, prefix);
    const per100k = (bytes: number) => Math.round((bytes / JOBS) * 100_000 / 1e5) / 10;
    measured = {
      shape,
      jobs: JOBS,
      seconds: Math.round(seconds * 10) / 10,
      keys: own.keys.length,
      memory_usage_bytes: own.bytes,
      memory_usage_bytes_per_job: Math.round(own.bytes / JOBS),
      memory_usage_mb_per_100k: per100k(own.bytes),
      info_used_memory_delta_bytes: after - before,
      info_used_memory_mb_per_100k: per100k(after - before),
    };
  } finally {
    left = await removeAll(redis, outbox, prefix);
    await outbox.close();
    if (left > 0) process.stderr.write(`  warning: ${left} keys under ${prefix} could not be removed\n`);
  }
  return { ...measured, left_after_cleanup: left };
}

const redis = new Redis(URL_, { maxRetriesPerRequest: 3, lazyConnect: true });
try {
  await redis.connect();
} catch (err) {
  process.stderr.write(`Cannot reach Redis at ${URL_.replace(/\/\/[^@/]*@/, '//***@')} (${(err as Error).message}): start it with \`npm run services -- start\`, or pass --url\n`);
  process.exit(1);
}
const info = await redis.info('server');
const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? '?';
process.stderr.write(`Redis ${version} at ${URL_.replace(/\/\/[^@/]*@/, '//***@')}; ${JOBS} jobs per shape\n`);
const results: Measured[] = [];
for (const shape of SHAPES) {
  const m = await measure(redis, shape);
  results.push(m);
  process.stdout.write(
    `${shape.padEnd(9)} ${m.jobs} jobs in ${m.seconds} s, ${m.keys} keys: MEMORY USAGE ${(m.memory_usage_bytes / 1e6).toFixed(1)} MB ` +
      `(${m.memory_usage_bytes_per_job} B/job, ${m.memory_usage_mb_per_100k} MB per 100,000); INFO used_memory +${(m.info_used_memory_delta_bytes / 1e6).toFixed(1)} MB ` +
      `(${m.info_used_memory_mb_per_100k} MB per 100,000); left after cleanup: ${m.left_after_cleanup} keys\n`,
  );
}
await redis.quit();
process.stdout.write(`${JSON.stringify({ redis_version: version, results })}\n`);
