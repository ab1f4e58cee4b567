/**
 * The steering report's monthly sending, end to end: the app registers a BullMQ Job Scheduler for
 * 07:00 on the 1st of each month, Vietnam time; one run of its job (put on the queue by hand, run
 * by the app's own worker with the test clock at 07:00 1/12/2026) sends each unit's secretariat
 * the November report of their unit — key figures and the console link — through the real
 * Telegram adapter to a fake Bot API, in each person's language; a second run sends nothing again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { STEERING_CRON, STEERING_JOB, STEERING_QUEUE, STEERING_SCHEDULER } from '../core/reports/steering-report.js';
import { vnInstant, vnParts } from '../core/vn-time.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { eventually } from './support/platforms.js';
import { seedSteering, STEERING_NOW } from './support/steering-seed.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let telegram: FakeTelegramServer;

beforeAll(async () => {
  telegram = new FakeTelegramServer();
  const apiRoot = await telegram.start();
  app = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_RATE_PER_SECOND: '1000' });
  for (const a of createAdapters(app.config, (e) => app.engine.handle(e), app.log, app.services.i18n)) app.startDelivery(a.sender, 1000);
  await seedSteering(app);
  // The secretariat on Telegram: the city's in English, VSIP I's in Vietnamese; a cadre who must get nothing.
  const at = app.clock.now();
  await app.models.ChannelIdentity.insertMany([
    { _id: 'telegram:7701', channel: 'telegram', platformUserId: '7701', chatId: '7701', memberId: 'm-thu', createdAt: at },
    { _id: 'telegram:7702', channel: 'telegram', platformUserId: '7702', chatId: '7702', memberId: 'm-vy', createdAt: at },
    { _id: 'telegram:7703', channel: 'telegram', platformUserId: '7703', chatId: '7703', memberId: 'c-tu', createdAt: at },
  ]);
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { locale: 'en' } });
  app.clock.advance(STEERING_NOW.getTime() - app.clock.now().getTime());
}, 60_000);

afterAll(async () => {
  await app?.close();
  await telegram?.stop();
});

/** 07:00 on the next 1st of a month in Vietnam after `now`. */
function nextFirst(now: Date): Date {
  const p = vnParts(now);
  const thisMonth = vnInstant(p.year, p.month, 1, 7 * 60)!;
  if (thisMonth.getTime() > now.getTime()) return thisMonth;
  return p.month === 12 ? vnInstant(p.year + 1, 1, 1, 7 * 60)! : vnInstant(p.year, p.month + 1, 1, 7 * 60)!;
}

describe('the monthly steering report', () => {
  it('is a Job Scheduler at 07:00 on the 1st of each month, Asia/Ho_Chi_Minh', async () => {
    const before = Date.now();
    const scheduler = await app.jobs.queue(STEERING_QUEUE).getJobScheduler(STEERING_SCHEDULER);
    expect(STEERING_CRON).toBe('0 7 1 * *');
    expect(scheduler).toMatchObject({ pattern: '0 7 1 * *', tz: 'Asia/Ho_Chi_Minh', name: STEERING_JOB });
    expect(scheduler!.next).toBe(nextFirst(new Date(before)).getTime());
  });

  it('sends each unit\'s secretariat its report of the previous month, once', async () => {
    const queue = app.jobs.queue(STEERING_QUEUE);
    await queue.add(STEERING_JOB, {}, { jobId: 'steering-test-1' });
    await eventually(() => expect(telegram.sent.length).toBe(2), 30_000);
    const to = (chat: string) => telegram.sent.filter((m) => m.chat_id === chat).map((m) => m.text!.replace(/&amp;/g, '&'));
    const vy = to('7702');
    expect(vy).toHaveLength(1);
    expect(vy[0]!.split('\n').slice(0, 3)).toEqual(['Báo cáo Ban chỉ đạo Tháng 11/2026 — KCN VSIP I', '• Thành viên đang hoạt động: 10; đã gửi 8 lượt tin (1 đợt)', '• Sinh hoạt: 2 buổi, tỷ lệ tham dự 66,7 %']);
    expect(vy[0]).toContain('http://localhost:3000/web/reports/steering?unit=vsip1&month=2026-11');
    const thu = to('7701');
    expect(thu).toHaveLength(1);
    expect(thu[0]).toMatch(/^Steering committee report, November 2026 — Thành Đoàn TP\. Hồ Chí Minh\n• Active members: 16; 105 messages delivered \(3 broadcasts\)/);
    expect(thu[0]).toContain('http://localhost:3000/web/reports/steering?unit=hcm&month=2026-11');
    expect(to('7703')).toEqual([]);

    // Run again (a retry, or twice by mistake): the same deliveries are not sent twice.
    await queue.add(STEERING_JOB, {}, { jobId: 'steering-test-2' });
    await eventually(async () => expect(await (await queue.getJob('steering-test-2'))?.isCompleted()).toBe(true), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(telegram.sent).toHaveLength(2);
  }, 60_000);
});
