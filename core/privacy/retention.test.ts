/**
 * Retention on the real MongoDB-wire server and Redis: the daily job's processor, run directly
 * with the test clock, removes what is older than each period and keeps what is newer, a page
 * at a time; finished message jobs older than their period leave Redis; the job is registered
 * as a daily Job Scheduler at 03:00 Vietnam time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindBroadcastModels, ZERO_COUNTS, type BroadcastDoc } from '../broadcasts/models.js';
import { loadConfig } from '../config.js';
import { openConversation, sealConversation } from '../engine/conversation-seal.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { deliveryJobId, deliveryQueueName } from '../../workers/delivery-queue.js';
import { retentionProcessor } from '../../workers/retention.js';
import { RETENTION_QUEUE, RETENTION_SCHEDULER, retentionPolicyFrom, RetentionSweep, type RetentionPolicy } from './retention.js';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

let app: TestApp;
let policy: RetentionPolicy;
beforeAll(async () => {
  app = await startTestApp();
  policy = retentionPolicyFrom(app.config);
});
afterAll(async () => app?.close());

/** Runs the retention job's processor as its worker would, with pages of 3 so paging is exercised. */
async function runProcessor(): Promise<void> {
  const sweep = new RetentionSweep({ models: app.models, broadcastModels: bindBroadcastModels(app.conn), policy, keys: app.services.keys }, 3);
  await retentionProcessor({ sweep, policy, jobs: app.jobs, outbox: app.outbox, clock: app.clock, log: app.log })({});
}

const ago = (ms: number) => new Date(app.clock.now().getTime() - ms);
const idsOf = (docs: { _id: string }[]) => docs.map((d) => d._id).sort();

describe('retention periods', () => {
  it('have documented defaults and are configurable', () => {
    expect(retentionPolicyFrom(loadConfig({}))).toEqual({
      deliveriesDays: 90,
      conversationHistoryDays: 30,
      broadcastRecordsDays: 90,
      auditLogDays: 730,
      jobsCompletedHours: 24,
      jobsFailedDays: 7,
    });
    expect(retentionPolicyFrom(loadConfig({ RETENTION_DELIVERIES_DAYS: '30', RETENTION_AUDIT_LOG_DAYS: '3650', RETENTION_JOBS_COMPLETED_HOURS: '2' }))).toMatchObject({
      deliveriesDays: 30,
      auditLogDays: 3650,
      jobsCompletedHours: 2,
    });
    expect(() => loadConfig({ RETENTION_AUDIT_LOG_DAYS: '7' })).toThrow(/RETENTION_AUDIT_LOG_DAYS — expected a whole number from 30 to 36500/);
  });

  it('the cleanup job is a daily Job Scheduler at 03:00 Asia/Ho_Chi_Minh', async () => {
    const scheduler = await app.jobs.queue(RETENTION_QUEUE).getJobScheduler(RETENTION_SCHEDULER);
    expect(scheduler).toMatchObject({ pattern: '0 3 * * *', tz: 'Asia/Ho_Chi_Minh' });
  });
});

describe('the retention job', () => {
  it('deletes delivery records older than the period, page by page, and keeps newer ones', async () => {
    const old = Array.from({ length: 7 }, (_, i) => ({ _id: `old-${i}`, channel: 'zalo', chatId: `z${i}`, memberId: `m${i}`, status: 'sent', attempts: 1, createdAt: ago(90 * DAY + (i + 1) * HOUR) }));
    const kept = [
      { _id: 'new-0', channel: 'zalo', chatId: 'z9', status: 'sent', attempts: 1, createdAt: ago(90 * DAY - HOUR) },
      { _id: 'new-1', channel: 'telegram', chatId: 't9', status: 'failed', attempts: 10, createdAt: ago(DAY) },
    ];
    await app.models.Delivery.insertMany([...old, ...kept]);
    await runProcessor();
    expect(idsOf(await app.models.Delivery.find({ _id: { $in: [...old, ...kept].map((d) => d._id) } }, { _id: 1 }).lean())).toEqual(['new-0', 'new-1']);
  });

  it('keeps audit entries for two years', async () => {
    const entry = (id: string, at: Date) => ({ _id: id, at, actor: 'sec1', action: 'broadcast.created', target: 'b1' });
    await app.models.Audit.insertMany([entry('a-old-1', ago(731 * DAY)), entry('a-old-2', ago(3000 * DAY)), entry('a-new', ago(729 * DAY))]);
    await runProcessor();
    expect(idsOf(await app.models.Audit.find({ _id: { $in: ['a-old-1', 'a-old-2', 'a-new'] } }, { _id: 1 }).lean())).toEqual(['a-new']);
  });

  it('empties the replies and the way back of conversations idle longer than the period, and keeps their place', async () => {
    const replies = [{ text: 'Phản ánh PA-7K3M đã được gửi: lương tháng 10 trả chậm' }];
    const conv = (id: string, idle: number) => ({
      _id: id,
      flow: 'concern',
      step: 'detail',
      data: { concernCode: 'PA-7K3M' },
      history: [{ flow: 'menu', step: 'main' }],
      choices: [{ id: 'back', label: 'Quay lại' }],
      recentEvents: [{ id: 'e1', replies }, { id: 'e2', replies }],
      updatedAt: ago(idle),
    });
    await app.models.Conversation.insertMany([conv('console:idle', 31 * DAY), conv('console:active', 29 * DAY)]);
    await runProcessor();
    const idle = (await app.models.Conversation.findById('console:idle').lean())!;
    expect(idle).toMatchObject({ flow: 'concern', step: 'detail', data: { concernCode: 'PA-7K3M' }, history: [], recentEvents: [{ id: 'e1', replies: [] }, { id: 'e2', replies: [] }] });
    // Emptying is not activity: the conversation stays as idle as it was.
    expect(idle.updatedAt).toEqual(ago(31 * DAY));
    const active = (await app.models.Conversation.findById('console:active').lean())!;
    expect(active.history).toHaveLength(1);
    expect(active.recentEvents.map((r) => r.replies.length)).toEqual([1, 1]);
  });

  it('empties sealed replies too, and keeps the sealed scratch data', async () => {
    const keys = app.services.keys;
    const conv = (idle: number) =>
      sealConversation(keys, {
        flow: 'concern',
        step: 'detail',
        data: { concernCode: 'PA-9Q2W' },
        history: [{ flow: 'menu', step: 'main' }],
        choices: [{ id: 'back', label: 'Quay lại' }],
        recentEvents: [{ id: 'e1', replies: [{ text: 'Tiền tăng ca tháng 11 chưa được trả' }] }],
        updatedAt: ago(idle),
      });
    await app.models.Conversation.insertMany([{ _id: 'console:sealed-idle', ...conv(40 * DAY) }, { _id: 'console:sealed-active', ...conv(DAY) }]);
    await runProcessor();
    const idle = (await app.models.Conversation.findById('console:sealed-idle').lean())!;
    expect(idle.sealed).toBeTruthy();
    expect(openConversation(keys, idle)).toMatchObject({ data: { concernCode: 'PA-9Q2W' }, choices: [{ id: 'back' }], history: [], recentEvents: [{ id: 'e1', replies: [] }] });
    const active = openConversation(keys, (await app.models.Conversation.findById('console:sealed-active').lean())!);
    expect(active.recentEvents[0]!.replies).toHaveLength(1);
  });

  it('deletes who was sent a broadcast once it finished longer ago than the period; the broadcast and its counts stay', async () => {
    const { Broadcast, BroadcastRecord } = bindBroadcastModels(app.conn);
    const broadcast = (id: string, status: BroadcastDoc['status'], finishedAt?: Date): BroadcastDoc => ({
      _id: id,
      content: { text: 'Thông báo' },
      audience: { topics: [], roles: [] },
      schedule: { kind: 'once', at: ago(100 * DAY) },
      quietHours: null,
      status,
      createdBy: 'sec1',
      createdAt: ago(100 * DAY),
      updatedAt: ago(100 * DAY),
      generation: 1,
      fannedOut: true,
      counts: { ...ZERO_COUNTS, targeted: 4, sent: 4 },
      ...(finishedAt ? { finishedAt } : {}),
    });
    await Broadcast.insertMany([broadcast('bc-old', 'done', ago(91 * DAY)), broadcast('bc-cancelled', 'cancelled', ago(95 * DAY)), broadcast('bc-recent', 'done', ago(89 * DAY)), broadcast('bc-sending', 'sending')]);
    const records = ['bc-old', 'bc-cancelled', 'bc-recent', 'bc-sending'].flatMap((b) =>
      ['m1', 'm2', 'm3', 'm4'].map((m) => ({ _id: `${b}:${m}`, broadcastId: b, memberId: m, channel: 'zalo' as const, chatId: `chat-${m}` })),
    );
    await BroadcastRecord.insertMany(records);
    await runProcessor();
    const left = await BroadcastRecord.find({}, { broadcastId: 1 }).lean();
    expect([...new Set(left.map((r) => r.broadcastId))].sort()).toEqual(['bc-recent', 'bc-sending']);
    expect(left).toHaveLength(8);
    expect((await Broadcast.findById('bc-old').lean())?.counts).toMatchObject({ targeted: 4, sent: 4 });
  });

  it('removes finished message jobs older than their period from Redis and keeps newer ones', async () => {
    const keys = ['retention-old-sent', 'retention-new-sent', 'retention-old-failed', 'retention-new-failed'];
    await app.outbox.send(keys.map((key) => ({ channel: 'console', chatId: 'retention-chat', key, messages: [{ text: 'Xin chào' }], priority: 'reply' as const })));
    const lane = app.outbox.queuesOf('console')[0]!;
    await expect.poll(async () => lane.getCompletedCount(), { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    // Backdate the finished jobs (BullMQ orders its finished sets by finishing time) and file two as failed.
    const set = (state: string) => `${app.config.REDIS_PREFIX}:bull:${deliveryQueueName('console', 0)}:${state}`;
    const finished = (hoursAgo: number) => Date.now() - hoursAgo * HOUR;
    const [oldSent, newSent, oldFailed, newFailed] = keys.map(deliveryJobId);
    await app.redis.zadd(set('completed'), finished(25), oldSent!, finished(23), newSent!);
    await app.redis.zrem(set('completed'), oldFailed!, newFailed!);
    await app.redis.zadd(set('failed'), finished(7 * 24 + 1), oldFailed!, finished(7 * 24 - 1), newFailed!);
    await runProcessor();
    expect(await lane.getJob(oldSent!)).toBeUndefined();
    expect(await lane.getJob(oldFailed!)).toBeUndefined();
    expect((await lane.getJob(newSent!))?.id).toBe(newSent);
    expect((await lane.getJob(newFailed!))?.id).toBe(newFailed);
  });
});
