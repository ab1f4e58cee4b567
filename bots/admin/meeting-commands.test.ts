/** `npm run admin -- meeting-create | meeting-list | meeting-show` as operators run them (a child process, the real servers). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { formatVnTime, vnAtClock } from '../../core/vn-time.js';
import { MEETING_QUEUE, meetingJobId } from '../../core/meetings/meeting-service.js';
import { deliveryJobId } from '../../workers/delivery-queue.js';

let app: TestApp;
beforeAll(async () => {
  // No workers: the jobs the CLI queues stay in Redis to be looked at.
  app = await startTestApp();
  await Promise.all(app.workers.map((w) => w.close()));
  await insertSampleUnits(app.models);
});
afterAll(async () => app?.close());

const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

/** A time `days` from the real now at `hh:mm` Vietnam time, as typed: the CLI reads the real clock. */
const typed = (days: number, minutes: number) => formatVnTime(vnAtClock(new Date(), minutes, days));

describe('meeting CLI', () => {
  it('creates a meeting, lists it and shows it', async () => {
    const r = await admin('meeting-create', '--unit', 'ent-hoa-sen', '--topic', '{"$gt": ""}', '--place', 'Nhà văn hóa', '--slot', typed(5, 9 * 60), '--slot', `sau ca sáng ${typed(4, 14 * 60 + 30)}`, '--deadline', typed(3, 20 * 60));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /Meeting (SH-[0-9A-Z]{5}) created for Công ty CP May mặc Hoa Sen \(ent-hoa-sen\): "\{"\$gt": ""\}" at Nhà văn hóa/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`1. sau ca sáng — ${typed(4, 14 * 60 + 30)}`);
    expect(r.stdout).toContain(`voting closes ${typed(3, 20 * 60)}`);
    // The topic is stored as the text typed, never read as a query.
    expect((await app.services.meetings.get(id))).toMatchObject({ topic: '{"$gt": ""}', createdBy: 'admin-cli', status: 'voting' });
    expect(await app.jobs.queue(MEETING_QUEUE).getJob(deliveryJobId(meetingJobId(id, 'deadline')))).toBeDefined();
    expect(await app.jobs.queue(MEETING_QUEUE).getJob(deliveryJobId(meetingJobId(id, 'invite')))).toBeDefined();

    const list = await admin('meeting-list', '--unit', 'vsip1');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}  ent-hoa-sen\\s+voting until ${typed(3, 20 * 60).replace(/\//g, '\\/')}`, 'm'));
    expect((await admin('meeting-list', '--unit', 'kcn-song-than-2')).stdout).toBe('No meetings.\n');

    const show = await admin('meeting-show', id.toLowerCase());
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`${id}: "{"$gt": ""}"`);
    expect(show.stdout).toContain('Invited: not yet sent');
    expect(show.stdout).toMatch(/ {2}2\. .*0 vote\(s\)/);
  }, 60_000);

  it('refuses bad input with the reason', async () => {
    const base = ['--unit', 'ent-hoa-sen', '--place', 'Nhà văn hóa', '--deadline', typed(1, 20 * 60)];
    const cases: [string[], string][] = [
      [['--topic', '', '--slot', typed(3, 9 * 60), ...base], '--topic is empty'],
      [['--topic', 'T', ...[2, 3, 4, 5, 6].flatMap((d) => ['--slot', typed(d, 9 * 60)]), ...base], 'at most 4 --slot'],
      [['--topic', 'T', '--slot', typed(-1, 9 * 60), ...base], 'has already passed'],
      [['--topic', 'T', '--slot', 'Chủ nhật', ...base], 'has no time of day in it'],
      [['--topic', 'T', '--slot', typed(3, 9 * 60), '--unit', 'nowhere', '--place', 'P', '--deadline', typed(1, 20 * 60)], 'no org unit "nowhere"'],
      [['--topic', 'T', '--slot', typed(3, 9 * 60), '--unit', 'ent-hoa-sen', '--place', 'P', '--deadline', typed(4, 20 * 60)], '--deadline must be before the earliest --slot'],
      [['--topic', 'T', '--place', 'P'], '--unit is required'],
    ];
    for (const [args, message] of cases) {
      const r = await admin('meeting-create', ...args);
      expect(r.code, message).toBe(2);
      expect(r.stderr, message).toContain(message);
    }
    expect((await admin('meeting-show', 'SH-NOPE1')).stderr).toContain('no meeting "SH-NOPE1"');
  }, 120_000); // eight child processes, each starting tsx
});
