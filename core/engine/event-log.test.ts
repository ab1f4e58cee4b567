/**
 * Every log line of one event carries the same `eventId`, from the engine to the delivery
 * worker that sends its replies (Envelope.trace), and none carries the message text or the
 * person's platform id. The app logs at debug into a stream the test reads.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApp } from '../../app/app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { ConsolePerson, TEST_MARKER_KEY, TEST_SEAL_KEY, TestClock, type TestApp } from '../../test/support/test-app.js';

const id = randomBytes(5).toString('hex');
let app: TestApp;
let lines: Record<string, unknown>[] = [];
let capturing = false;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (capturing) for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ MONGODB_DB: `t_${id}`, REDIS_PREFIX: `t${id}`, LOG_LEVEL: 'debug', REPORTER_SEAL_KEY: TEST_SEAL_KEY, MARKER_KEY: TEST_MARKER_KEY, INBOUND_BURST: '10000', INBOUND_REFILL_PER_SECOND: '10000' });
  const clock = new TestClock();
  app = Object.assign(await createApp({ config, mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl'), clock, log: createLogger('debug', sink) }), { clock });
});

afterAll(async () => {
  if (!app) return;
  await Promise.all(app.workers.map((w) => w.close()));
  await app.conn.dropDatabase().catch(() => undefined);
  const keys = await app.redis.keys(`t${id}*`);
  if (keys.length) await app.redis.del(...keys);
  await app.close();
});

/** The lines logged while one event is handled and its replies delivered. */
async function linesOf(person: ConsolePerson, text: string, eventId: string): Promise<Record<string, unknown>[]> {
  lines = [];
  capturing = true;
  try {
    // Returns once the reply's delivery record says sent, which the worker writes after its line.
    await person.send({ text, eventId });
  } finally {
    capturing = false;
  }
  return lines;
}

describe('one event, one id in the logs', () => {
  it('every line of a turn and of its delivery carries the event id, and no text or platform id', async () => {
    const person = new ConsolePerson(app, 'u-7f3kq2');
    const captured = await linesOf(person, 'xin chào từ xưởng may', 'ev-trace-0001');
    const messages = captured.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['event received', 'turn committed', 'delivered']));
    for (const line of captured) expect(line.eventId, JSON.stringify(line)).toBe('ev-trace-0001');
    const raw = JSON.stringify(captured);
    expect(raw).not.toContain('xưởng may');
    expect(raw).not.toContain('u-7f3kq2');
    // The reply this person saw is not in the logs either.
    expect(raw).not.toContain(person.last.text.slice(0, 20));
  });

  it('a second event of the same person has its own id on all its lines', async () => {
    const person = new ConsolePerson(app, 'u-7f3kq3');
    await person.say('chào');
    const captured = await linesOf(person, '1', 'ev-trace-0002');
    expect(captured.length).toBeGreaterThanOrEqual(3);
    expect(new Set(captured.map((l) => l.eventId))).toEqual(new Set(['ev-trace-0002']));
  });

  it('a replayed event is logged under its id too', async () => {
    const person = new ConsolePerson(app, 'u-7f3kq4');
    await person.send({ text: 'chào', eventId: 'ev-trace-0003' });
    const captured = await linesOf(person, 'chào', 'ev-trace-0003');
    expect(captured.map((l) => l.msg)).toContain('replayed event: its replies queued again');
    expect(new Set(captured.map((l) => l.eventId))).toEqual(new Set(['ev-trace-0003']));
  });
});
