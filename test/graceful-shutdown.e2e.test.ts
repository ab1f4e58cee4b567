/**
 * SIGTERM as an orchestrator sends it, to the app running as a deployment does: a `web` and a
 * `worker` process (app/main.ts with ROLE) against the fake Telegram server over real HTTP.
 * - Mid-turn: the web process stops taking webhooks (503 or refused, so the platform sends them
 *   again), finishes the turns it holds, and exits 0; what the platform sends again to the
 *   process that takes over is handled once: every person gets the replies of one turn.
 * - Mid-broadcast: the worker process finishes its current jobs, hands the fan-out back to the
 *   queue, and exits 0; the worker that takes over finishes the broadcast, one message each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { freePort, startAppProcess, type AppProcess } from './support/app-process.js';
import { seedMembers } from './support/broadcast-members.js';
import { eventually } from './support/platforms.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, storedConversation, type TestApp } from './support/test-app.js';

let app: TestApp;
let telegram: FakeTelegramServer;
let apiRoot: string;
const running: AppProcess[] = [];

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  apiRoot = await telegram.start();
  app = await startTestApp();
  // This process only seeds and reads: the child processes do the work.
  await Promise.all(app.workers.map((w) => w.close()));
  await insertSampleUnits(app.models);
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await app?.close();
  await telegram?.stop();
});

function env(role: 'web' | 'worker', port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ROLE: role,
    PORT: String(port),
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_SECRET: 'graceful-secret-1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    INBOUND_BURST: '1000',
    INBOUND_REFILL_PER_SECOND: '1000',
    SHUTDOWN_DEADLINE_SECONDS: '20',
    ...extra,
  };
}

async function start(role: 'web' | 'worker', port: number, extra: Record<string, string> = {}): Promise<AppProcess> {
  const p = await startAppProcess({ db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX }, env(role, port, extra));
  running.push(p);
  return p;
}

const sentTo = (chat: string) => telegram.sent.filter((m) => m.chat_id === chat).length;

async function lanesEmpty(): Promise<void> {
  await eventually(async () => expect(await app.outbox.pending('telegram')).toBe(0), 60_000);
}

describe('graceful shutdown', () => {
  it('SIGTERM mid-turn: the web process exits 0 after its turns; what it did not take is handled once by the next', async () => {
    const webPort = await freePort();
    await start('worker', await freePort());
    let web = await start('web', webPort);
    const people = Array.from({ length: 60 }, (_, i) => 8000 + i);
    const updates: Update[] = people.map((id) => telegram.textUpdate(id, 'xin chào'));
    const statuses: (number | 'refused')[] = [];
    const push = (i: number) => telegram.pushUpdate(updates[i]!).then((s) => void (statuses[i] = s ?? 0), () => void (statuses[i] = 'refused'));
    // A first wave is under way when the stop comes…
    const firstWave = people.slice(0, 40).map((_, i) => push(i));
    await Promise.race(firstWave);
    const stopped = web.stop('SIGTERM');
    // …and a second wave arrives while the process stops.
    await eventually(() => expect(web.stderr).toContain('[stop] SIGTERM: stopping'), 10_000);
    const secondWave = people.slice(40).map((_, k) => push(40 + k));
    const exit = await stopped;
    await Promise.all([...firstWave, ...secondWave]);
    expect(exit, web.stderr).toEqual({ code: 0, signal: null });
    expect(web.stderr).toContain('[stop] stopped cleanly');
    // Each update was either taken and answered 200 once its turn had finished, or not taken at
    // all (503 while closing, or the connection refused): never a 5xx from a half-done turn.
    expect(statuses.filter((s) => s !== 200 && s !== 503 && s !== 'refused')).toEqual([]);
    expect(statuses.slice(0, 40).filter((s) => s === 200).length).toBeGreaterThan(0);
    // An update answered with anything but 200 is sent again, to the process that takes over.
    web = await start('web', webPort);
    const again = updates.filter((_, i) => statuses[i] !== 200);
    for (const u of again) expect(await telegram.pushUpdate(u)).toBe(200);
    await eventually(() => expect(people.filter((id) => sentTo(String(id)) < 2)).toEqual([]), 60_000);
    await lanesEmpty();
    // Exactly the two replies of a first contact each: no turn lost, none applied twice.
    expect(people.filter((id) => sentTo(String(id)) !== 2)).toEqual([]);
    for (const [i, id] of people.entries()) {
      const conv = await storedConversation(app, `telegram:${id}`);
      expect(conv?.recentEvents.filter((r) => r.id === `tg:${updates[i]!.update_id}`)).toHaveLength(1);
    }
    process.stderr.write(`[graceful test] mid-turn: ${statuses.filter((s) => s === 200).length} of ${people.length} taken, ${again.length} sent again (${JSON.stringify(statuses.slice(40))})\n`);
    await web.stop('SIGTERM');
  }, 180_000);

  it('SIGTERM mid-broadcast: the worker exits 0 with its jobs finished or handed back; the next one finishes the broadcast, one message each', async () => {
    const RECIPIENTS = 300;
    const chat = (i: number) => String(300_000 + i);
    await seedMembers(app.models, RECIPIENTS, { channel: 'telegram', userId: chat, from: 1000 });
    // Slow enough (40 messages a second) that the stop lands mid-broadcast.
    let worker = await start('worker', await freePort(), { TELEGRAM_RATE_PER_SECOND: '40' });
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Thông báo: sinh hoạt chi đoàn tối thứ Sáu' }, audience: {}, schedule: { kind: 'once' }, quietHours: null },
      { id: 'sec', roles: ['secretariat'] },
      { now: app.clock.now() },
    );
    const sentToRecipients = () => telegram.sent.filter((m) => Number(m.chat_id) >= 300_000).length;
    await eventually(() => expect(sentToRecipients()).toBeGreaterThanOrEqual(40), 60_000);
    const exit = await worker.stop('SIGTERM');
    const atStop = sentToRecipients();
    expect(exit, worker.stderr).toEqual({ code: 0, signal: null });
    expect(worker.stderr).toContain('[stop] stopped cleanly');
    expect(atStop).toBeLessThan(RECIPIENTS);
    worker = await start('worker', await freePort(), { TELEGRAM_RATE_PER_SECOND: '200' });
    const done = await eventually(async () => {
      const b = await app.services.broadcasts.get(broadcast._id);
      expect(b?.status).toBe('done');
      return b!;
    }, 120_000);
    const perChat = new Map<string, number>();
    for (const m of telegram.sent) if (Number(m.chat_id) >= 300_000) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    expect([...perChat.values()].filter((n) => n > 1)).toEqual([]);
    expect(perChat.size).toBe(RECIPIENTS);
    expect(done.counts).toMatchObject({ targeted: RECIPIENTS, sent: RECIPIENTS, failed: 0 });
    process.stderr.write(`[graceful test] mid-broadcast: ${atStop} of ${RECIPIENTS} sent before the stop\n`);
    await worker.stop('SIGTERM');
  }, 240_000);
});
