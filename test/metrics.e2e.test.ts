/**
 * /metrics over real HTTP (bots/metrics-http.ts, core/metrics.ts): who may read it on the main
 * server and on METRICS_PORT, and the counters moving after real turns and deliveries through the
 * fake Zalo server (a reply sent, a 429, a 5xx retried), queue depths and broadcast progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../bots/http-server.js';
import { bearerMatches, describeMetrics, startMetricsListener } from '../bots/metrics-http.js';
import type { App } from '../app/app.js';
import { deliveryJobId, shardOf } from '../workers/delivery-queue.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The value of one sample of the exposition, or undefined when there is none with these labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const get = (url: string, token?: string) => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('/metrics', () => {
  let p: Platforms;
  const read = async () => {
    const r = await get(`${p.address}/metrics`, TOKEN);
    expect(r.status).toBe(200);
    return r.text();
  };

  beforeAll(async () => {
    p = await startPlatforms('webhook', { METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => p?.close());

  /** Sends a Zalo text and waits until its replies reached the fake. */
  async function zalo(user: string, text: string): Promise<void> {
    const update = p.zalo.textUpdate(user, text, { name: 'Lan' });
    expect(await p.zalo.pushUpdate(update)).toBe(200);
    const eventId = `zalo:${(update.message as { message_id: string }).message_id}`;
    await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId(`zalo:${user}:${eventId}`)).lean())?.status).toBe('sent'));
  }

  it('on PORT: 401 without the bearer token or with a wrong one, 200 in Prometheus text with it', async () => {
    const none = await get(`${p.address}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('donghanh_');
    expect((await get(`${p.address}/metrics`, 'metrics-token-0123456789abcdeX')).status).toBe(401);
    expect((await get(`${p.address}/metrics`, TOKEN.slice(0, -1))).status).toBe(401);
    expect((await fetch(`${p.address}/metrics`, { headers: { authorization: TOKEN } })).status).toBe(401);
    const ok = await get(`${p.address}/metrics`, TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe(CONTENT_TYPE);
    const text = await ok.text();
    expect(text).toContain('# TYPE donghanh_inbound_events_total counter');
    expect(sample(text, 'donghanh_process_info', { role: 'all' })).toBe(1);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('bearer tokens are compared whole, case-sensitively', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
  });

  it('without METRICS_TOKEN and METRICS_PORT it is off (404), and the start-up line says so', async () => {
    const config = { ...p.app.config, METRICS_TOKEN: undefined, METRICS_PORT: undefined };
    const server = buildHttpServer({ ...p.app, config } as App, [], 'polling', { webConsole: false });
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await get(`${address}/metrics`)).status).toBe(404);
      expect((await get(`${address}/metrics`, TOKEN)).status).toBe(404);
      expect((await get(`${address}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(describeMetrics(config)).toBe('metrics off (set METRICS_PORT, or METRICS_TOKEN to serve /metrics on PORT)');
    expect(describeMetrics(p.app.config)).toBe('metrics at /metrics on PORT (bearer METRICS_TOKEN required)');
  });

  it('on METRICS_PORT: served by a listener of its own (with the token when one is set), not on PORT', async () => {
    const open = await startMetricsListener({ METRICS_PORT: 0, METRICS_TOKEN: undefined }, p.app.metrics, '127.0.0.1');
    const guarded = await startMetricsListener({ METRICS_PORT: 0, METRICS_TOKEN: TOKEN }, p.app.metrics, '127.0.0.1');
    const config = { ...p.app.config, METRICS_PORT: 9, METRICS_TOKEN: TOKEN };
    const main = buildHttpServer({ ...p.app, config } as App, [], 'polling', { webConsole: false });
    const mainAddress = await main.listen({ port: 0, host: '127.0.0.1' });
    try {
      const r = await get(`${open!.address}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(CONTENT_TYPE);
      expect(await r.text()).toContain('donghanh_turn_duration_seconds');
      expect((await get(`${open!.address}/healthz`)).status).toBe(404);
      expect((await get(`${guarded!.address}/metrics`)).status).toBe(401);
      expect((await get(`${guarded!.address}/metrics`, TOKEN)).status).toBe(200);
      // With METRICS_PORT set, the main server has no /metrics at all.
      expect((await get(`${mainAddress}/metrics`, TOKEN)).status).toBe(404);
      expect(describeMetrics({ METRICS_PORT: 0, METRICS_TOKEN: undefined }, open)).toBe(`metrics on ${open!.address}/metrics`);
    } finally {
      await Promise.all([open!.server.close(), guarded!.server.close(), main.close()]);
    }
    expect(await startMetricsListener({ METRICS_PORT: undefined, METRICS_TOKEN: TOKEN }, p.app.metrics, '127.0.0.1')).toBeUndefined();
  });

  it('a real turn and its delivery move the counters: event handled, turn timed, reply sent', async () => {
    const before = await read();
    const handled = sample(before, 'donghanh_inbound_events_total', { channel: 'zalo', outcome: 'handled' }) ?? 0;
    const timed = sample(before, 'donghanh_turn_duration_seconds_count', { channel: 'zalo' }) ?? 0;
    const sent = sample(before, 'donghanh_deliveries_total', { channel: 'zalo', outcome: 'sent', priority: 'reply' }) ?? 0;
    await zalo('zalo-metrics-1', 'xin chào');
    const after = await read();
    expect(sample(after, 'donghanh_inbound_events_total', { channel: 'zalo', outcome: 'handled' })).toBe(handled + 1);
    expect(sample(after, 'donghanh_turn_duration_seconds_count', { channel: 'zalo' })).toBe(timed + 1);
    expect(sample(after, 'donghanh_deliveries_total', { channel: 'zalo', outcome: 'sent', priority: 'reply' })).toBe(sent + 1);
    // No label names a person: every label value is a channel, outcome, queue, state, status, kind or role.
    expect(after).not.toContain('zalo-metrics-1');
  });

  it('a replayed update is counted as replayed, a group message as group', async () => {
    const update = p.zalo.textUpdate('zalo-metrics-2', 'xin chào', { name: 'Lan' });
    expect(await p.zalo.pushUpdate(update)).toBe(200);
    expect(await p.zalo.pushUpdate(update)).toBe(200);
    const text = await read();
    expect(sample(text, 'donghanh_inbound_events_total', { channel: 'zalo', outcome: 'replayed' })).toBe(1);
    const group = p.zalo.textUpdate('zalo-metrics-3', 'xin chào', { name: 'Lan' });
    (group.message as { chat: { chat_type: string; id: string } }).chat = { id: 'group-1', chat_type: 'GROUP' };
    expect(await p.zalo.pushUpdate(group)).toBe(200);
    expect(sample(await read(), 'donghanh_inbound_events_total', { channel: 'zalo', outcome: 'group' })).toBe(1);
  });

  it('a 429 from the platform is counted, and a 5xx as a retry; both replies are still sent', async () => {
    const limited = sample(await read(), 'donghanh_delivery_rate_limited_total', { channel: 'zalo' }) ?? 0;
    p.zalo.failNext(1, 429, undefined, ['sendMessage']);
    await zalo('zalo-metrics-4', 'xin chào');
    expect(sample(await read(), 'donghanh_delivery_rate_limited_total', { channel: 'zalo' })).toBe(limited + 1);

    const retries = sample(await read(), 'donghanh_delivery_retries_total', { channel: 'zalo' }) ?? 0;
    p.zalo.failNext(1, 502, undefined, ['sendMessage']);
    await zalo('zalo-metrics-5', 'xin chào');
    expect(sample(await read(), 'donghanh_delivery_retries_total', { channel: 'zalo' })).toBe(retries + 1);
  });

  it('reports each queue\'s depth and the age of its oldest waiting job', async () => {
    // A delivery lane nobody works (the workers are paused), with two replies waiting in it.
    const lane = p.app.outbox.queuesOf('zalo')[0]!;
    const workers = p.app.workers.filter((w) => w.name === lane.name);
    await Promise.all(workers.map((w) => w.pause()));
    try {
      const chatId = laneChat(p, lane.name);
      await p.app.outbox.send([
        { channel: 'zalo', chatId, key: 'metrics-queue-1', messages: [{ text: 'a' }], priority: 'bulk' },
        { channel: 'zalo', chatId, key: 'metrics-queue-2', messages: [{ text: 'b' }], priority: 'bulk' },
      ]);
      const text = await read();
      expect(sample(text, 'donghanh_queue_jobs', { queue: lane.name, state: 'waiting' })).toBe(2);
      expect(sample(text, 'donghanh_queue_oldest_waiting_seconds', { queue: lane.name })).toBeGreaterThanOrEqual(0);
      // Every lane of both platforms and the timed work are listed, even when empty.
      for (const queue of ['deliver-telegram-3', 'deliver-zalo-1', 'concern-sla', 'broadcasts', 'retention']) {
        expect(sample(text, 'donghanh_queue_jobs', { queue, state: 'waiting' })).toBeTypeOf('number');
      }
      expect(sample(text, 'donghanh_queue_oldest_waiting_seconds', { queue: 'concern-sla' })).toBe(0);
    } finally {
      await lane.drain();
      workers.forEach((w) => w.resume());
    }
  });

  it('reports broadcasts by status and their message counts', async () => {
    const now = new Date();
    const base = { content: { text: 'x' }, audience: {}, schedule: { kind: 'now' }, createdBy: 'm-1', createdAt: now, updatedAt: now };
    await p.app.conn.collection('broadcasts').insertMany([
      { _id: 'b-metrics-1', ...base, status: 'sending', counts: { targeted: 300, sent: 120, failed: 2, unreachable: 1, optedOut: 0, withdrawn: 0, cancelled: 0 } } as never,
      { _id: 'b-metrics-2', ...base, status: 'done', counts: { targeted: 50, sent: 49, failed: 1, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0 } } as never,
      { _id: 'b-metrics-3', ...base, status: 'done', counts: { targeted: 10, sent: 10, failed: 0, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0 } } as never,
    ]);
    const text = await read();
    expect(sample(text, 'donghanh_broadcasts', { status: 'sending' })).toBe(1);
    expect(sample(text, 'donghanh_broadcasts', { status: 'done' })).toBe(2);
    expect(sample(text, 'donghanh_broadcast_messages', { status: 'sending', outcome: 'targeted' })).toBe(300);
    expect(sample(text, 'donghanh_broadcast_messages', { status: 'sending', outcome: 'sent' })).toBe(120);
    // Finished broadcasts are counted, their messages are not read again on every scrape.
    expect(sample(text, 'donghanh_broadcast_messages', { status: 'done', outcome: 'sent' })).toBe(0);
  });
});

/** A chat id that maps to the given lane (shardOf), so the test's jobs land where the workers are paused. */
function laneChat(p: Platforms, laneName: string): string {
  const lanes = p.app.outbox.queuesOf('zalo').map((q) => q.name);
  const index = lanes.indexOf(laneName);
  for (let i = 0; ; i++) {
    const chat = `queue-probe-${i}`;
    if (shardOf(chat, lanes.length) === index) return chat;
  }
}
