/**
 * Branch meetings end to end in chat, on the real Redis and FerretDB: an organiser creates a
 * meeting, members are invited through the delivery queues and choose slots, the organiser fixes
 * one, the announcement and the reminder jobs follow, members check in with the code, and the
 * inspection roll-up counts it. Timed jobs are checked in the queue (their time against the test
 * clock) and run by calling their processor once the clock has been moved, never by waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../core/engine/types.js';
import { MEETING_QUEUE, MeetingError, meetingJobId } from '../core/meetings/meeting-service.js';
import { validateSurvey } from '../core/surveys/definition.js';
import { vnAtClock } from '../core/vn-time.js';
import { addMember, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';
import { deliveryJobId } from '../workers/delivery-queue.js';
import { runMeetingJob } from '../workers/meeting-jobs.js';
import { summarize } from './survey-results.js';

let app: TestApp;
const vn = (s: string) => new Date(`${s}+07:00`);
const HOUR = 3600_000;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await app.models.OrgUnit.insertMany([
    { _id: 'cd-hs-may', name: 'Chi đoàn Tổ May Hoa Sen', kind: 'youth_union_branch', organisation: 'youth_union', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
    { _id: 'cd-hs-cat', name: 'Chi đoàn Tổ Cắt Hoa Sen', kind: 'youth_union_branch', organisation: 'youth_union', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
  ]);
});
afterAll(async () => app?.close());

/** A member of a unit; an organiser holds `cadre` granted at `grantAt`. */
async function person(id: string, unit: string, o: { grantAt?: string; optOut?: boolean } = {}): Promise<ConsolePerson> {
  const p = await addMember(app, { id, name: id, orgUnitId: unit, roles: o.grantAt ? ['worker', 'cadre'] : ['worker'] });
  if (o.grantAt) await app.models.Member.updateOne({ _id: id }, { $set: { grants: [{ role: 'cadre', unitId: o.grantAt }] } });
  if (o.optOut) await app.models.Member.updateOne({ _id: id }, { $set: { broadcastsOptOut: true } });
  return p;
}

/** Picks the offered choice whose label contains `part`, by typing its number (as on Zalo). */
async function choose(p: ConsolePerson, part: string): Promise<Outbound[]> {
  const asked = [...p.inbox].reverse().find((m) => m.choices?.length);
  const i = asked?.choices?.findIndex((c) => c.label.includes(part)) ?? -1;
  if (i < 0) throw new Error(`no choice "${part}" in: ${asked?.choices?.map((c) => c.label).join(' | ')}`);
  return p.say(String(i + 1));
}

/** The organiser opens the meeting's screen from the menu. */
async function manage(p: ConsolePerson): Promise<Outbound[]> {
  await p.say('menu');
  await choose(p, 'Sinh hoạt chi đoàn');
  await choose(p, 'Quản lý buổi sinh hoạt');
  return choose(p, 'Tìm hiểu BHXH');
}

const jobOf = (id: string) => app.jobs.queue(MEETING_QUEUE).getJob(deliveryJobId(id));
const deps = () => ({ meetings: app.services.meetings, outbox: app.outbox, clock: app.clock });

async function waitFor<T>(read: () => Promise<T | undefined | null>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a branch meeting in chat: create → vote → fix → reminders → check-in → inspection', () => {
  it('runs the whole way', async () => {
    // Wednesday 25/11/2026, 09:00 in Vietnam.
    expect(app.clock.now()).toEqual(vn('2026-11-25T09:00:00'));
    const lan = await person('bt-lan', 'cd-hs-may', { grantAt: 'cd-hs-may' });
    const an = await person('w-an', 'cd-hs-may');
    const binh = await person('w-binh', 'cd-hs-may');
    const chi = await person('w-chi', 'cd-hs-may');
    const dung = await person('w-dung', 'cd-hs-may');
    const em = await person('w-em', 'cd-hs-may', { optOut: true });
    const out = await person('w-out', 'ent-phuc-thinh');

    // ——— Creating, with bad input on the way ———
    await lan.say('menu');
    expect(textOf(await choose(lan, 'Sinh hoạt chi đoàn'))).toContain('chưa có buổi sinh hoạt nào');
    expect(textOf(await choose(lan, 'Tạo buổi sinh hoạt'))).toContain('tổ chức buổi sinh hoạt cho đơn vị nào');
    expect(textOf(await choose(lan, 'Tổ May'))).toContain('Nội dung buổi sinh hoạt');
    expect(textOf(await lan.say('   '))).toContain('Anh/chị gõ lại giúp mình'); // empty: the engine's staff wording
    expect(textOf(await lan.say('Tìm hiểu BHXH một lần'))).toContain('Địa điểm');
    expect(textOf(await lan.say('Nhà văn hóa KCN VSIP'))).toContain('giờ thứ 1');
    expect(textOf(await lan.say('hôm nay 8:00'))).toContain('là thời điểm đã qua');
    expect(textOf(await lan.say('{"$gt": ""}'))).toContain('chưa thấy giờ');
    expect(textOf(await lan.say('sau ca sáng 14:30'))).toContain('1. sau ca sáng — 14:30 25/11/2026');
    expect(textOf(await lan.say('sau ca sáng 14:30'))).toContain('anh/chị đã thêm rồi');
    await lan.say('mai 18:00');
    await lan.say('thứ 7 19h30');
    const full = textOf(await lan.say('Chủ nhật 9:00'));
    expect(full).toContain('Đã đủ 4 giờ');
    expect(full).toContain('4. Chủ nhật — 09:00 29/11/2026');
    expect(full).toContain('Hạn chót để đoàn viên chọn giờ');
    expect(textOf(await lan.say('thứ 6 12h'))).toContain('phải trước giờ sớm nhất (14:30 25/11/2026)');
    expect(textOf(await lan.say('hôm nay 12:00'))).toMatch(/Hạn chọn giờ: 12:00 25\/11\/2026\nThư mời sẽ gửi ngay bây giờ/);
    const created = textOf(await choose(lan, 'Tạo và gửi thư mời'));
    const id = /SH-[0-9A-Z]{5}/.exec(created)![0];
    expect(created).toContain('Số người chọn từng giờ (0 người đã trả lời)');
    const meeting = (await app.services.meetings.get(id))!;
    expect(meeting).toMatchObject({ unitId: 'cd-hs-may', topic: 'Tìm hiểu BHXH một lần', status: 'voting', createdBy: 'bt-lan' });
    expect(await app.models.Audit.countDocuments({ action: 'meeting.created', target: id })).toBe(1);

    // The deadline is a delayed job at 12:00 (three hours on the test clock).
    const deadlineJob = await jobOf(meetingJobId(id, 'deadline'));
    expect(deadlineJob).toMatchObject({ name: 'deadline', data: { meetingId: id } });
    expect(deadlineJob!.opts.delay).toBe(3 * HOUR);

    // ——— Invitations: the branch's audience, opted-out and outsiders left out ———
    for (const p of [lan, an, binh, chi, dung]) await waitForMessage(p, (m) => m.text.includes('Mời bạn sinh hoạt Chi đoàn Tổ May Hoa Sen'));
    const counts = await waitFor(async () => (await app.services.meetings.get(id))?.counts, 'the invitation counts');
    expect(counts).toEqual({ invited: 5, optedOut: 1, unreachable: 0, withdrawn: 0 });
    expect(an.inbox.find((m) => m.text.includes('Mời bạn'))!.text).toContain('4. Chủ nhật — 09:00 29/11/2026');

    // ——— Voting: typed numbers (Zalo), a tap that toggles, "none", bad input ———
    await an.say('menu');
    expect(textOf(await an.say('sinh hoạt'))).toContain('Sinh hoạt chi đoàn của bạn');
    expect(textOf(await choose(an, 'Tìm hiểu BHXH'))).toContain('Bạn chọn những giờ bạn đi được');
    expect(textOf(await an.say('3, 4'))).toContain('bạn đi được 3, 4');

    await binh.say('menu');
    await choose(binh, 'Sinh hoạt chi đoàn');
    await choose(binh, 'Tìm hiểu BHXH');
    expect(textOf(await binh.say('abc'))).toContain('từ 1 đến 4');
    expect(textOf(await binh.say('9'))).toContain('từ 1 đến 4');
    const toggled = await binh.say('4');
    expect(toggled.at(-1)!.choices!.map((c) => c.label)).toContain('✅ Chủ nhật — 09:00 29/11/2026');
    expect(textOf(await choose(binh, 'Xong'))).toContain('bạn đi được 4');

    await chi.say('menu');
    await choose(chi, 'Sinh hoạt chi đoàn');
    await choose(chi, 'Tìm hiểu BHXH');
    expect(textOf(await choose(chi, 'Giờ nào mình cũng bận'))).toContain('các giờ này bạn đều bận');

    // Someone outside the branch neither sees it nor can vote in it.
    await out.say('menu');
    expect(textOf(await choose(out, 'Sinh hoạt chi đoàn'))).toContain('chưa có buổi sinh hoạt nào');
    await expect(app.services.meetings.vote(id, (await app.services.members.get('w-out'))!, [0], app.clock.now())).rejects.toMatchObject({ reason: 'not_member' });

    // The organiser sees the counts.
    await lan.say('menu');
    await choose(lan, 'Sinh hoạt chi đoàn');
    await choose(lan, 'Quản lý buổi sinh hoạt');
    const detail = textOf(await choose(lan, 'Tìm hiểu BHXH'));
    expect(detail).toContain('Đã gửi thư mời: 5');
    expect(detail).toContain('(3 người đã trả lời)');
    expect(detail).toContain('3. thứ 7 — 19:30 28/11/2026: 1 người');
    expect(detail).toContain('4. Chủ nhật — 09:00 29/11/2026: 2 người');

    // ——— After the deadline a vote is refused kindly ———
    app.clock.advance(3 * HOUR + 60_000); // 12:01
    await dung.say('menu');
    await choose(dung, 'Sinh hoạt chi đoàn');
    expect(textOf(await choose(dung, 'Tìm hiểu BHXH'))).toContain('đã hết hạn chọn giờ (12:00 25/11/2026)');

    // ——— The organiser fixes the most voted slot ———
    app.clock.advance(4 * 60_000); // 12:05
    await choose(lan, 'Xem lại số liệu');
    await choose(lan, 'Chốt giờ');
    const fixed = textOf(await lan.say('1'));
    expect(fixed).toContain('Đã chốt Chủ nhật — 09:00 29/11/2026');
    expect(await jobOf(meetingJobId(id, 'deadline'))).toBeUndefined();
    const start = vn('2026-11-29T09:00:00');
    const day = await jobOf(meetingJobId(id, 'reminder', 'day'));
    const hours = await jobOf(meetingJobId(id, 'reminder', 'hours'));
    expect(day).toMatchObject({ name: 'reminder', data: { meetingId: id, reminder: 'day', start: start.toISOString() } });
    expect(day!.opts.delay).toBe(vn('2026-11-28T09:00:00').getTime() - app.clock.now().getTime());
    // Two hours before is 07:00, the end of quiet hours.
    expect(hours!.opts.delay).toBe(vn('2026-11-29T07:00:00').getTime() - app.clock.now().getTime());
    for (const p of [an, binh, chi, dung]) await waitForMessage(p, (m) => m.text.includes('Đã chốt giờ sinh hoạt') && m.text.includes('09:00 29/11/2026'));
    expect(em.inbox).toEqual([]);

    // ——— The day-before reminder, run when due ———
    app.clock.advance(vn('2026-11-28T09:00:00').getTime() - app.clock.now().getTime());
    expect(await runMeetingJob(deps(), 'reminder', day!.data)).toBe('sent');
    await waitForMessage(an, (m) => m.text.includes('Nhắc lịch sinh hoạt'));

    // ——— Check-in ———
    await manage(lan); // days later: the conversation has expired meanwhile
    expect(textOf(await choose(lan, 'Lấy mã điểm danh'))).toContain('Mã điểm danh có từ 08:00 29/11/2026');
    app.clock.advance(vn('2026-11-29T08:30:00').getTime() - app.clock.now().getTime());
    await manage(lan);
    const codeText = textOf(await choose(lan, 'Lấy mã điểm danh'));
    const code = /Mã điểm danh: (\d{4})/.exec(codeText)![1]!;
    expect(codeText).toContain('đến 11:00 29/11/2026');

    await an.say('menu');
    expect(textOf(await an.say(code))).toContain('bắt đầu lúc 09:00 29/11/2026');
    app.clock.advance(40 * 60_000); // 09:10
    const present = await an.say(code);
    expect(textOf(present)).toContain('Đã điểm danh');
    expect(present.at(-1)!.text).toBe(app.services.i18n.for('vi')('menu:title'));
    expect(textOf(await an.say(code))).toContain('đã điểm danh buổi "Tìm hiểu BHXH một lần" rồi');
    await out.say('menu');
    expect(textOf(await out.say(code))).toContain('chi đoàn khác');

    await binh.say('menu');
    expect(textOf(await choose(binh, 'Điểm danh'))).toContain('mã điểm danh 4 số');
    expect(textOf(await binh.say('{"$gt": ""}'))).toContain('gồm 4 chữ số');
    expect(textOf(await binh.say(code))).toContain('Đã điểm danh');

    // Wrong guesses are limited: after 5 the right code waits too.
    const wrong = code === '9999' ? '9998' : '9999';
    await chi.say('menu');
    expect(textOf(await chi.say(wrong))).toContain('còn 4 lần thử');
    for (let i = 0; i < 3; i++) await chi.say(wrong);
    expect(textOf(await chi.say(wrong))).toContain('nhập sai mã nhiều lần');
    expect(textOf(await chi.say(code))).toContain('nhập sai mã nhiều lần');
    expect(await app.services.meetings.store.isPresent(id, 'w-chi')).toBe(false);

    // Late check-in closes two hours after the start.
    app.clock.advance(2 * HOUR); // 11:10
    await dung.say('menu');
    expect(textOf(await dung.say(code))).toContain('đã hết giờ điểm danh');

    expect(textOf(await manage(lan))).toContain('Đã điểm danh: 2 / 5 người được mời');

    // ——— Into the inspection roll-up, next to a form entered by hand ———
    await app.services.surveys.importDefinition(
      validateSurvey({
        id: 'kiem-tra-chi-doan',
        title: { vi: 'Kiểm tra chất lượng chi Đoàn' },
        opensAt: '2026-11-01T00:00:00+07:00',
        closesAt: '2026-12-31T00:00:00+07:00',
        kind: 'inspection',
        anonymous: false,
        audience: { roles: ['cadre'] },
        inspection: { subjectKinds: ['youth_union_branch'] },
        questions: [{ id: 'q1', type: 'scale', text: { vi: 'Nền nếp sinh hoạt' } }],
      }),
      { actor: 'test', at: app.clock.now() },
    );
    const inspection = (await app.services.surveys.get('kiem-tra-chi-doan'))!;
    expect(await app.services.surveys.submit({ survey: inspection, member: (await app.services.members.get('bt-lan'))!, answers: { q1: 4 }, subject: 'cd-hs-cat', locale: 'vi', now: app.clock.now() })).toBe('saved');
    const r = (await app.services.surveys.results('kiem-tra-chi-doan'))!;
    const branches = new Map(r.inspection!.branches.map((b) => [b.unitId, b]));
    expect(branches.get('cd-hs-may')).toMatchObject({ inspections: 0, score: null, meetings: { held: 1, present: 2, members: 6, attendanceRate: 0.3333 } });
    expect(branches.get('cd-hs-cat')).toMatchObject({ inspections: 1, score: 4 });
    expect(branches.get('cd-hs-cat')!.meetings).toBeUndefined();
    expect(r.inspection!.parents.find((p) => p.unitId === 'ent-hoa-sen')).toMatchObject({ inspections: 1, meetings: { held: 1, present: 2 } });
    expect(summarize({ t: app.services.i18n.for('vi'), locale: 'vi' }, r)).toContain('• Chi đoàn Tổ May Hoa Sen: – (0 phiếu); 1 buổi sinh hoạt, tham dự 33,3 %');

    // ——— "Delete my data": votes and attendance go, the count stays ———
    await an.say('xóa dữ liệu');
    await an.say('1');
    expect(await app.services.meetings.myVote(id, 'w-an')).toBeUndefined();
    expect(await app.services.meetings.store.isPresent(id, 'w-an')).toBe(false);
    expect(await app.services.meetings.present((await app.services.meetings.get(id))!)).toBe(2);
  });
});

describe('the deadline, a cancelled meeting and scope', () => {
  it('fixes the earliest of tied slots at the deadline, and a cancel removes the jobs and tells everyone', async () => {
    const now = app.clock.now();
    const lan = (await app.services.members.get('bt-lan'))!;
    const giang = await person('w-giang', 'cd-hs-cat');
    const hai = await person('w-hai', 'cd-hs-cat');
    await app.models.Member.updateOne({ _id: 'bt-lan' }, { $set: { grants: [{ role: 'cadre', unitId: 'cd-hs-may' }, { role: 'cadre', unitId: 'cd-hs-cat' }] } });
    const organiser = (await app.services.members.get('bt-lan'))!;

    // Outside the organiser's units: refused and audited.
    const draft = { unitId: 'cd-hs-cat', topic: 'Kỹ năng quản lý chi tiêu', place: 'https://meet.example.org/abc', slots: [{ at: vnAtClock(now, 19 * 60, 3), label: 'sau ca chiều' }, { at: vnAtClock(now, 18 * 60, 2), label: '' }], deadline: vnAtClock(now, 20 * 60, 1) };
    await expect(app.services.meetings.create(draft, { member: lan }, now)).rejects.toMatchObject({ reason: 'not_allowed' });
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'bt-lan', 'details.attempted': 'meeting.create' })).toBe(1);
    await expect(app.services.meetings.create({ ...draft, slots: [...draft.slots, ...[4, 5, 6].map((d) => ({ at: vnAtClock(now, 9 * 60, d), label: '' }))] }, { member: organiser }, now)).rejects.toBeInstanceOf(MeetingError);

    const m = await app.services.meetings.create(draft, { member: organiser }, now);
    // Sorted by time: the later-typed earlier slot comes first.
    expect(m.slots.map((s) => s.label)).toEqual(['', 'sau ca chiều']);
    await app.services.meetings.vote(m._id, (await app.services.members.get('w-giang'))!, [1], now);
    await app.services.meetings.vote(m._id, (await app.services.members.get('w-hai'))!, [0], now);

    // Early, the deadline job refuses to run (BullMQ retries it); on time it fixes the earliest of the tie.
    await expect(runMeetingJob(deps(), 'deadline', { meetingId: m._id })).rejects.toThrow('before the deadline');
    app.clock.advance(draft.deadline.getTime() - now.getTime());
    expect(await runMeetingJob(deps(), 'deadline', { meetingId: m._id })).toBe('fixed');
    expect(await runMeetingJob(deps(), 'deadline', { meetingId: m._id })).toBe('skipped');
    const auto = (await app.services.meetings.get(m._id))!;
    expect(auto).toMatchObject({ status: 'fixed', fixedSlot: 0, fixedHow: 'auto' });
    expect(await jobOf(meetingJobId(m._id, 'reminder', 'hours'))).toBeDefined();
    await waitForMessage(giang, (x) => x.text.includes('Đã chốt giờ sinh hoạt Chi đoàn Tổ Cắt Hoa Sen'));

    const reminder = (await jobOf(meetingJobId(m._id, 'reminder', 'hours')))!.data;
    await app.services.meetings.cancel(m._id, { member: organiser }, app.clock.now());
    expect(await jobOf(meetingJobId(m._id, 'reminder', 'hours'))).toBeUndefined();
    expect(await jobOf(meetingJobId(m._id, 'reminder', 'day'))).toBeUndefined();
    for (const p of [giang, hai]) await waitForMessage(p, (x) => x.text.includes('"Kỹ năng quản lý chi tiêu" của Chi đoàn Tổ Cắt Hoa Sen đã hủy'));
    // A reminder that was already running when the meeting was cancelled sends nothing.
    expect(await runMeetingJob(deps(), 'reminder', reminder)).toBe('skipped');
    await expect(app.services.meetings.cancel(m._id, { member: organiser }, app.clock.now())).rejects.toMatchObject({ reason: 'cancelled' });
  });
});
