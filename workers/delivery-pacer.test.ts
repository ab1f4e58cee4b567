/**
 * The delivery pacer's scripts on the real Redis, on a clock the test gives (no wall-clock):
 * the turn sequence, and a simulated channel whose calls travel with delays, showing that no
 * second the platform counts gets more calls than the rate.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisScripts } from '../core/redis-scripts.js';
import { DeliveryPacer, pacerLimits } from './delivery-pacer.js';

const redis = new Redis(inject('redisUrl'));
const scripts = redisScripts(redis);
const prefix = `pacer-test-${randomBytes(4).toString('hex')}`;
let keys = 0;
const newKey = () => `${prefix}:${++keys}`;
afterAll(async () => {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

/** A time far from zero, as Redis's clock would give. */
const T = 1_800_000_000_000;

describe('delivery pacer', () => {
  it('grants a call only once the call a rate before it ended a window ago, spaced 1/rate, held after a 429', async () => {
    const key = newKey();
    const limits = pacerLimits(3); // at most 3 calls in any second, 333 ms apart
    expect(limits).toMatchObject({ perWindow: 3, windowMs: 1000 });
    const take = (at: number) => scripts.pacerTake(key, limits, T + at);
    const done = (send: number, at: number) => scripts.pacerDone(key, send, T + at);

    expect(await take(0)).toEqual({ granted: true, send: 1 });
    // Not before half a spacing after a grant, and a grant due at 333 may come late...
    expect(await take(100)).toEqual({ granted: false, waitMs: 67 });
    expect(await take(170)).toEqual({ granted: true, send: 2 });
    // ... and the next one is then due a spacing after the late one was due.
    expect(await take(499)).toEqual({ granted: false, waitMs: 1 });
    expect(await take(500)).toEqual({ granted: true, send: 3 });
    expect(await done(2, 190)).toBe(1);
    expect(await done(3, 510)).toBe(1);
    // Call 1 is still on its way (a cold connection): it may reach the platform as late as it
    // reports its end, so call 4 must wait for that report.
    expect(await take(850)).toEqual({ granted: false, waitMs: 150 });
    expect(await take(1000)).toEqual({ granted: false, waitMs: 5 });
    expect(await done(1, 900)).toBe(1);
    // Call 1 may have arrived at 900: call 4 starts a window later, not a slot after call 3.
    expect(await take(1000)).toEqual({ granted: false, waitMs: 900 });
    expect(await take(1900)).toEqual({ granted: true, send: 4 });
    expect(await done(4, 1902)).toBe(1);
    // A call ended is not ended twice; a call no longer tracked is ignored.
    expect(await done(4, 5000)).toBe(0);
    expect(await done(1, 5000)).toBe(0);
    // The platform said "too many requests": the whole channel waits.
    expect(await scripts.pacerHold(key, 2000, T + 1950)).toBe(1);
    expect(await take(2000)).toEqual({ granted: false, waitMs: 1950 });
    expect(await take(3950)).toEqual({ granted: true, send: 5 });
  });

  it('counts a call that never reported its end as in flight for a while, then as ended', async () => {
    const key = newKey();
    const limits = { ...pacerLimits(2), inFlightMs: 4000 };
    const take = (at: number) => scripts.pacerTake(key, limits, T + at);
    expect(await take(0)).toEqual({ granted: true, send: 1 }); // its process dies: no report
    expect(await take(500)).toEqual({ granted: true, send: 2 });
    await scripts.pacerDone(key, 2, T + 510);
    expect(await take(3000)).toEqual({ granted: false, waitMs: 5 });
    // After 4 s in flight it counts as ended then, so the next call waits one window more.
    expect(await take(4000)).toEqual({ granted: false, waitMs: 1000 });
    expect(await take(5000)).toEqual({ granted: true, send: 3 });
  });

  it('records a call\'s end and grants the next turn in one ask', async () => {
    const key = newKey();
    const limits = pacerLimits(1); // one call a second
    expect(await scripts.pacerTake(key, limits, T)).toEqual({ granted: true, send: 1 });
    expect(await scripts.pacerTake(key, limits, T + 600, 1)).toEqual({ granted: false, waitMs: 1000 });
    expect(await scripts.pacerTake(key, limits, T + 1600)).toEqual({ granted: true, send: 2 });
  });

  it('a lane asks for its next turn as a call ends, uses it for its next call, and gives it back when it stops', async () => {
    const key = newKey();
    const lane = new DeliveryPacer(redis, key, 10_000).lane();
    const entries = async () => Object.entries(await redis.hgetall(key)).filter(([f]) => /^\d+$/.test(f));
    expect(await lane.pace(async () => 'sent')).toBe('sent');
    // Call 1 ended (a time, no longer 'g'), turn 2 granted ahead, in flight.
    let e = await entries();
    expect(e.map(([f, v]) => [f, v.startsWith('g')])).toEqual([['1', false], ['2', true]]);
    await expect(lane.pace(async () => { throw new Error('platform down'); })).rejects.toThrow('platform down');
    // The failed call used turn 2 and ended all the same; turn 3 is granted ahead.
    e = await entries();
    expect(e.map(([f, v]) => [f, v.startsWith('g')])).toEqual([['1', false], ['2', false], ['3', true]]);
    await lane.close();
    e = await entries();
    expect(e.every(([, v]) => !v.startsWith('g'))).toBe(true);
    expect(await redis.hget(key, 'n')).toBe('3');
  });

  it('replaces a slot clock left by the earlier pacer', async () => {
    const key = newKey();
    await redis.set(key, String(T + 10_000), 'PX', 60_000);
    expect(await scripts.pacerTake(key, pacerLimits(30), T)).toEqual({ granted: true, send: 1 });
  });

  it('never lets more than the rate reach the platform in any second, however the calls travel', async () => {
    // 4 lanes of one channel at 30 calls/s; a call reaches the platform some time after its
    // grant (the event loop busy, a new connection: 0-60 ms, sometimes) and reports its end
    // after the answer comes back. Seeded, so every run is the same.
    const rate = 30;
    const delays = (random: () => number): Delays => () => ({
      toPlatform: (random() < 0.08 ? 20 + 40 * random() : 0) + 0.2 + 2 * random(),
      answer: 0.2 + 2 * random(),
      nextJob: 0.5 + 1.5 * random(),
      wakeLate: 2 * random(),
    });
    const paced = await simulateChannel(newKey(), rate, 4, 600, delays(seeded(12)));
    expect(tightestWindow(paced.arrivals, rate)).toBeGreaterThanOrEqual(1000);
    // And the channel keeps to its rate: ≥ 95 % of it from the first call to the last.
    const span = paced.arrivals[paced.arrivals.length - 1]! - paced.arrivals[0]!;
    expect((paced.arrivals.length - 1) / (span / 1000) / rate).toBeGreaterThan(0.95);

    // The earlier pacer with the same delays: slots 1/(0.97 rate) apart, each lane sleeping
    // until its slot, put more than 30 calls within one second.
    const slots = simulateSlots(rate, 4, 600, delays(seeded(12)));
    expect(tightestWindow(slots, rate)).toBeLessThan(1000);
  });
});

/** The shortest time spanned by `rate` + 1 consecutive arrivals (< 1,000 ms: a 429). */
function tightestWindow(arrivals: number[], rate: number): number {
  const a = [...arrivals].sort((x, y) => x - y);
  let min = Infinity;
  for (let k = 0; k + rate < a.length; k++) min = Math.min(min, a[k + rate]! - a[k]!);
  return min;
}

type Delays = () => { toPlatform: number; answer: number; nextJob: number; wakeLate: number };

/** Lanes asking the real pacer for turns on a simulated clock; returns when each call reached the platform. */
async function simulateChannel(key: string, rate: number, lanes: number, calls: number, delays: Delays): Promise<{ arrivals: number[] }> {
  const limits = pacerLimits(rate);
  const askAt = Array.from({ length: lanes }, () => 0);
  const ends: { send: number; at: number }[] = [];
  const arrivals: number[] = [];
  while (arrivals.length < calls) {
    const lane = askAt.indexOf(Math.min(...askAt));
    const now = askAt[lane]!;
    // Ends reported before this moment reach Redis first.
    ends.sort((x, y) => x.at - y.at);
    while (ends.length > 0 && ends[0]!.at <= now) {
      const e = ends.shift()!;
      await scripts.pacerDone(key, e.send, T + e.at);
    }
    const g = await scripts.pacerTake(key, limits, T + now);
    const d = delays();
    if (!g.granted) {
      askAt[lane] = now + g.waitMs + d.wakeLate;
      continue;
    }
    const arrived = now + d.toPlatform;
    arrivals.push(arrived);
    ends.push({ send: g.send, at: arrived + d.answer });
    askAt[lane] = arrived + d.answer + d.nextJob;
  }
  return { arrivals };
}

/** The earlier pacer: each call takes the next slot 1/(0.97 rate) apart and sleeps until it. */
function simulateSlots(rate: number, lanes: number, calls: number, delays: Delays): number[] {
  const interval = 1000 / (rate * 0.97);
  const askAt = Array.from({ length: lanes }, () => 0);
  let next = 0;
  const arrivals: number[] = [];
  while (arrivals.length < calls) {
    const lane = askAt.indexOf(Math.min(...askAt));
    const now = askAt[lane]!;
    const slot = Math.max(now, next);
    next = slot + interval;
    const d = delays();
    const arrived = slot + d.wakeLate + d.toPlatform;
    arrivals.push(arrived);
    askAt[lane] = arrived + d.answer + d.nextJob;
  }
  return arrivals;
}

/** A small seeded generator (mulberry32), so the simulation is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
