/**
 * The materials pages over real HTTP, against the real Redis and MongoDB-wire server: a city
 * secretariat member adds a material in Vietnamese and English with a photo, edits it, unpublishes
 * and republishes it (each audited; workers stop and start seeing it), and filters the list;
 * refusals of the service are shown next to the field they concern (non-https photo, empty text,
 * unknown topic, too long); `{"$gt": ""}` is stored as text; a zone secretariat member reads the
 * list but gets 404 on every change (audited); forms without the CSRF token are refused; a
 * broadcast can send a published material.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { MATERIAL_LIMITS } from '../../core/materials/material-service.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
const INJECTION = '{"$gt": ""}';

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

const idOf = (location: string | null) => /\/web\/materials\/(mat-[0-9a-f]{10})/.exec(location ?? '')?.[1];
const audits = async (action: string, target?: string) => app.models.Audit.find({ action, ...(target ? { target } : {}) }).lean();

/** The add / edit form, filled in. */
function materialForm(page: string, fields: Record<string, string>): Record<string, string> {
  return { _csrf: csrfOf(page)!, topic: 'health', title_vi: '', body_vi: '', photo_vi: '', title_en: '', body_en: '', photo_en: '', ...fields };
}

const good = {
  title_vi: 'Phòng say nắng khi làm ca',
  body_vi: 'Uống nước mỗi 20 phút, nghỉ nơi thoáng mát.',
  photo_vi: 'https://example.org/nang.jpg',
  title_en: 'Avoiding heatstroke on shift',
  body_en: 'Drink water every 20 minutes and rest in the shade.',
  photo_en: 'https://example.org/heat.jpg',
};

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'm-w1', name: 'Lan', orgUnitId: 'ent-phuc-thinh' });
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

describe('materials in the web console', () => {
  it('a city secretariat member adds one in two languages, edits, unpublishes and republishes it', async () => {
    const c = await signedIn('m-thu');
    expect((await c.get('/web')).text).toContain('href="/web/materials"');
    const list0 = await c.get('/web/materials');
    expect(list0.status).toBe(200);
    expect(list0.text).toContain('href="/web/materials/new"');
    const form = await c.get('/web/materials/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="f-photo-en">');

    const created = await c.post('/web/materials/new', materialForm(form.text, good));
    expect(created.status).toBe(303);
    const id = idOf(created.res.headers.get('location'))!;
    expect(id).toBeTruthy();
    const stored = (await app.services.materials.get(id))!;
    expect(stored.topic).toBe('health');
    expect(stored.author).toBe('m-thu');
    expect(stored.content.vi).toEqual({ title: good.title_vi, body: good.body_vi, photoUrl: good.photo_vi });
    expect(stored.content.en?.photoUrl).toBe(good.photo_en);
    expect(await audits('material.created', id)).toHaveLength(1);
    // Workers see it.
    expect((await app.services.materials.newest({ now: app.clock.now() })).items.map((m) => m._id)).toContain(id);

    // The edit page shows it; saving a change stores it, audited.
    const edit = await c.get(`/web/materials/${id}?done=created`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('Đã lưu tài liệu mới.');
    expect(edit.text).toContain(`value="${good.photo_en}"`);
    const saved = await c.post(`/web/materials/${id}`, materialForm(edit.text, { ...good, topic: 'labour_rights', body_en: 'Drink water often.', photo_en: '' }));
    expect(saved.status).toBe(303);
    const after = (await app.services.materials.get(id))!;
    expect(after.topic).toBe('labour_rights');
    expect(after.content.en).toEqual({ title: good.title_en, body: 'Drink water often.' });
    expect(after.updatedBy).toBe('m-thu');
    const updated = await audits('material.updated', id);
    expect(updated).toHaveLength(1);
    expect(updated[0]!.details).toMatchObject({ topic: 'labour_rights', topicBefore: 'health', changed: ['en'] });

    // Unpublish: workers no longer see it; the list shows it as unpublished.
    const page2 = await c.get(`/web/materials/${id}`);
    expect((await c.post(`/web/materials/${id}/unpublish`, { _csrf: csrfOf(page2.text)! })).status).toBe(303);
    expect((await app.services.materials.get(id))!.unpublishedAt).toBeTruthy();
    expect((await app.services.materials.newest({ now: app.clock.now() })).items.map((m) => m._id)).not.toContain(id);
    expect(await audits('material.unpublished', id)).toHaveLength(1);
    const unpublished = await c.get('/web/materials?state=unpublished');
    expect(unpublished.text).toContain(`data-material="${id}"`);
    expect(unpublished.text).toContain('data-state="unpublished"');
    expect((await c.get('/web/materials?state=published')).text).not.toContain(`data-material="${id}"`);

    // Republish.
    const page3 = await c.get(`/web/materials/${id}?done=unpublished`);
    expect(page3.text).toContain(`action="/web/materials/${id}/republish"`);
    expect((await c.post(`/web/materials/${id}/republish`, { _csrf: csrfOf(page3.text)! })).status).toBe(303);
    expect((await app.services.materials.newest({ now: app.clock.now() })).items.map((m) => m._id)).toContain(id);
    expect(await audits('material.republished', id)).toHaveLength(1);

    // Filters: by language and topic.
    expect((await c.get('/web/materials?language=en&topic=labour_rights')).text).toContain(`data-material="${id}"`);
    expect((await c.get('/web/materials?topic=skills')).text).not.toContain(`data-material="${id}"`);
    const viOnly = await app.services.materials.create({ topic: 'skills', author: 'm-thu', content: { vi: { title: 'Chỉ tiếng Việt', body: 'Nội dung' } } }, app.clock.now());
    expect((await c.get('/web/materials?language=en')).text).not.toContain(`data-material="${viOnly._id}"`);
    expect((await c.get('/web/materials?language=vi')).text).toContain(`data-material="${viOnly._id}"`);
    // A filter given an object or nonsense is ignored, not passed on.
    expect((await c.get(`/web/materials?topic=${encodeURIComponent(INJECTION)}&state[$ne]=x&page=-4`)).status).toBe(200);
  });

  it('shows the service refusals next to their field and keeps what was typed', async () => {
    const c = await signedIn('m-thu');
    const before = (await app.services.materials.browse({ pageSize: 1000 })).items.length;
    const form = (await c.get('/web/materials/new')).text;

    const http = await c.post('/web/materials/new', materialForm(form, { ...good, photo_vi: 'http://example.org/nang.jpg' }));
    expect(http.status).toBe(422);
    expect(http.text).toMatch(/<input type="url" id="f-photo-vi" name="photo_vi" value="http:\/\/example.org\/nang.jpg" inputmode="url" autocomplete="off" aria-invalid="true" aria-describedby="err-vi-photoUrl hint-photo-vi">/);
    expect(http.text).toContain('id="err-vi-photoUrl" role="alert">Địa chỉ ảnh phải bắt đầu bằng https://');
    expect(http.text).toContain(`value="${good.title_en}"`);

    const js = await c.post('/web/materials/new', materialForm(form, { ...good, photo_en: 'javascript:alert(1)' }));
    expect(js.status).toBe(422);
    expect(js.text).toContain('id="err-en-photoUrl"');

    const noBody = await c.post('/web/materials/new', materialForm(form, { ...good, body_en: '   ' }));
    expect(noBody.status).toBe(422);
    expect(noBody.text).toContain('id="err-en-body" role="alert">Ô này không được để trống.');

    const long = await c.post('/web/materials/new', materialForm(form, { ...good, title_vi: 'a'.repeat(MATERIAL_LIMITS.title + 1) }));
    expect(long.status).toBe(422);
    expect(long.text).toContain(`id="err-vi-title" role="alert">Dài quá: tối đa ${MATERIAL_LIMITS.title} ký tự.`);

    const topic = await c.post('/web/materials/new', materialForm(form, { ...good, topic: INJECTION }));
    expect(topic.status).toBe(422);
    expect(topic.text).toContain('id="err-topic" role="alert"');

    const nothing = await c.post('/web/materials/new', materialForm(form, {}));
    expect(nothing.status).toBe(422);
    expect(nothing.text).toContain('id="form-problem"');

    expect((await app.services.materials.browse({ pageSize: 1000 })).items.length).toBe(before);

    // `{"$gt": ""}` is text like any other: stored as typed, shown escaped.
    const hostile = await c.post('/web/materials/new', materialForm(form, { title_vi: INJECTION, body_vi: '<script>alert(1)</script>' }));
    expect(hostile.status).toBe(303);
    const id = idOf(hostile.res.headers.get('location'))!;
    expect((await app.services.materials.get(id))!.content.vi).toEqual({ title: INJECTION, body: '<script>alert(1)</script>' });
    const shown = await c.get(`/web/materials/${id}`);
    expect(shown.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(shown.text).not.toContain('<script>alert(1)');
    expect((await c.get('/web/materials')).text).toContain('{&quot;$gt&quot;: &quot;&quot;}');
  });

  it('a zone secretariat member reads the list but every change answers 404 (audited); unknown ids answer 404', async () => {
    const m = await app.services.materials.create({ topic: 'health', author: 'm-thu', content: { vi: { title: 'Tài liệu chung', body: 'Nội dung' } } }, app.clock.now());
    const c = await signedIn('m-vy');
    const list = await c.get('/web/materials');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-material="${m._id}"`);
    expect(list.text).not.toContain('href="/web/materials/new"');
    expect(list.text).not.toContain(`href="/web/materials/${m._id}"`);
    const csrf = csrfOf(list.text)!;
    const denied = (await audits('access.denied')).length;
    expect((await c.get('/web/materials/new')).status).toBe(404);
    expect((await c.post('/web/materials/new', materialForm(list.text, good))).status).toBe(404);
    expect((await c.get(`/web/materials/${m._id}`)).status).toBe(404);
    expect((await c.post(`/web/materials/${m._id}`, materialForm(list.text, good))).status).toBe(404);
    expect((await c.post(`/web/materials/${m._id}/unpublish`, { _csrf: csrf })).status).toBe(404);
    expect((await app.services.materials.get(m._id))!.unpublishedAt).toBeUndefined();
    const refusals = await audits('access.denied');
    expect(refusals.length).toBe(denied + 5);
    expect(refusals.at(-1)).toMatchObject({ actor: 'm-vy', details: { attempted: 'web.material.unpublish' } });

    const city = await signedIn('m-thu');
    expect((await city.get('/web/materials/mat-0000000000')).status).toBe(404);
    expect((await city.get(`/web/materials/${encodeURIComponent(INJECTION)}`)).status).toBe(404);
    const page = await city.get('/web/materials');
    expect((await city.post(`/web/materials/${encodeURIComponent(INJECTION)}/unpublish`, { _csrf: csrfOf(page.text)! })).status).toBe(404);
    // Without a session: the sign-in page, never the form.
    const anon = await new WebClient(base).get('/web/materials/new');
    expect(anon.status).toBe(401);
    expect(anon.text).not.toContain('name="title_vi"');
  });

  it('refuses forms without the CSRF token', async () => {
    const m = await app.services.materials.create({ topic: 'health', author: 'm-thu', content: { vi: { title: 'Giữ nguyên', body: 'Nội dung' } } }, app.clock.now());
    const c = await signedIn('m-thu');
    const form = (await c.get('/web/materials/new')).text;
    const before = (await app.services.materials.browse({ pageSize: 1000 })).items.length;
    expect((await c.post('/web/materials/new', { ...materialForm(form, good), _csrf: 'wrong' })).status).toBe(403);
    expect((await app.services.materials.browse({ pageSize: 1000 })).items.length).toBe(before);
    expect((await c.post(`/web/materials/${m._id}`, { ...materialForm(form, good), _csrf: '' })).status).toBe(403);
    expect((await app.services.materials.get(m._id))!.content.vi!.title).toBe('Giữ nguyên');
    const { _csrf: _drop, ...noToken } = materialForm(form, {});
    expect((await c.post(`/web/materials/${m._id}/unpublish`, noToken)).status).toBe(403);
    expect((await app.services.materials.get(m._id))!.unpublishedAt).toBeUndefined();
  });

  it('a broadcast sends a published material chosen on the compose page', async () => {
    const m = await app.services.materials.create({ topic: 'skills', author: 'm-thu', content: { vi: { title: 'Lớp học nghề miễn phí', body: 'Đăng ký tại Nhà văn hóa.' } } }, app.clock.now());
    const gone = await app.services.materials.create({ topic: 'skills', author: 'm-thu', content: { vi: { title: 'Tài liệu đã gỡ', body: 'Nội dung' } } }, app.clock.now());
    await app.services.materials.setPublished(gone._id, false, 'm-thu', app.clock.now());
    const c = await signedIn('m-thu');
    const compose = await c.get('/web/broadcasts/new');
    expect(compose.text).toContain(`<option value="${m._id}">Lớp học nghề miễn phí`);
    expect(compose.text).not.toContain(gone._id);
    const key = /name="key" value="([0-9a-f]+)"/.exec(compose.text)![1]!;
    const created = await c.post('/web/broadcasts/new', { _csrf: csrfOf(compose.text)!, key, text: '', material: m._id, unit: 'vsip1', when: 'now', quiet: 'on', quiet_start: '21:30', quiet_end: '07:00', action: 'create' });
    expect(created.status).toBe(303);
    const id = /\/web\/broadcasts\/(bc-[0-9a-f]+)/.exec(created.res.headers.get('location') ?? '')![1]!;
    expect((await app.services.broadcasts.get(id))!.content).toEqual({ materialId: m._id });
    expect((await c.get(`/web/broadcasts/${id}`)).text).toContain('Tài liệu: Lớp học nghề miễn phí');
    // An unpublished material is refused by the service even when posted by hand.
    const again = await c.get('/web/broadcasts/new');
    const refused = await c.post('/web/broadcasts/new', { _csrf: csrfOf(again.text)!, key: /name="key" value="([0-9a-f]+)"/.exec(again.text)![1]!, text: '', material: gone._id, unit: 'vsip1', when: 'now', quiet: 'on', quiet_start: '21:30', quiet_end: '07:00', action: 'create' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Không tìm thấy tài liệu này.');
  });
});
