/**
 * A whole app (engine, queues, workers, console channel) on the real Redis and MongoDB-wire
 * server, isolated by its own database and Redis prefix; and `ConsolePerson`, who chats with it
 * the way the console simulator does.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createApp, type App, type AppOptions } from '../../app/app.js';
import type { ConversationDoc } from '../../core/db.js';
import { openConversation } from '../../core/engine/conversation-seal.js';
import { loadConfig } from '../../core/config.js';
import type { Clock, Inbound, Outbound } from '../../core/engine/types.js';
import { deliveryJobId } from '../../workers/delivery-queue.js';

// For tests under core/ and flows/, which may not import bots/ themselves (eslint.config.js).
export { ConsoleChannel, type ConsoleMessage } from '../../bots/console/console-channel.js';

/** Keys of every test app (fixed, so a test can recompute a marker). */
export const TEST_SEAL_KEY = '5e'.repeat(32);
export const TEST_MARKER_KEY = 'a7'.repeat(32);

/** A clock tests can move forward. */
export class TestClock implements Clock {
  constructor(private t = new Date('2026-11-25T02:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export interface TestApp extends App {
  clock: TestClock;
}

/** Starts an app on a fresh database `t_<random>` and Redis prefix; `close()` drops both. */
export async function startTestApp(env: Record<string, string> = {}, opts: Pick<AppOptions, 'concernPolicy'> = {}): Promise<TestApp> {
  const id = randomBytes(5).toString('hex');
  // Tests drive one person far faster than anyone types: the per-person rate limit is lifted
  // unless a test sets it (test/flood.e2e.test.ts, core/engine/inbound-limits.test.ts).
  const config = loadConfig({ MONGODB_DB: `t_${id}`, REDIS_PREFIX: `t${id}`, LOG_LEVEL: 'silent', REPORTER_SEAL_KEY: TEST_SEAL_KEY, MARKER_KEY: TEST_MARKER_KEY, INBOUND_BURST: '10000', INBOUND_REFILL_PER_SECOND: '10000', ...env });
  const clock = new TestClock();
  const app = await createApp({ config, mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl'), clock, ...opts });
  const close = app.close;
  return Object.assign(app, {
    clock,
    async close() {
      // Workers first: FerretDB deletes a dropped database's file, and a query still running
      // against it can crash the server (SIGBUS on the mapped file).
      await Promise.all(app.workers.map((w) => w.close()));
      await app.conn.dropDatabase().catch(() => undefined);
      const keys = await app.redis.keys(`t${id}*`);
      if (keys.length) await app.redis.del(...keys);
      await close();
    },
  });
}

/** A conversation as the engine sees it (its data, choices and replies opened from the seal). */
export async function storedConversation(app: App, id: string): Promise<ConversationDoc | null> {
  const conv = await app.models.Conversation.findById(id).lean();
  return conv ? openConversation(app.services.keys, conv) : null;
}

let seq = 0;

/** Someone chatting in the console channel. */
export class ConsolePerson {
  readonly inbox: Outbound[] = [];
  constructor(readonly app: TestApp, readonly userId: string, private readonly extra: Partial<Inbound> = {}) {
    app.console.onMessage((m) => {
      if (m.chatId === userId) this.inbox.push(m.message);
    });
  }

  /** Sends an event and returns the replies it produced once they have been delivered. */
  async send(fields: Partial<Inbound>): Promise<Outbound[]> {
    const eventId = fields.eventId ?? `e${++seq}-${Date.now()}`;
    const before = this.inbox.length;
    const inbound: Inbound = { channel: 'console', userId: this.userId, chatId: this.userId, eventId, at: this.app.clock.now(), ...this.extra, ...fields };
    await this.app.engine.handle(inbound);
    await this.waitDelivered(eventId);
    return this.inbox.slice(before);
  }

  say(text: string, fields: Partial<Inbound> = {}): Promise<Outbound[]> {
    return this.send({ text, ...fields });
  }

  /** Waits until the replies of an event have been delivered (or it had none). */
  async waitDelivered(eventId: string, timeoutMs = 10_000): Promise<void> {
    const conv = await storedConversation(this.app, `console:${this.userId}`);
    if (!conv) {
      // No conversation: a group message, or "delete my data" (its replies leave no record). Wait for the lane to empty.
      const until = Date.now() + timeoutMs;
      while ((await this.app.outbox.pending('console')) > 0) {
        if (Date.now() > until) throw new Error(`replies to ${eventId} were not delivered within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return;
    }
    const replies = conv.recentEvents.find((r) => r.id === eventId)?.replies ?? [];
    if (replies.length === 0) return;
    const id = deliveryJobId(`console:${this.userId}:${eventId}`);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const d = await this.app.models.Delivery.findById(id).lean();
      if (d?.status === 'sent') return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`replies to ${eventId} were not delivered within ${timeoutMs} ms`);
  }

  /** The text of the last message received. */
  get last(): Outbound {
    return this.inbox[this.inbox.length - 1]!;
  }
}

/** All texts of a batch of replies joined, for `toContain` checks. */
export const textOf = (replies: Outbound[]) => replies.map((r) => r.text).join('\n');

/**
 * Someone who consented, chose Vietnamese and "Hoa Sen" (test/support/sample-units.ts) as
 * workplace, and now sits at the main menu.
 */
export async function onboardedPerson(app: TestApp, name: string, extra: Partial<Inbound> = {}): Promise<ConsolePerson> {
  const p = new ConsolePerson(app, name, { displayName: name, ...extra });
  for (const text of ['chào', '1', '1', 'hoa sen', '1']) await p.say(text);
  if (p.last.text !== app.services.i18n.for('vi')('menu:title')) throw new Error(`${name} did not reach the main menu: "${p.last.text}"`);
  return p;
}
