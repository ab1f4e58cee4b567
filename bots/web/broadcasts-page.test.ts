/**
 * The broadcasts pages over real HTTP, against the real Redis and MongoDB-wire server: a city
 * secretariat member previews (the size the service gives), creates a broadcast sent now (listed,
 * its job queued) and pauses, resumes and cancels a scheduled one; a zone secretariat member
 * cannot target a unit outside the zone (refused in words, audited as access.denied) nor open a
 * broadcast addressed outside it; forms without the CSRF token are refused; hostile text is escaped.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { deliveryJobId } from '../../workers/delivery-queue.js';
import { csrfOf, signedInClient, startWebServer } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
const HOSTILE = '<script>alert(1)</script> {"$gt": ""}';

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

const figure = (page: string, key: string) => Number(new RegExp(`data-figure="${key}">(\\d+)<`).exec(page)?.[1]);
const idOf = (location: string | null) => /\/web\/broadcasts\/(bc-[0-9a-f]+)/.exec(location ?? '')?.[1];

/** The compose form's fields, as a person fills them. */
function composeForm(page: string, fields: Record<string, string>): Record<string, string> {
  return { _csrf: csrfOf(page)!, key: /name="key" value="([0-9a-f]+)"/.exec(page)![1]!, quiet: 'on', quiet_start: '21:30', quiet_end: '07:00', when: 'now', ...fields };
}

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'm-w1', name: 'Lan', orgUnitId: 'ent-phuc-thinh' });
  await addMember(app, { id: 'm-w2', name: 'An', orgUnitId: 'ent-phuc-thinh' });
  await addMember(app, { id: 'm-w3', name: 'Mai', orgUnitId: 'ent-hoa-sen' });
  await app.models.Member.updateOne({ _id: 'm-w3' }, { $set: { broadcastsOptOut: true } });
  await addMember(app, { id: 'm-w4', name: 'Hà', orgUnitId: 'ent-det-song-than' });
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

describe('broadcasts in the web console', () => {
  it('a city secretariat member previews, creates one sent now, and pauses, resumes and cancels a scheduled one', async () => {
    const c = await signedIn('m-thu');
    const home = await c.get('/web');
    expect(home.text).toContain('href="/web/broadcasts"');
    const compose = await c.get('/web/broadcasts/new');
    expect(compose.status).toBe(200);
    expect(compose.text).toContain('Soạn tin nhắn hàng loạt');
    expect(compose.text).toContain('<option value="vsip1"');
    expect(compose.text).toContain('<option value="kcn-song-than-2"');

    // Preview: the live size, as the service counts it; nothing is created.
    const preview = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: 'Hội thao công nhân chủ nhật này', unit: 'vsip1', action: 'preview' }));
    expect(preview.status).toBe(200);
    const size = await app.services.broadcasts.preview({ orgUnitId: 'vsip1' });
    expect(size.targeted).toBeGreaterThan(0);
    expect(figure(preview.text, 'targeted')).toBe(size.targeted);
    expect(figure(preview.text, 'optedOut')).toBe(size.optedOut);
    expect(size.optedOut).toBe(1);
    expect(preview.text).toContain('Hội thao công nhân chủ nhật này</textarea>');
    expect(await app.services.broadcasts.list(10)).toHaveLength(0);

    // Create, sent now: listed, its job queued.
    const created = await c.post('/web/broadcasts/new', composeForm(preview.text, { text: 'Hội thao công nhân chủ nhật này', unit: 'vsip1', action: 'create' }));
    expect(created.status).toBe(303);
    const id = idOf(created.res.headers.get('location'))!;
    expect(id).toBeTruthy();
    expect(await app.jobs.queue('broadcasts').getJob(deliveryJobId(`bc-run:${id}:0`))).toBeTruthy();
    const list = await c.get('/web/broadcasts');
    expect(list.text).toContain(`href="/web/broadcasts/${id}"`);
    expect(list.text).toContain('KCN VSIP I');
    const detail = await c.get(`/web/broadcasts/${id}?done=created`);
    expect(detail.text).toContain('Đã tạo và lên lịch tin nhắn.');

    // A scheduled one (far ahead): pause, resume, cancel.
    const again = await c.get('/web/broadcasts/new');
    const later = await c.post('/web/broadcasts/new', composeForm(again.text, { text: 'Chương trình Tết sum vầy', unit: 'ent-phuc-thinh', when: 'at', at: '2027-01-20T08:00', action: 'create' }));
    expect(later.status).toBe(303);
    const lid = idOf(later.res.headers.get('location'))!;
    let page = await c.get(`/web/broadcasts/${lid}`);
    expect(page.text).toContain('08:00 20/01/2027');
    expect(page.text).toContain(`action="/web/broadcasts/${lid}/pause"`);
    expect((await c.post(`/web/broadcasts/${lid}/pause`, { _csrf: csrfOf(page.text)! })).status).toBe(303);
    expect((await app.services.broadcasts.get(lid))!.status).toBe('paused');
    page = await c.get(`/web/broadcasts/${lid}`);
    expect(page.text).toContain(`action="/web/broadcasts/${lid}/resume"`);
    expect((await c.post(`/web/broadcasts/${lid}/resume`, { _csrf: csrfOf(page.text)! })).status).toBe(303);
    expect((await app.services.broadcasts.get(lid))!.status).toBe('scheduled');
    expect((await c.post(`/web/broadcasts/${lid}/cancel`, { _csrf: csrfOf(page.text)! })).status).toBe(303);
    expect((await app.services.broadcasts.get(lid))!.status).toBe('cancelled');
    // Resuming a cancelled one: the service's refusal, in words.
    const refused = await c.post(`/web/broadcasts/${lid}/resume`, { _csrf: csrfOf(page.text)! });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('class="problem"');
    expect(await app.models.Audit.countDocuments({ actor: 'm-thu', target: lid, action: { $in: ['broadcast.paused', 'broadcast.resumed', 'broadcast.cancelled'] } })).toBe(3);
  });

  it('shows the service\'s validation errors next to the form, in the person\'s language', async () => {
    const c = await signedIn('m-thu');
    const compose = await c.get('/web/broadcasts/new');
    const badRule = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: 'Nhắc họp', unit: 'vsip1', when: 'cron', cron: 'mỗi khi nào đó', action: 'preview' }));
    expect(badRule.status).toBe(422);
    expect(badRule.text).toContain('role="alert"');
    const past = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: 'Nhắc họp', unit: 'vsip1', when: 'at', at: '2020-01-01 08:00', action: 'create' }));
    expect(past.status).toBe(422);
    expect(past.text).toContain('đã qua');
    const unreadable = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: 'Nhắc họp', when: 'at', at: 'ngày mai', action: 'create' }));
    expect(unreadable.status).toBe(422);
    expect(unreadable.text).toContain('Chưa đọc được ngày giờ gửi');
    // In English after the language switch: the same refusal in English.
    expect((await c.post('/web/lang', { _csrf: csrfOf(compose.text)!, lang: 'en', next: '/web/broadcasts/new' })).status).toBe(303);
    const en = await c.get('/web/broadcasts/new');
    expect(en.text).toContain('Compose a broadcast');
    const pastEn = await c.post('/web/broadcasts/new', composeForm(en.text, { text: 'Meeting', unit: 'vsip1', when: 'at', at: '2020-01-01 08:00', action: 'create' }));
    expect(pastEn.status).toBe(422);
    expect(pastEn.text).toContain('has already passed');
  });

  it('a zone secretariat member cannot target a unit outside the zone, nor open a broadcast addressed there', async () => {
    const thu = await signedIn('m-thu');
    const form = await thu.get('/web/broadcasts/new');
    const outside = await thu.post('/web/broadcasts/new', composeForm(form.text, { text: 'Tin Sóng Thần', unit: 'kcn-song-than-2', when: 'at', at: '2027-02-01 08:00', action: 'create' }));
    const outsideId = idOf(outside.res.headers.get('location'))!;

    const c = await signedIn('m-vy');
    const compose = await c.get('/web/broadcasts/new');
    expect(compose.text).toContain('<option value="vsip1"');
    expect(compose.text).not.toContain('kcn-song-than-2');
    for (const action of ['preview', 'create']) {
      const res = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: 'Tin nhắn', unit: 'kcn-song-than-2', action }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('KCN Sóng Thần 2');
      expect(res.text).toContain('KCN VSIP I');
    }
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', target: 'kcn-song-than-2' })).toBe(2);
    const list = await c.get('/web/broadcasts');
    expect(list.text).not.toContain(outsideId);
    expect((await c.get(`/web/broadcasts/${outsideId}`)).status).toBe(404);
    expect((await c.post(`/web/broadcasts/${outsideId}/cancel`, { _csrf: csrfOf(list.text)! })).status).toBe(404);
    expect((await app.services.broadcasts.get(outsideId))!.status).toBe('scheduled');
  });

  it('refuses forms without the CSRF token and escapes hostile input', async () => {
    const c = await signedIn('m-thu');
    const compose = await c.get('/web/broadcasts/new');
    const { _csrf, ...noToken } = composeForm(compose.text, { text: 'x', unit: 'vsip1', action: 'create' });
    expect(_csrf).toBeTruthy();
    expect((await c.post('/web/broadcasts/new', noToken)).status).toBe(403);
    expect((await c.post('/web/broadcasts/new', { ...noToken, _csrf: 'forged' })).status).toBe(403);
    const before = (await app.services.broadcasts.list(100)).length;

    const hostile = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: HOSTILE, unit: HOSTILE, action: 'preview' }));
    expect(hostile.status).toBe(422);
    expect(hostile.text).not.toContain('<script>');
    expect(hostile.text).toContain('&lt;script&gt;');
    const created = await c.post('/web/broadcasts/new', composeForm(compose.text, { text: HOSTILE, unit: 'vsip1', when: 'at', at: '2027-03-01 08:00', action: 'create' }));
    expect(created.status).toBe(303);
    const id = idOf(created.res.headers.get('location'))!;
    for (const path of ['/web/broadcasts', `/web/broadcasts/${id}`]) {
      const res = await c.get(path);
      expect(res.text).not.toContain('<script>');
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect((await app.services.broadcasts.list(100)).length).toBe(before + 1);
    expect((await c.get(`/web/broadcasts/${encodeURIComponent('{"$gt": ""}')}`)).status).toBe(404);
  });
});
