/**
 * Crash safety of broadcasts: the fan-out runs in a CHILD process that is killed with SIGKILL
 * at random moments, several times, and started again; every targeted member must end up with
 * exactly one message on the fake Telegram server. Delivery workers run in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { bindBroadcastModels } from '../core/broadcasts/models.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { seedMembers } from './support/broadcast-members.js';
import { eventually } from './support/platforms.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Big enough that several kills land mid-fan-out on FerretDB, small enough to run in a minute or so. */
const RECIPIENTS = Number(process.env.CRASH_TEST_RECIPIENTS ?? 1500);
const KILLS = 4;

let app: TestApp;
let telegram: FakeTelegramServer;
let child: ChildProcess | undefined;

function startChild(): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', 'app/broadcast-main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MONGODB_URI: inject('mongoUri'),
      REDIS_URL: inject('redisUrl'),
      MONGODB_DB: app.config.MONGODB_DB,
      REDIS_PREFIX: app.config.REDIS_PREFIX,
      TELEGRAM_RATE_PER_SECOND: String(app.config.TELEGRAM_RATE_PER_SECOND),
      LOG_LEVEL: 'silent',
      BROADCAST_LOCK_DURATION_MS: '1500',
      BROADCAST_STALLED_INTERVAL_MS: '700',
      BROADCAST_RUNNER_LOCK_MS: '1500',
    },
  });
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((done, fail) => {
    c.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) done(c);
    });
    c.once('exit', (code) => fail(new Error(`broadcast worker exited (${code}) before it was ready: ${err.slice(-2000)}`)));
  });
}

function kill(c: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (c.exitCode !== null || c.signalCode !== null) return done();
    c.once('exit', () => done());
    c.kill('SIGKILL');
  });
}

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  const apiRoot = await telegram.start();
  // The fan-out keeps only a few seconds queued ahead of the lanes, so its length follows the
  // send rate: at 50 messages/s it lasts about 30 s, twice what four kills and restarts take
  // (at 100/s it sometimes finished before the fourth kill, and the wait for new records hung).
  app = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_RATE_PER_SECOND: '50' });
  // Only the child process may run broadcasts here.
  await Promise.all(app.workers.filter((w) => w.name === 'broadcasts').map((w) => w.close()));
  for (const a of createAdapters(app.config, (e) => app.engine.handle(e), app.log, app.services.i18n)) app.startDelivery(a.sender, app.config.TELEGRAM_RATE_PER_SECOND);
  await insertSampleUnits(app.models);
  await seedMembers(app.models, RECIPIENTS, { channel: 'telegram', userId: (i) => String(100_000 + i) });
}, 120_000);

afterAll(async () => {
  if (child) await kill(child);
  await app?.close();
  await telegram?.stop();
});

describe('broadcast crash safety', () => {
  it(`delivers exactly one message to each of ${RECIPIENTS} members although the worker is killed ${KILLS} times`, async () => {
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Thông báo: sinh hoạt chi đoàn tối thứ Sáu' }, audience: {}, schedule: { kind: 'once' }, quietHours: null },
      { id: 'sec', roles: ['secretariat'] },
      { now: app.clock.now() },
    );
    const { BroadcastRecord } = bindBroadcastModels(app.conn);
    const kills: { afterMs: number; sentBefore: number; recorded: number; duringFanOut: boolean }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = await BroadcastRecord.countDocuments({});
      child = await startChild();
      // Once this run has fanned out a page (or the fan-out is over), kill it at a random moment of its work.
      await eventually(async () => {
        const b = await app.services.broadcasts.get(broadcast._id);
        expect(b?.fannedOut || (await BroadcastRecord.countDocuments({})) > before).toBe(true);
      }, 60_000);
      const afterMs = Math.floor(Math.random() * 1500);
      await new Promise((r) => setTimeout(r, afterMs));
      const b = await app.services.broadcasts.get(broadcast._id);
      kills.push({ afterMs, sentBefore: telegram.sent.length, recorded: await BroadcastRecord.countDocuments({}), duringFanOut: b?.status === 'sending' && !b.fannedOut });
      await kill(child);
    }
    child = await startChild();
    const done = await eventually(async () => {
      const b = await app.services.broadcasts.get(broadcast._id);
      expect(b?.status).toBe('done');
      return b!;
    }, 240_000);

    const perChat = new Map<string, number>();
    for (const m of telegram.sent) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    const duplicates = [...perChat.values()].filter((n) => n > 1).length;
    const missing = Array.from({ length: RECIPIENTS }, (_, i) => String(100_000 + i)).filter((chat) => !perChat.has(chat)).length;
    process.stderr.write(`[crash test] ${RECIPIENTS} recipients, kills ${JSON.stringify(kills)}; sent ${telegram.sent.length}, duplicates ${duplicates}, missing ${missing}\n`);
    // Kills must have hit the fan-out itself, not only before or after it.
    expect(kills.filter((k) => k.duringFanOut && k.recorded > 0).length).toBeGreaterThanOrEqual(2);
    expect(duplicates).toBe(0);
    expect(missing).toBe(0);
    expect(telegram.sent).toHaveLength(RECIPIENTS);
    expect(done.counts).toMatchObject({ targeted: RECIPIENTS, sent: RECIPIENTS, failed: 0, cancelled: 0 });
  }, 400_000);
});
