/**
 * The queues board over real HTTP, on the real Redis: only a member whose admin role reaches the
 * whole tree gets bull-board (its page, with its own CSP, and its API listing the app's queues);
 * a worker (no session), a zone secretariat member, a zone admin and a city secretariat member
 * without the admin role do not (404, audited); a change from another origin, or with no Origin,
 * is refused (403) and changes nothing, while the same change from the console's origin goes
 * through; message jobs show neither the chat nor the text.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BROADCAST_QUEUE } from '../../core/broadcasts/broadcast-service.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { deliveryQueueName } from '../../workers/delivery-queue.js';
import { deliveryJobView, sameOrigin } from './queues-board.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

/** A request the way bull-board's UI sends one (JSON by fetch), with the given Origin. */
async function api(c: WebClient, method: string, path: string, origin?: string) {
  const res = await fetch(base + path, {
    method,
    redirect: 'manual',
    headers: { cookie: `${SESSION_COOKIE}=${c.cookie}`, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: method === 'GET' ? undefined : '{}',
  });
  return { status: res.status, text: await res.text(), res };
}

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-admin', name: 'Anh Quân', roles: ['worker', 'admin'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await addMember(app, { id: 'm-zone-admin', name: 'Anh Nam', roles: ['worker', 'admin'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-admin' }, { $set: { grants: [{ role: 'admin', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await app.models.Member.updateOne({ _id: 'm-zone-admin' }, { $set: { grants: [{ role: 'admin', unitId: 'vsip1' }] } });
  ({ server, base } = await startWebServer(app));
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

beforeEach(async () => {
  const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
  if (keys.length) await app.redis.del(...keys);
});

describe('the queues board', () => {
  it('a city-level admin gets the board, with its own CSP, and its API lists the app queues', async () => {
    const c = await signedIn('m-admin');
    expect((await c.get('/web')).text).toContain('href="/web/queues"');
    const board = await c.get('/web/queues');
    expect(board.status).toBe(200);
    expect(board.text).toContain('<base href="/web/queues/"');
    expect(board.text).toMatch(/<script defer src="static\/js\/main\.[0-9a-f]+\.js">/);
    const csp = board.res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('googleapis');
    expect(csp).toContain("frame-ancestors 'none'");
    // The board's own script loads from its path.
    const script = /src="(static\/js\/main\.[0-9a-f]+\.js)"/.exec(board.text)![1]!;
    expect((await c.get(`/web/queues/${script}`)).status).toBe(200);
    // Elsewhere the console keeps the strict policy.
    expect((await c.get('/web')).res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);

    const list = await c.get('/web/queues/api/queues');
    expect(list.status).toBe(200);
    const names = (JSON.parse(list.text) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining([BROADCAST_QUEUE, deliveryQueueName('console', 0)]));
  });

  it('anyone else gets no board: no session the sign-in page, other staff the 404 page (audited)', async () => {
    const anon = await new WebClient(base).get('/web/queues/api/queues');
    expect(anon.status).toBe(401);
    expect(anon.text).not.toContain('"queues"');
    for (const id of ['m-vy', 'm-thu', 'm-zone-admin']) {
      const c = await signedIn(id);
      expect((await c.get('/web')).text).not.toContain('href="/web/queues"');
      const page = await c.get('/web/queues');
      expect(page.status).toBe(404);
      expect(page.text).not.toContain('static/js');
      const apiList = await c.get('/web/queues/api/queues');
      expect(apiList.status).toBe(404);
      expect(apiList.text).not.toContain('"queues"');
      expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: id, 'details.attempted': 'web.queues' })).toBeGreaterThanOrEqual(2);
    }
  });

  it('refuses a change from another origin or with no origin; the same change from the console goes through', async () => {
    const c = await signedIn('m-admin');
    const q = app.jobs.queue(BROADCAST_QUEUE);
    const pause = `/web/queues/api/queues/${BROADCAST_QUEUE}/pause`;
    const evil = await api(c, 'PUT', pause, 'https://evil.example');
    expect(evil.status).toBe(403);
    expect(await q.isPaused()).toBe(false);
    expect((await api(c, 'PUT', pause)).status).toBe(403);
    expect((await api(c, 'PUT', pause, 'null')).status).toBe(403);
    expect(await q.isPaused()).toBe(false);
    // Adding jobs or rewriting their data by hand is not offered, even from the console.
    expect((await api(c, 'POST', `/web/queues/api/queues/${BROADCAST_QUEUE}/add`, base)).status).toBe(404);

    const ok = await api(c, 'PUT', pause, base);
    expect(ok.status).toBe(200);
    expect(await q.isPaused()).toBe(true);
    expect((await api(c, 'PUT', `/web/queues/api/queues/${BROADCAST_QUEUE}/resume`, base)).status).toBe(200);
    expect(await q.isPaused()).toBe(false);
  });

  it('checks the Origin against the public URL or the host, and hides who and what of a message job', () => {
    const req = (origin: string | undefined, host = '127.0.0.1:3000') => ({ headers: { origin, host } });
    expect(sameOrigin(req('http://127.0.0.1:3000'), undefined)).toBe(true);
    expect(sameOrigin(req('https://console.example.vn', 'internal:3000'), 'https://console.example.vn/')).toBe(true);
    expect(sameOrigin(req('https://evil.example'), 'https://console.example.vn')).toBe(false);
    expect(sameOrigin(req('http://127.0.0.1:3000.evil.example'), undefined)).toBe(false);
    expect(sameOrigin(req(undefined), undefined)).toBe(false);
    expect(sameOrigin(req('not a url'), undefined)).toBe(false);
    expect(deliveryJobView({ channel: 'zalo', chatId: '84901234567', key: 'k1', messages: [{ text: 'Xin chào Lan' }], priority: 'reply', memberId: 'm-1' })).toEqual({
      channel: 'zalo',
      chatId: '…',
      key: 'k1',
      messages: 1,
      priority: 'reply',
      memberId: 'm-1',
    });
  });
});
