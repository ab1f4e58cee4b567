/**
 * The app as a deployment runs it, under load, with processes dying: two `web` and two `worker`
 * processes (app/main.ts with ROLE) behind a round-robin load balancer, against the same Redis
 * and MongoDB-wire server and the fake Telegram and Zalo servers over real HTTP. At once:
 * - a broadcast to RECIPIENTS members (5,000 by default; MULTI_PROCESS_RECIPIENTS sets it);
 * - 50 people (25 on each platform) chatting through the webhooks, each waiting for the
 *   platform's 200 before their next message, and sending again whatever got no 200;
 * - 200 concerns whose first-response deadline passes with nobody answering, so the SLA timers
 *   escalate each one level up.
 * Mid-way one worker is killed (SIGKILL), then one web process mid-turn.
 *
 * Checked: every recipient got the broadcast; every chat got its replies in order, the same as
 * a person who chatted alone before the load; every concern escalated exactly once. A message
 * the killed worker had handed to the platform but not yet marked done is sent again when its
 * job is taken up (no platform API takes an idempotency key), so it can arrive twice, right
 * after itself: at most one per lane the worker held (a lane sends one job at a time across all
 * processes), counted and bounded below; nothing else may repeat.
 */
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotices } from '../core/concerns/notices.js';
import { bindBroadcastModels } from '../core/broadcasts/models.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { FakeZaloServer } from './fake-zalo-server.js';
import { freePort, startAppProcess, type AppProcess } from './support/app-process.js';
import { seedMembers } from './support/broadcast-members.js';
import { assign, fastPolicy } from './support/concern-fixtures.js';
import { eventually, TELEGRAM_SECRET, ZALO_SECRET } from './support/platforms.js';
import { RoundRobinProxy } from './support/round-robin-proxy.js';
import { insertSampleUnits } from './support/sample-units.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = Number(process.env.MULTI_PROCESS_RECIPIENTS ?? 5000);
const CHATTERS_PER_PLATFORM = 25;
const CONCERNS = 200;
const SHARDS = 4;
/** What each person types, one message after the other's replies were queued (the 200). */
const SCRIPT = ['xin chào', '1', '1', 'vsip', '1', '4', '1', 'menu'];
const FIRST_RESPONSE_SECONDS = 25;

let app: TestApp;
let telegram: FakeTelegramServer;
let zalo: FakeZaloServer;
let proxy: RoundRobinProxy;
const processes: AppProcess[] = [];
let web1: AppProcess;
let worker1: AppProcess;

function roleEnv(role: 'web' | 'worker', port: number, publicUrl: string, apiRoot: string, zaloBase: string): Record<string, string> {
  return {
    ROLE: role,
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    ZALO_BOT_TOKEN: zalo.token,
    ZALO_API_BASE: zaloBase,
    ZALO_WEBHOOK_SECRET: ZALO_SECRET,
    TELEGRAM_RATE_PER_SECOND: '2000',
    ZALO_RATE_PER_SECOND: '2000',
    DELIVERY_SHARDS: String(SHARDS),
    INBOUND_BURST: '1000',
    INBOUND_REFILL_PER_SECOND: '1000',
  };
}

let envFor: (role: 'web' | 'worker', port: number) => Record<string, string>;

async function start(role: 'web' | 'worker'): Promise<AppProcess> {
  const p = await startAppProcess({ db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX }, envFor(role, await freePort()));
  processes.push(p);
  return p;
}

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  zalo = new FakeZaloServer();
  const [apiRoot, zaloBase] = await Promise.all([telegram.start(), zalo.start()]);
  // Level 0 must answer within FIRST_RESPONSE_SECONDS; the level above gets an hour: one escalation each.
  const policy = fastPolicy(FIRST_RESPONSE_SECONDS, 7200);
  app = await startTestApp({ DELIVERY_SHARDS: String(SHARDS) }, { concernPolicy: { ...policy, maxOpenPerWorker: 10, categories: Object.fromEntries(Object.entries(policy.categories).map(([k, r]) => [k, { ...r, firstResponseSeconds: [FIRST_RESPONSE_SECONDS, 3600] }])) } });
  // This process seeds, submits and reads; the child processes do the work.
  await Promise.all(app.workers.map((w) => w.close()));
  await insertSampleUnits(app.models);
  await seedMembers(app.models, RECIPIENTS, { channel: 'telegram', userId: (i) => String(400_000 + i) });
  // Reporters at Hoa Sen, a trade-union cadre there and one at the zone above (both on Telegram).
  await seedMembers(app.models, CONCERNS, { channel: 'telegram', unit: () => 'ent-hoa-sen', userId: (i) => String(600_000 + i), from: RECIPIENTS });
  await seedMembers(app.models, 2, { channel: 'telegram', roles: () => ['worker', 'cadre'], unit: () => 'vsip1', userId: (i) => String(900_000 + i), from: RECIPIENTS + CONCERNS });
  const [cadreHoaSen, cadreZone] = [RECIPIENTS + CONCERNS, RECIPIENTS + CONCERNS + 1].map((i) => `m${String(i).padStart(7, '0')}`);
  await assign(app, { memberId: cadreHoaSen!, unit: 'ent-hoa-sen', organisation: 'trade_union' });
  await assign(app, { memberId: cadreZone!, unit: 'vsip1', organisation: 'trade_union' });

  proxy = new RoundRobinProxy([]);
  const publicUrl = await proxy.start();
  envFor = (role, port) => roleEnv(role, port, publicUrl, apiRoot, zaloBase);
  const [w1, web2] = await Promise.all([start('web'), start('web'), start('worker'), start('worker')]).then((all) => {
    worker1 = all[2]!;
    return all;
  });
  web1 = w1!;
  proxy.setUpstream(0, web1.address);
  proxy.setUpstream(1, web2!.address);
}, 240_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await proxy?.stop();
  await app?.close();
  await Promise.all([telegram?.stop(), zalo?.stop()]);
});

/** One person chatting on one platform; every update is sent again until the platform gets a 200. */
function chatter(platform: 'telegram' | 'zalo', n: number) {
  const user = platform === 'telegram' ? 700_000 + n : `zl-mp-${n}`;
  const update = (text: string): unknown => (platform === 'telegram' ? telegram.textUpdate(user as number, text, { firstName: 'Lan' }) : zalo.textUpdate(user as string, text, { name: 'Lan' }));
  const push = (u: unknown) => (platform === 'telegram' ? telegram.pushUpdate(u as Update) : zalo.pushUpdate(u as Record<string, unknown>));
  return {
    chat: String(user),
    received: () =>
      platform === 'telegram'
        ? telegram.sent.filter((m) => m.chat_id === String(user)).map((m) => m.text ?? '')
        : zalo.sent.filter((m) => m.chat_id === String(user) && m.method === 'sendMessage').map((m) => m.text ?? ''),
    async run(steps: string[], between?: (step: number) => Promise<void>): Promise<number> {
      let resent = 0;
      for (const [k, text] of steps.entries()) {
        const u = update(text);
        for (let attempt = 0; ; attempt++) {
          const status = await push(u).catch(() => 0);
          if (status === 200) break;
          if (attempt > 40) throw new Error(`${platform} ${user}: "${text}" never got a 200 (last ${status})`);
          resent++;
          await new Promise((r) => setTimeout(r, 250));
        }
        await between?.(k);
      }
      return resent;
    },
  };
}

/** Drops a message that follows itself (a send repeated after a killed worker's job was taken up). */
function collapse(texts: string[]): { texts: string[]; repeats: number } {
  const out: string[] = [];
  for (const t of texts) if (out.at(-1) !== t) out.push(t);
  return { texts: out, repeats: texts.length - out.length };
}

describe('two web and two worker processes under load, one of each killed', () => {
  it('broadcast to every recipient, replies in order per chat, every escalation once', async () => {
    // The transcript of someone chatting alone, on each platform, before the load.
    const reference = { telegram: chatter('telegram', 0), zalo: chatter('zalo', 0) };
    for (const r of Object.values(reference)) {
      await r.run(SCRIPT, async () => {
        await eventually(async () => expect((await app.outbox.pending('telegram')) + (await app.outbox.pending('zalo'))).toBe(0), 30_000);
      });
    }
    const expected = { telegram: reference.telegram.received(), zalo: reference.zalo.received() };
    expect(expected.telegram.length).toBeGreaterThan(SCRIPT.length);

    // 200 concerns, nobody answering: their first-response deadlines pass together. (Times come
    // from the test's clock, as the test process schedules the timers with it.)
    const submittedAt = Date.now();
    for (let i = 0; i < CONCERNS; i++) {
      const memberId = `m${String(RECIPIENTS + i).padStart(7, '0')}`;
      const { notices } = await app.services.concerns.submit({ memberId, category: i % 2 ? 'wages' : 'overtime', orgUnitId: 'ent-hoa-sen', description: `Phản ánh thử nhiều tiến trình số ${i}`, photos: 0, anonymous: i % 3 === 0, intakeKey: `mp-${i}`, at: app.clock.now() });
      await deliverNotices(app.services.contacts, app.outbox, notices);
    }
    // The broadcast.
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Thông báo: sinh hoạt chi đoàn tối thứ Sáu' }, audience: { orgUnitId: 'ent-phuc-thinh' }, schedule: { kind: 'once' }, quietHours: null },
      { id: 'sec', roles: ['secretariat'] },
      { now: app.clock.now() },
    );
    const toRecipients = () => telegram.sent.filter((m) => Number(m.chat_id) >= 400_000 && Number(m.chat_id) < 400_000 + RECIPIENTS);

    // A worker dies once a fifth of the broadcast is out; a web process once the chatters are a third through.
    const killWorker = (async () => {
      await eventually(() => expect(toRecipients().length, processes.map((p) => p.stderr.slice(-1500)).join('\n----\n')).toBeGreaterThanOrEqual(RECIPIENTS / 5), 120_000);
      await worker1.stop('SIGKILL');
      return toRecipients().length;
    })();
    let webKilled = false;
    const killWebMidway = async (step: number) => {
      if (step === 2 && !webKilled) {
        webKilled = true;
        await web1.stop('SIGKILL');
      }
    };
    const people = [
      ...Array.from({ length: CHATTERS_PER_PLATFORM }, (_, n) => ({ platform: 'telegram' as const, c: chatter('telegram', n + 1) })),
      ...Array.from({ length: CHATTERS_PER_PLATFORM }, (_, n) => ({ platform: 'zalo' as const, c: chatter('zalo', n + 1) })),
    ];
    const resent = await Promise.all(people.map(({ c }, i) => c.run(SCRIPT, i === 0 ? killWebMidway : undefined)));
    const sentAtWorkerKill = await killWorker;

    const done = await eventually(async () => {
      const b = await app.services.broadcasts.get(broadcast._id);
      expect(b?.status).toBe('done');
      return b!;
    }, 300_000);
    // Every deadline has passed and every timer ran.
    await new Promise((r) => setTimeout(r, Math.max(0, submittedAt + FIRST_RESPONSE_SECONDS * 1000 - Date.now())));
    await eventually(async () => expect(await app.services.concerns.cm.Concern.countDocuments({ level: 1 })).toBe(CONCERNS), 120_000);
    await eventually(async () => expect((await app.outbox.pending('telegram')) + (await app.outbox.pending('zalo'))).toBe(0), 120_000);

    // The broadcast: everyone, and a repeat only where the killed worker held a send.
    const perChat = new Map<string, number>();
    for (const m of toRecipients()) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    const broadcastRepeats = [...perChat.values()].reduce((n, k) => n + k - 1, 0);
    expect(perChat.size).toBe(RECIPIENTS);
    expect(done.counts).toMatchObject({ targeted: RECIPIENTS, failed: 0 });
    const records = await bindBroadcastModels(app.conn).BroadcastRecord.countDocuments({ broadcastId: broadcast._id });
    expect(records).toBe(RECIPIENTS);

    // The chats: in order, as the person alone got them, but for a send repeated right after itself.
    let chatRepeats = 0;
    for (const { platform, c } of people) {
      const { texts, repeats } = collapse(c.received());
      chatRepeats += repeats;
      expect(texts, `${platform} ${c.chat}`).toEqual(collapse(expected[platform]).texts);
    }
    // At most one send per lane the killed worker held: its telegram and zalo lanes.
    expect(broadcastRepeats + chatRepeats).toBeLessThanOrEqual(2 * SHARDS);

    // Each concern escalated exactly once.
    const concerns = await app.services.concerns.cm.Concern.find({}, { events: 1, level: 1 }).lean();
    expect(concerns).toHaveLength(CONCERNS);
    expect(concerns.filter((c) => c.events.filter((e) => e.kind === 'escalated').length !== 1)).toEqual([]);

    process.stderr.write(
      `[multi-process] ${RECIPIENTS} recipients (worker killed at ${sentAtWorkerKill} sent, ${broadcastRepeats} repeated), ${people.length} chatters (${resent.reduce((a, b) => a + b, 0)} updates sent again, ${chatRepeats} replies repeated), ${CONCERNS} concerns escalated once; load balancer: ${JSON.stringify(proxy.served)} served, ${proxy.badGateway} × 502\n`,
    );
  }, 600_000);
});
