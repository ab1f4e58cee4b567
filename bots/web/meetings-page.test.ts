/**
 * Branch meetings on the web console over real HTTP, against the real Redis and MongoDB-wire
 * server, the meetings made through `services.meetings`: a zone secretariat member sees the
 * zone's meetings only (another zone's answers 404, audited as access.denied), with the vote
 * counts per slot, how many answered and attendance — never a voter's name; the city level sees
 * every zone and filters by unit and status; a slot is fixed ("most voted") and a meeting
 * cancelled through the service, a second try refused in words next to the forms; forms without
 * the CSRF token and malformed ids are refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MeetingSlot } from '../../core/meetings/slot-parse.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { runMeetingJob } from '../../workers/meeting-jobs.js';
import { csrfOf, signedInClient, startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;
const vn = (s: string) => new Date(`${s}+07:00`);
const HOSTILE = '<script>alert(1)</script> {"$gt": ""}';
/** Names of the members who vote: none may appear on a page. */
const VOTERS = ['Lê Bảo Ngọc', 'Trần Minh Khang', 'Phạm Thu Hà', 'Võ Gia Huy', 'Đặng Mỹ Linh'];
const ids: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = { a: '', b: '', c: '', d: '', e: '' };

const signedIn = (memberId: string) => signedInClient(app, base, memberId);

async function meeting(unitId: string, topic: string, slots: [string, string][], deadline: string): Promise<string> {
  const s: MeetingSlot[] = slots.map(([at, label]) => ({ at: vn(at), label }));
  const id = (await app.services.meetings.create({ unitId, topic, place: 'Nhà văn hóa công nhân', slots: s, deadline: vn(deadline) }, { operator: 'test' }, app.clock.now()))._id;
  // One minute apart, so "newest first" has one order.
  app.clock.advance(60_000);
  return id;
}

async function vote(meetingId: string, memberId: string, slots: number[]): Promise<void> {
  await app.services.meetings.vote(meetingId, (await app.services.members.get(memberId))!, slots, app.clock.now());
}

/** The list's row of a meeting. */
const rowOf = (page: string, id: string) => new RegExp(`<tr data-meeting="${id}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'mt-thu', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'mt-vy', name: 'Chị Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await app.models.Member.updateOne({ _id: 'mt-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'mt-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  for (const [i, name] of VOTERS.entries()) await addMember(app, { id: `mt-w${i}`, name, orgUnitId: 'ent-hoa-sen' });
  await addMember(app, { id: 'mt-x0', name: 'Hồ Văn Sơn', orgUnitId: 'ent-det-song-than' });

  // Now: 09:00 Wednesday 25/11/2026 (Vietnam). C is held at 11:00 today; the others are still voting.
  ids.c = await meeting('ent-hoa-sen', 'An toàn lao động mùa cao điểm', [['2026-11-25T11:00:00', 'Giữa ca']], '2026-11-25T10:00:00');
  ids.a = await meeting('ent-hoa-sen', `Tìm hiểu BHXH một lần ${HOSTILE}`, [['2026-11-27T14:30:00', 'Sau ca sáng'], ['2026-11-29T09:00:00', 'Chủ nhật']], '2026-11-26T20:00:00');
  ids.b = await meeting('ent-det-song-than', 'Họp chi đoàn Dệt Sóng Thần', [['2026-11-28T19:30:00', 'Tối thứ 7']], '2026-11-27T12:00:00');
  ids.d = await meeting('ent-hoa-sen', 'Góp ý bữa ăn giữa ca', [['2026-11-28T19:30:00', 'Tối thứ 7'], ['2026-11-30T08:00:00', 'Sáng thứ 2']], '2026-11-27T12:00:00');
  ids.e = await meeting('ent-phuc-thinh', 'Giao lưu văn nghệ', [['2026-11-29T15:00:00', 'Chiều Chủ nhật']], '2026-11-27T12:00:00');
  // A: slot 1 chosen by 3, slot 2 by 2, five answered (one can make neither).
  for (const [i, slots] of [[0], [0, 1], [1], [0], []].entries()) await vote(ids.a, `mt-w${i}`, slots);
  await vote(ids.b, 'mt-x0', [0]);
  await vote(ids.d, 'mt-w0', [1]);
  await vote(ids.d, 'mt-w1', [1]);
  // C: invited (the job's work, run here so its counts are known), fixed, held; two of five check in.
  await runMeetingJob({ meetings: app.services.meetings, outbox: app.outbox, clock: app.clock }, 'invite', { meetingId: ids.c });
  await app.services.meetings.fix(ids.c, 0, { operator: 'test' }, app.clock.now());
  app.clock.advance(2.5 * 3600_000);
  const { code } = await app.services.meetings.issueCode(ids.c, (await app.services.members.get('mt-vy'))!, app.clock.now());
  for (const id of ['mt-w0', 'mt-w1']) expect((await app.services.meetings.checkIn((await app.services.members.get(id))!, code, app.clock.now())).kind).toBe('present');
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

describe('branch meetings in the web console', () => {
  it('shows a zone its own meetings with vote counts and attendance, never who voted; another zone’s answers 404, audited', async () => {
    const vy = await signedIn('mt-vy');
    expect((await vy.get('/web')).text).toContain('href="/web/meetings"');
    const list = await vy.get('/web/meetings');
    expect(list.status).toBe(200);
    for (const id of [ids.a, ids.c, ids.d, ids.e]) expect(list.text).toContain(`<tr data-meeting="${id}">`);
    expect(list.text).not.toContain(ids.b);
    expect(list.text).not.toContain('Dệt Sóng Thần');
    // Newest first.
    expect(list.text.indexOf(ids.e)).toBeLessThan(list.text.indexOf(ids.a));
    expect(list.text.indexOf(ids.a)).toBeLessThan(list.text.indexOf(ids.c));

    const a = rowOf(list.text, ids.a);
    expect(a).toContain('data-slot="0" data-count="3"');
    expect(a).toContain('data-slot="1" data-count="2"');
    expect(a).toContain('data-voters="5"');
    expect(a).toContain('Sau ca sáng — 14:30 27/11/2026: 3 người');
    expect(a).toContain('data-status="voting"');
    expect(a).not.toContain('<script>alert(1)</script>');
    expect(a).toContain('&lt;script&gt;');
    const c = rowOf(list.text, ids.c);
    expect(c).toContain('data-status="fixed"');
    expect(c).toContain('Giữa ca — 11:00 25/11/2026');
    expect(c).toContain('data-present="2"');
    expect(c).toContain('2 người có mặt · 40 %');

    const detail = await vy.get(`/web/meetings/${ids.a}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('data-voters="5"');
    expect(detail.text).toMatch(/<tr data-slot="0">.*<td data-count="3">3<\/td>/);
    const held = await vy.get(`/web/meetings/${ids.c}`);
    expect(held.text).toContain('data-figure="present">2<');
    expect(held.text).toContain('data-figure="members">5<');
    expect(held.text).toContain('data-figure="rate">40 %<');
    for (const page of [list.text, detail.text, held.text]) for (const name of VOTERS) expect(page).not.toContain(name);

    // Another zone's meeting, a unit outside the zone as filter, malformed ids: the 404 page.
    expect((await vy.get(`/web/meetings/${ids.b}`)).status).toBe(404);
    const denied = await app.models.Audit.find({ actor: 'mt-vy', action: 'access.denied', target: 'ent-det-song-than' }).lean();
    expect(denied.map((d) => (d.details as { attempted?: string }).attempted)).toEqual(['web.meeting']);
    expect((await vy.get('/web/meetings?unit=kcn-song-than-2')).status).toBe(404);
    expect(await app.models.Audit.countDocuments({ actor: 'mt-vy', action: 'access.denied', target: 'kcn-song-than-2' })).toBe(1);
    expect((await vy.get('/web/meetings/%7B%22%24gt%22%3A%22%22%7D')).status).toBe(404);
    expect((await vy.get(`/web/meetings/${ids.a.toLowerCase()}`)).status).toBe(404);
    const odd = await vy.get('/web/meetings?status%5B%24gt%5D=&unit%5B%24ne%5D=x');
    expect(odd.status).toBe(200);
    expect(odd.text).toContain(`<tr data-meeting="${ids.a}">`);

    // Without a staff session: the sign-in page, no meeting.
    const stranger = await new WebClient(base).get('/web/meetings');
    expect(stranger.status).toBe(401);
    expect(stranger.text).not.toContain(ids.a);
  });

  it('the city level sees every zone and filters by unit and status', async () => {
    const thu = await signedIn('mt-thu');
    const all = await thu.get('/web/meetings');
    for (const id of Object.values(ids)) expect(all.text).toContain(`<tr data-meeting="${id}">`);
    const zone = await thu.get('/web/meetings?unit=kcn-song-than-2');
    expect(zone.text).toContain(`<tr data-meeting="${ids.b}">`);
    expect(zone.text).not.toContain(`<tr data-meeting="${ids.a}">`);
    expect(zone.text).toMatch(/<option value="kcn-song-than-2" selected>(&nbsp;|\u00a0)*KCN Sóng Thần 2<\/option>/);
    const fixed = await thu.get('/web/meetings?status=fixed');
    expect(fixed.text).toContain(`<tr data-meeting="${ids.c}">`);
    expect(fixed.text).not.toContain(`<tr data-meeting="${ids.a}">`);
    const bad = await thu.get('/web/meetings?status=done');
    expect(bad.text).toContain('Không có trạng thái &quot;done&quot;');
    expect(bad.text).toContain(`<tr data-meeting="${ids.a}">`);
    expect((await thu.get(`/web/meetings/${ids.b}`)).status).toBe(200);
  });

  it('fixes the most voted slot and cancels a meeting through the service; a second try is explained next to the forms; CSRF and scope are checked', async () => {
    const vy = await signedIn('mt-vy');
    const page = await vy.get(`/web/meetings/${ids.d}`);
    const csrf = csrfOf(page.text)!;
    expect(page.text).toContain('<label for="f-slot-most_voted">');

    // Without the token, nothing changes.
    expect((await vy.post(`/web/meetings/${ids.d}/fix`, { slot: 'most_voted' })).status).toBe(403);
    expect((await app.services.meetings.get(ids.d))!.status).toBe('voting');
    // Another zone's meeting: 404, still voting.
    expect((await vy.post(`/web/meetings/${ids.b}/fix`, { _csrf: csrf, slot: 'most_voted' })).status).toBe(404);
    expect((await app.services.meetings.get(ids.b))!.status).toBe('voting');

    const fixed = await vy.post(`/web/meetings/${ids.d}/fix`, { _csrf: csrf, slot: 'most_voted' });
    expect(fixed.status).toBe(303);
    expect(fixed.res.headers.get('location')).toBe(`/web/meetings/${ids.d}?done=fixed`);
    const d = (await app.services.meetings.get(ids.d))!;
    expect(d).toMatchObject({ status: 'fixed', fixedSlot: 1, fixedHow: 'cadre' });
    expect(await app.models.Audit.countDocuments({ actor: 'mt-vy', action: 'meeting.fixed', target: ids.d })).toBe(1);
    const after = await vy.get(`/web/meetings/${ids.d}?done=fixed`);
    expect(after.text).toContain('Đã chốt giờ. Mọi người được mời');
    expect(after.text).toContain('data-status="fixed"');

    const again = await vy.post(`/web/meetings/${ids.d}/fix`, { _csrf: csrf, slot: '0' });
    expect(again.status).toBe(409);
    expect(again.text).toMatch(/<p class="problem" role="alert" id="action-problem">Buổi &quot;Góp ý bữa ăn giữa ca&quot; đã chốt giờ rồi\.<\/p>/);
    expect((await app.services.meetings.get(ids.d))!.fixedSlot).toBe(1);

    // Cancelling asks for the box to be ticked; then cancels once.
    const unconfirmed = await vy.post(`/web/meetings/${ids.e}/cancel`, { _csrf: csrf });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Bạn đánh dấu ô xác nhận');
    expect((await app.services.meetings.get(ids.e))!.status).toBe('voting');
    const cancelled = await vy.post(`/web/meetings/${ids.e}/cancel`, { _csrf: csrf, confirm: 'on' });
    expect(cancelled.status).toBe(303);
    expect((await app.services.meetings.get(ids.e))!.status).toBe('cancelled');
    const twice = await vy.post(`/web/meetings/${ids.e}/cancel`, { _csrf: csrf, confirm: 'on' });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('Buổi &quot;Giao lưu văn nghệ&quot; đã bị hủy.');
    // A meeting already held cannot be cancelled: the service says so.
    const held = await vy.post(`/web/meetings/${ids.c}/cancel`, { _csrf: csrf, confirm: 'on' });
    expect(held.status).toBe(409);
    expect(held.text).toContain('đã bắt đầu nên không hủy được nữa');
    expect((await app.services.meetings.get(ids.c))!.status).toBe('fixed');

    // In English, the refusal is in English.
    expect((await vy.post('/web/lang', { _csrf: csrf, lang: 'en', next: '/web/meetings' })).status).toBe(303);
    const en = await vy.post(`/web/meetings/${ids.e}/cancel`, { _csrf: csrf, confirm: 'on' });
    expect(en.text).toContain('&quot;Giao lưu văn nghệ&quot; was cancelled.');
  });
});
