/** Broadcasts through the service and the running workers, on the console channel. */
import { afterEach, describe, expect, it } from 'vitest';
import { seedMembers, seededMemberId } from '../../test/support/broadcast-members.js';
import { eventually } from '../../test/support/platforms.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { BroadcastInputError, NotAuthorizedError } from './broadcast-errors.js';
import type { Actor } from './broadcast-service.js';
import { bindBroadcastModels, type BroadcastDoc } from './models.js';

const SECRETARIAT: Actor = { id: 'sec-1', roles: ['secretariat'] };

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(n: number, env: Record<string, string> = {}) {
  app = await startTestApp(env);
  await insertSampleUnits(app.models);
  await seedMembers(app.models, n, { unit: (i) => (i % 2 === 0 ? 'ent-phuc-thinh' : 'ent-det-song-than') });
  const received = new Map<string, string[]>();
  app.console.onMessage((m) => received.set(m.chatId, [...(received.get(m.chatId) ?? []), m.message.text]));
  return { app, received, bm: bindBroadcastModels(app.conn) };
}

const total = (r: Map<string, string[]>) => [...r.values()].reduce((n, l) => n + l.length, 0);

async function waitStatus(a: TestApp, id: string, status: BroadcastDoc['status'], timeoutMs = 20_000): Promise<BroadcastDoc> {
  return eventually(async () => {
    const b = await a.services.broadcasts.get(id);
    expect(b?.status).toBe(status);
    if (status === 'done' || status === 'cancelled') expect(b?.finishedAt).toBeDefined();
    return b!;
  }, timeoutMs);
}

/** Pauses the console lane, creates a broadcast to everyone, and waits until `queued` of its messages wait in the lane. */
async function queuedWhilePaused(a: TestApp, queued: number) {
  const lane = a.workers.find((w) => w.name === 'deliver-console-0')!;
  await lane.pause();
  const { broadcast } = await a.services.broadcasts.create({ content: { text: 'Thông báo' }, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now: a.clock.now() });
  const [queue] = a.outbox.queuesOf('console');
  const jobs = await eventually(async () => {
    const waiting = await queue!.getJobs(['prioritized', 'waiting']);
    expect(waiting).toHaveLength(queued);
    return waiting;
  });
  return { broadcast, jobs, lane };
}

describe('broadcasts', () => {
  it('sends to the org subtree once each, skips and counts opted-out, erased and unreachable members', async () => {
    const { app, received } = await setup(24);
    await app.models.Member.updateOne({ _id: seededMemberId(0) }, { $set: { broadcastsOptOut: true } });
    await app.models.Member.updateOne({ _id: seededMemberId(2) }, { $set: { status: 'erased' } });
    await app.models.ChannelIdentity.updateOne({ _id: 'console:u4' }, { $set: { unreachable: true } });
    const audience = { orgUnitId: 'vsip1' }; // ent-phuc-thinh is under vsip1; ent-det-song-than is not
    expect(await app.services.broadcasts.preview(audience)).toEqual({ targeted: 9, optedOut: 1, withdrawn: 1, unreachable: 1 });

    const { broadcast, size } = await app.services.broadcasts.create({ content: { text: 'Chào các bạn!' }, audience, schedule: { kind: 'once' } }, SECRETARIAT, { now: app.clock.now() });
    expect(size.targeted).toBe(9);
    const done = await waitStatus(app, broadcast._id, 'done');
    expect(done.counts).toMatchObject({ targeted: 9, sent: 9, failed: 0, unreachable: 1, optedOut: 1, withdrawn: 1, cancelled: 0 });
    expect(total(received)).toBe(9);
    for (const [chat, texts] of received) {
      expect(Number(chat.slice(1)) % 2, chat).toBe(0);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('Chào các bạn!');
      expect(texts[0]).toContain('ngừng nhận tin');
    }
    expect(received.has('u0') || received.has('u2') || received.has('u4')).toBe(false);
  });

  it('narrows by role, language and topic subscription', async () => {
    const { app } = await setup(6);
    await app.models.Member.updateOne({ _id: seededMemberId(1) }, { $set: { roles: ['worker', 'cadre'] } });
    await app.models.Member.updateOne({ _id: seededMemberId(3) }, { $set: { locale: 'en' } });
    expect((await app.services.broadcasts.preview({ roles: ['cadre'] })).targeted).toBe(1);
    expect((await app.services.broadcasts.preview({ locale: 'en' })).targeted).toBe(1);
    await app.services.materials.setSubscribed(seededMemberId(5), 'health', false, app.clock.now());
    expect((await app.services.broadcasts.preview({ topics: ['health'] })).targeted).toBe(5);
    expect((await app.services.broadcasts.preview({ topics: ['health', 'skills'] })).targeted).toBe(6);
    expect((await app.services.broadcasts.preview({ channel: 'zalo' })).targeted).toBe(0);
  });

  it('sends a material to everyone except members who turned its topic off, and counts them as opted out', async () => {
    const { app, received } = await setup(2);
    const now = app.clock.now();
    const material = await app.services.materials.create(
      { topic: 'labour_rights', author: 'sec-1', content: { vi: { title: 'Quyền lợi khi làm thêm giờ', body: 'Làm thêm giờ được trả ít nhất 150% lương.' } } },
      now,
    );
    await app.services.materials.setSubscribed(seededMemberId(0), 'labour_rights', false, now);
    await app.services.materials.setSubscribed(seededMemberId(1), 'health', false, now); // another topic off: still receives
    const content = { materialId: material._id };
    // The preview the secretariat sees before confirming already leaves the opted-out member out; a free message still reaches both.
    expect(await app.services.broadcasts.preview({}, content)).toEqual({ targeted: 1, optedOut: 1, withdrawn: 0, unreachable: 0 });
    expect(await app.services.broadcasts.preview({})).toEqual({ targeted: 2, optedOut: 0, withdrawn: 0, unreachable: 0 });

    const { broadcast, size } = await app.services.broadcasts.create({ content, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now });
    expect(size).toEqual({ targeted: 1, optedOut: 1, withdrawn: 0, unreachable: 0 });
    const done = await waitStatus(app, broadcast._id, 'done');
    expect(done.counts).toMatchObject({ targeted: 1, sent: 1, failed: 0, unreachable: 0, optedOut: 1, withdrawn: 0, cancelled: 0 });
    expect([...received.keys()]).toEqual(['u1']);
    expect(received.get('u1')).toHaveLength(1);
    expect(received.get('u1')![0]).toContain('Quyền lợi khi làm thêm giờ');
  });

  it('refuses a time in the past, an invalid recurrence rule, an empty audience and a message over the platform limit', async () => {
    const { app, bm } = await setup(3);
    const s = app.services.broadcasts;
    const now = app.clock.now();
    const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as BroadcastInputError);

    const past = await refusal(s.create({ content: { text: 'x' }, audience: {}, schedule: { kind: 'once', at: new Date(now.getTime() - 3600_000) } }, SECRETARIAT, { now }));
    expect(past).toBeInstanceOf(BroadcastInputError);
    expect(past!.code).toBe('past_time');

    for (const cron of ['61 8 * * *', '* * * * *', 'every monday', '0 8 31 2 *']) {
      const bad = await refusal(s.create({ content: { text: 'x' }, audience: {}, schedule: { kind: 'recurring', cron } }, SECRETARIAT, { now }));
      expect(bad?.code, cron).toBe('invalid_rule');
    }

    const empty = await refusal(s.create({ content: { text: 'x' }, audience: { roles: ['admin'] }, schedule: { kind: 'once' } }, SECRETARIAT, { now }));
    expect(empty?.code).toBe('empty_audience');

    const long = 'Tin dài. '.repeat(230); // ~2,070 characters: over Zalo's 2,000, under Telegram's 4,096
    const tooLong = await refusal(s.create({ content: { text: long }, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now }));
    expect(tooLong?.code).toBe('too_long');
    expect(tooLong?.vars).toMatchObject({ channel: 'zalo', limit: 2000 });
    // Sent only on a channel that takes it, the same text is accepted.
    await expect(s.validate({ content: { text: long }, audience: { channel: 'telegram' }, schedule: { kind: 'once' } }, now)).resolves.toBeDefined();

    expect(await bm.Broadcast.countDocuments({})).toBe(0);
  });

  it('refuses a member without the secretariat role and audits the attempt', async () => {
    const { app, bm } = await setup(3);
    const worker: Actor = { id: seededMemberId(1), roles: ['worker'] };
    await expect(app.services.broadcasts.create({ content: { text: 'x' }, audience: {}, schedule: { kind: 'once' } }, worker, { now: app.clock.now() })).rejects.toBeInstanceOf(NotAuthorizedError);
    expect(await bm.Broadcast.countDocuments({})).toBe(0);
    const audit = await app.models.Audit.find({ action: 'secretariat.denied' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: seededMemberId(1), details: { attempted: 'create a broadcast' } });
  });

  it('cancelling mid-send stops within seconds and keeps the counts exact', async () => {
    const { app, received } = await setup(120, { CONSOLE_DELIVERY_RATE_PER_SECOND: '20' });
    const { broadcast } = await app.services.broadcasts.create({ content: { text: 'Lịch sinh hoạt' }, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now: app.clock.now() });
    await eventually(() => expect(total(received)).toBeGreaterThanOrEqual(10));
    await app.services.broadcasts.cancel(broadcast._id, SECRETARIAT, app.clock.now());
    const done = await waitStatus(app, broadcast._id, 'cancelled');
    const atCancel = total(received);
    await new Promise((r) => setTimeout(r, 1500));
    expect(total(received)).toBe(atCancel); // nothing more after the cancel settled
    expect(atCancel).toBeLessThan(120);
    const c = done.counts;
    expect(c.sent).toBe(atCancel);
    expect(c.sent + c.cancelled + c.failed).toBe(c.targeted);
    expect(c.targeted).toBeGreaterThan(0);
    for (const texts of received.values()) expect(texts).toHaveLength(1);
  });

  it('finishes and counts as failed a delivery the queue lost without running it', async () => {
    const { app, received } = await setup(6);
    const { broadcast, jobs, lane } = await queuedWhilePaused(app, 6);
    // What BullMQ does to a job that stalled too often: it is gone without our processor running.
    await jobs[0]!.remove();
    lane.resume();
    const done = await waitStatus(app, broadcast._id, 'done', 40_000);
    expect(total(received)).toBe(5);
    expect(done.counts).toMatchObject({ targeted: 6, sent: 5, failed: 1, cancelled: 0 });
  }, 60_000);

  it('counts as pending only the targeted messages without an outcome, not members skipped as unreachable', async () => {
    const { app } = await setup(4);
    await app.models.ChannelIdentity.updateOne({ _id: 'console:u1' }, { $set: { unreachable: true } });
    const { broadcast, lane } = await queuedWhilePaused(app, 3);
    const r = await eventually(async () => {
      const res = await app.services.broadcasts.results(broadcast._id);
      expect(res.broadcast.fannedOut).toBe(true);
      return res;
    });
    expect(r.broadcast.counts).toMatchObject({ targeted: 3, unreachable: 1, sent: 0 });
    expect(r.pending).toBe(3);
    lane.resume();
    await waitStatus(app, broadcast._id, 'done');
    expect((await app.services.broadcasts.results(broadcast._id)).pending).toBe(0);
  });

  it('finishes a cancelled broadcast whose withdrawn job was never counted', async () => {
    const { app, received } = await setup(6);
    const { broadcast, jobs, lane } = await queuedWhilePaused(app, 6);
    // As if the process died between taking the job off the queue and counting it.
    await jobs[0]!.remove();
    await app.services.broadcasts.cancel(broadcast._id, SECRETARIAT, app.clock.now());
    const done = await waitStatus(app, broadcast._id, 'cancelled', 40_000);
    lane.resume();
    expect(total(received)).toBe(0);
    expect(done.counts).toMatchObject({ targeted: 6, sent: 0, failed: 0, cancelled: 6 });
  }, 60_000);

  it('waits through quiet hours instead of sending', async () => {
    const { app, received, bm } = await setup(3);
    app.clock.advance(13 * 3600_000); // 02:00Z → 15:00Z = 22:00 in Vietnam
    const { broadcast } = await app.services.broadcasts.create({ content: { text: 'Tối rồi' }, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now: app.clock.now() });
    const waiting = await eventually(async () => {
      const b = await bm.Broadcast.findById(broadcast._id).lean();
      expect(b?.waitingUntil).toBeDefined();
      return b!;
    });
    expect(waiting.waitingUntil!.toISOString()).toBe('2026-11-26T00:00:00.000Z'); // 07:00 local
    expect(waiting.counts.targeted).toBe(0);
    expect(total(received)).toBe(0);
  });

  it('pauses and resumes', async () => {
    const { app, received } = await setup(60, { CONSOLE_DELIVERY_RATE_PER_SECOND: '20' });
    const s = app.services.broadcasts;
    const { broadcast } = await s.create({ content: { text: 'Tạm dừng thử' }, audience: {}, schedule: { kind: 'once' } }, SECRETARIAT, { now: app.clock.now() });
    await eventually(() => expect(total(received)).toBeGreaterThanOrEqual(5));
    await s.pause(broadcast._id, SECRETARIAT, app.clock.now());
    await expect(s.pause(broadcast._id, SECRETARIAT, app.clock.now())).rejects.toMatchObject({ code: 'bad_state' });
    await s.resume(broadcast._id, SECRETARIAT, app.clock.now());
    const done = await waitStatus(app, broadcast._id, 'done', 25_000);
    expect(done.counts).toMatchObject({ targeted: 60, sent: 60 });
    expect(total(received)).toBe(60);
    for (const texts of received.values()) expect(texts).toHaveLength(1);
  });

  it('registers a recurring broadcast as a job scheduler; one occurrence makes one child however often it runs', async () => {
    const { app, bm } = await setup(2);
    const s = app.services.broadcasts;
    const { broadcast } = await s.create({ content: { text: 'Bản tin tuần' }, audience: {}, schedule: { kind: 'recurring', cron: '0 8 * * 1' } }, SECRETARIAT, { now: app.clock.now() });
    const schedulers = await app.jobs.queue('broadcasts').getJobSchedulers();
    expect(schedulers.map((j) => [j.key, j.pattern, j.tz])).toContainEqual([`bc:${broadcast._id}`, '0 8 * * 1', 'Asia/Ho_Chi_Minh']);
    const a = await s.startOccurrence(broadcast._id, 'repeat:x:1764547200000', app.clock.now());
    const b = await s.startOccurrence(broadcast._id, 'repeat:x:1764547200000', app.clock.now());
    expect(a).toBe(b);
    await waitStatus(app, a!, 'done');
    expect(await bm.Broadcast.countDocuments({ parentId: broadcast._id })).toBe(1);
    // The next run shown is the one BullMQ's Job Scheduler holds (both computed from the wall clock).
    const next = (await app.jobs.queue('broadcasts').getJobSchedulers()).find((j) => j.key === `bc:${broadcast._id}`)?.next;
    expect(next).toBeDefined();
    expect((await s.results(broadcast._id)).nextRun?.getTime()).toBe(next);
    await s.cancel(broadcast._id, SECRETARIAT, app.clock.now());
    expect((await app.jobs.queue('broadcasts').getJobSchedulers()).map((j) => j.key)).not.toContain(`bc:${broadcast._id}`);
  });
});
