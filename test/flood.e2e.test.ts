/**
 * A flood over real HTTP: a few Zalo accounts post many webhook events at once. Each account's
 * token bucket lets a burst through and drops the rest (acknowledged to Zalo, not retried), the
 * person is told once to slow down, and the flood's replies cannot hold up an unrelated
 * person's reply on the delivery lane. Asserted on counts and delivery order, not on time: the
 * lane is paused while the flood and the unrelated event are handled, then resumed, so the
 * order it sends in is decided by the queue alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';

const BURST = 5;
const FLOODERS = ['flood-a', 'flood-b', 'flood-c', 'flood-d'];
const EVENTS_EACH = 20;
const BYSTANDER = 'bystander-1';

let p: Platforms;
beforeAll(async () => {
  p = await startPlatforms('webhook', {
    INBOUND_BURST: String(BURST),
    // Practically no refill during the test, so the counts below do not depend on timing.
    INBOUND_REFILL_PER_SECOND: '0.001',
    INBOUND_NOTICE_SECONDS: '3600',
    // One lane: everyone's replies compete for it.
    DELIVERY_SHARDS: '1',
  });
});
afterAll(async () => p?.close());

const texts = (chat: string) => p.zalo.sent.filter((s) => s.method === 'sendMessage' && s.chat_id === chat).map((s) => s.text ?? '');

describe('a flood of webhook events from a few accounts', () => {
  it("drops each account's events beyond its burst with one polite answer, and an unrelated person's reply goes ahead of the flood's backlog", async () => {
    const vi = p.app.services.i18n.for('vi');
    const lanes = p.app.outbox.queuesOf('zalo');
    for (const q of lanes) await q.pause();

    // Every event is acknowledged (200), dropped or not, so Zalo does not send it again.
    const statuses = await Promise.all(
      FLOODERS.flatMap((id) => Array.from({ length: EVENTS_EACH }, (_, i) => p.zalo.pushUpdate(p.zalo.textUpdate(id, `tin nhắn số ${i}`, { name: id })))),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Someone else writes while the flood's replies are still waiting on the lane.
    expect(await p.zalo.pushUpdate(p.zalo.textUpdate(BYSTANDER, 'xin chào', { name: 'Hà' }))).toBe(200);

    // Only each account's burst reached the engine; the rest never touched the database.
    for (const id of FLOODERS) {
      const conv = await p.app.models.Conversation.findById(`zalo:${id}`).lean();
      expect(conv?.recentEvents).toHaveLength(BURST);
    }
    // Waiting on the lane: the bystander's reply at the first level, each flooder with a backlog.
    const waiting = await lanes[0]!.getJobs(['prioritized', 'waiting']);
    // A sealed job names its chat only by its lane's keyed stand-in (core/privacy/sealed-envelope.ts).
    const laneOf = (id: string) => p.app.services.keys.marker('lane', 'zalo', id).slice(0, 24);
    const of = (id: string) => waiting.filter((j) => j.data.lane === laneOf(id) || j.data.chatId === id);
    const bystanderJobs = of(BYSTANDER);
    expect(bystanderJobs.map((j) => j.opts.priority)).toEqual([1]);
    for (const id of FLOODERS) {
      // Its burst's replies and one "slow down": only one of them at the first level.
      const mine = of(id);
      expect(mine).toHaveLength(BURST + 1);
      expect(mine.filter((j) => j.opts.priority === 1)).toHaveLength(1);
    }

    for (const q of lanes) await q.resume();
    await eventually(async () => expect(await p.app.outbox.pending('zalo')).toBe(0), 30_000);

    // Told once each, however many events were dropped.
    for (const id of FLOODERS) expect(texts(id).filter((t) => t === vi('common:rate_limited'))).toHaveLength(1);

    // The order the lane sent in: the bystander's reply came after at most one reply per
    // flooding chat (those that were first in their chat), ahead of the rest of the backlog.
    const sent = p.zalo.sent.filter((s) => s.method === 'sendMessage');
    const first = sent.findIndex((s) => s.chat_id === BYSTANDER);
    expect(first).toBeGreaterThanOrEqual(0);
    const before = sent.slice(0, first);
    const runs = before.filter((s, i) => i === 0 || before[i - 1]!.chat_id !== s.chat_id).map((s) => s.chat_id);
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs.length).toBeLessThanOrEqual(FLOODERS.length);
    const floodTotal = sent.filter((s) => FLOODERS.includes(s.chat_id)).length;
    const floodAfter = sent.slice(first).filter((s) => FLOODERS.includes(s.chat_id)).length;
    expect(floodAfter).toBeGreaterThanOrEqual(floodTotal / 2);
  });
});
