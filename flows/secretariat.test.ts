/** The secretariat area in chat: compose, audience size, time, confirm; manage; refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastInputError, broadcastErrorText } from '../core/broadcasts/broadcast-errors.js';
import { seedMembers } from '../test/support/broadcast-members.js';
import { eventually } from '../test/support/platforms.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
const received = new Map<string, string[]>();
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  // As in core/org/sample/org-tree.csv: a district union dissolved on 2025-07-01 and the ward union that took over.
  await app.models.OrgUnit.insertMany([
    { _id: 'td-binh-duong', name: 'Tỉnh Đoàn Bình Dương', kind: 'province_youth_union', organisation: 'youth_union', ancestors: [], aliases: [], validTo: new Date('2025-06-30T17:00:00Z') },
    { _id: 'td-thuan-an', name: 'Thành Đoàn Thuận An', kind: 'district_youth_union', organisation: 'youth_union', parentId: 'td-binh-duong', ancestors: ['td-binh-duong'], aliases: ['Thành Đoàn TP. Thuận An'], validFrom: new Date('2020-01-31T17:00:00Z'), validTo: new Date('2025-06-30T17:00:00Z') },
    { _id: 'phuong-thuan-an', name: 'Đoàn phường Thuận An', kind: 'ward_youth_union', organisation: 'youth_union', parentId: 'hcm', ancestors: ['hcm'], aliases: ['Phường Thuận An'], validFrom: new Date('2025-06-30T17:00:00Z') },
  ]);
  await seedMembers(app.models, 5, { unit: (i) => (i < 3 ? 'ent-phuc-thinh' : 'ent-det-song-than') });
  app.console.onMessage((m) => received.set(m.chatId, [...(received.get(m.chatId) ?? []), m.message.text]));
});
afterAll(async () => app?.close());

/** A person who has joined (consent, Vietnamese, workplace) and sits at the main menu. */
async function joined(name: string, roles: string[] = ['worker']): Promise<ConsolePerson> {
  const p = new ConsolePerson(app, name, { displayName: name });
  await p.say('xin chào');
  await p.say('dong y');
  await p.say('1');
  await p.say('vsip');
  await p.say('phuc thinh');
  const identity = await app.models.ChannelIdentity.findById(`console:${name}`).lean();
  await app.models.Member.updateOne({ _id: identity!.memberId }, { $set: { roles } });
  await p.say('menu');
  return p;
}

describe('secretariat in chat', () => {
  it('composes a message, shows the audience size before confirming, schedules it, and shows results', async () => {
    const thu = await joined('thu', ['worker', 'secretariat']);
    expect(thu.last.choices?.map((c) => c.id)).toContain('secretariat');
    await thu.say('secretariat');
    await thu.say('1'); // new
    await thu.say('1'); // write
    const audienceQ = await thu.say('Tối thứ Sáu sinh hoạt chi đoàn tại nhà văn hóa KCN.');
    expect(textOf(audienceQ)).toContain('Gửi cho ai?');
    const units = await thu.say('vsip');
    expect(textOf(units)).toContain('chọn đơn vị');
    expect(thu.last.choices?.map((c) => c.label)).toEqual(expect.arrayContaining(['KCN VSIP I']));
    const refine = await thu.say('KCN VSIP I');
    // 3 seeded members at Phúc Thịnh plus Thu herself, all under VSIP I.
    expect(textOf(refine)).toContain('Sẽ gửi tới 4 người');
    const when = await thu.say('1'); // use this audience
    expect(textOf(when)).toContain('Gửi lúc nào?');
    const confirm = await thu.say('Gửi ngay');
    expect(textOf(confirm)).toContain('Xác nhận gửi tin');
    expect(textOf(confirm)).toContain('Sẽ gửi tới 4 người');
    expect(textOf(confirm)).toContain('Thời gian: ngay khi anh/chị xác nhận');
    const created = await thu.say('Xác nhận gửi');
    // Sent now, and said so: not "scheduled".
    expect(textOf(created)).toMatch(/Đang gửi đợt tin bc-\w+ tới 4 người/);
    expect(textOf(created)).not.toContain('Đã lên lịch');
    await eventually(() => expect(['u0', 'u1', 'u2'].map((c) => received.get(c)?.length ?? 0)).toEqual([1, 1, 1]));
    expect(received.get('u3')).toBeUndefined();

    await thu.say('2'); // broadcasts
    expect(thu.last.choices?.length).toBe(2);
    await eventually(async () => {
      const detail = await thu.say('1');
      expect(textOf(detail)).toMatch(/đã gửi xong[\s\S]*Nhắm tới: 4 · đã gửi: 4/);
      await thu.say('quay lại');
    });
  });

  it('refuses a time in the past, an invalid recurrence rule and a message over the platform limit, with the reason', async () => {
    const ha = await joined('ha', ['secretariat']);
    await ha.say('secretariat');
    await ha.say('1');
    await ha.say('1');
    await ha.say('Thông báo ngắn');
    await ha.say('Tất cả');
    await ha.say('1');
    const past = await ha.say('01/01/2020 08:00');
    expect(textOf(past)).toContain('đã qua rồi');
    expect(textOf(past)).toContain('Gửi lúc nào?');
    // A day-month already passed this year (it is 25/11): said so, and next year offered, never taken silently.
    const passed = await ha.say('24/11 08:00');
    expect(textOf(passed)).toContain('Thời điểm 08:00 24/11/2026 đã qua rồi');
    expect(ha.last.choices?.map((c) => c.label)).toEqual(['Gửi lúc 08:00 24/11/2027', 'Chọn thời điểm khác']);
    expect(textOf(await ha.say('Chọn thời điểm khác'))).toContain('Gửi lúc nào?');
    await ha.say('24/11 08:00');
    const nextYear = await ha.say('1');
    expect(textOf(nextYear)).toContain('Thời gian: lúc 08:00 24/11/2027');
    await ha.say('Đổi thời gian');
    const recurrence = await ha.say('Gửi định kỳ');
    expect(textOf(recurrence)).toContain('mỗi thứ Hai 8:00');
    expect(textOf(recurrence)).not.toMatch(/cron|5 trường/);
    const rule = await ha.say('0 8 * * 9');
    expect(textOf(rule)).toContain('Lịch lặp lại chưa dùng được: thứ trong tuần "9" không hợp lệ (chỉ từ 0 đến 7)');
    expect(textOf(rule)).toContain('Lặp lại thế nào?');
    // Every reason is Vietnamese, from locales: no English from the rule parser.
    for (const typed of ['61 8 * * *', '0 8 * *', '*/15 8 * * *']) expect(textOf(await ha.say(typed))).not.toMatch(/out of range|expected \d|at most once|minute|fields/);
    expect(textOf(await ha.say('mỗi tuần một lần'))).toContain('Mình chưa hiểu lịch này');
    const weekly = await ha.say('mỗi thứ Hai, thứ Năm 17:30');
    expect(textOf(weekly)).toContain('Thời gian: mỗi thứ Hai, thứ Năm lúc 17:30 (lần đầu: 17:30 26/11/2026)');
    await ha.say('Đổi thời gian');
    // A day that some months lack: said where the rule is shown, with the first run as BullMQ will compute it.
    await ha.say('Gửi định kỳ');
    const monthly = await ha.say('ngày 31 hằng tháng 8:00');
    expect(textOf(monthly)).toContain('Thời gian: ngày 31 hằng tháng lúc 08:00; tháng nào không có ngày 31 thì bỏ qua lần gửi đó (lần đầu: 08:00 31/12/2026)');
    await ha.say('Đổi thời gian');

    await ha.say('menu');
    await ha.say('secretariat');
    await ha.say('1');
    await ha.say('1');
    await ha.say('Bản tin dài. '.repeat(170)); // ~2,200 characters: over Zalo's 2,000
    await ha.say('Tất cả');
    await ha.say('1');
    const tooLong = await ha.say('Gửi ngay');
    expect(textOf(tooLong)).toMatch(/Tin dài \d+ ký tự .* chỉ nhận tối đa 2000 ký tự/);
    expect(textOf(tooLong)).toContain('Anh/chị muốn gửi gì?');
  });

  it('sends a saved draft from the broadcast list', async () => {
    const mai = await joined('mai', ['worker', 'secretariat']);
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Bản nháp: hội thao cuối năm' }, audience: { orgUnitId: 'ent-det-song-than' }, schedule: { kind: 'once' }, draft: true },
      { id: 'sec-cli', roles: ['secretariat'] },
      { now: app.clock.now() },
    );
    await mai.say('secretariat');
    const list = await mai.say('2'); // broadcasts
    const entry = mai.last.choices!.find((c) => c.id === broadcast._id);
    expect(entry, textOf(list)).toBeDefined();
    await mai.say(entry!.label);
    expect(mai.last.choices?.map((c) => c.label)).toContain('Gửi bản nháp này ngay');
    const sent = await mai.say('Gửi bản nháp này ngay');
    expect(textOf(sent)).toContain('Đang gửi bản nháp tới 2 người');
    await eventually(() => expect(['u3', 'u4'].map((c) => received.get(c)?.filter((t) => t.includes('hội thao')).length ?? 0)).toEqual([1, 1]));
    expect(mai.last.choices?.map((c) => c.id)).not.toContain('send_draft');
  });

  it('refuses and audits a member without the secretariat role (role revoked mid-conversation)', async () => {
    const long = await joined('long', ['worker', 'secretariat']);
    await long.say('secretariat');
    const identity = await app.models.ChannelIdentity.findById('console:long').lean();
    await app.models.Member.updateOne({ _id: identity!.memberId }, { $set: { roles: ['worker'] } });
    const refused = await long.say('1');
    expect(textOf(refused)).toContain('chỉ dành cho Tổ thư ký');
    expect(long.last.choices?.map((c) => c.id)).not.toContain('secretariat');
    const audit = await app.models.Audit.find({ action: 'secretariat.denied', actor: identity!.memberId }).lean();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    // A worker cannot pick the hidden entry by typing its id either.
    const typed = await long.say('secretariat');
    expect(textOf(typed)).not.toContain('Tổ thư ký — gửi thông báo chung');
  });

  it('refuses a narrowing that would reach nobody at that step, keeping the filters chosen so far', async () => {
    const binh = await joined('binh', ['worker', 'secretariat']);
    await binh.say('secretariat');
    await binh.say('1');
    await binh.say('1');
    await binh.say('Họp chi đoàn');
    await binh.say('Tất cả');
    await binh.say('Theo vai trò');
    const narrowed = await binh.say('Tổ thư ký');
    expect(textOf(narrowed)).toContain('vai trò: Tổ thư ký');
    await binh.say('Theo kênh (Zalo/Telegram)');
    const none = await binh.say('Telegram'); // everyone here chats on the console channel
    expect(textOf(none)).toContain('không còn ai nhận được tin');
    expect(textOf(none)).toContain('Chỉ gửi qua kênh nào?');
    const kept = await binh.say('quay lại');
    expect(textOf(kept)).toContain('vai trò: Tổ thư ký');
    expect(textOf(kept)).not.toContain('kênh:');
    expect(textOf(kept)).not.toContain('Sẽ gửi tới 0 người');
    const when = await binh.say('Chốt đối tượng này');
    expect(textOf(when)).toContain('Gửi lúc nào?');
  });

  it('asks before cancelling a broadcast', async () => {
    const cuong = await joined('cuong', ['worker', 'secretariat']);
    const { broadcast } = await app.services.broadcasts.create(
      { content: { text: 'Giải bóng đá công nhân' }, audience: { orgUnitId: 'ent-det-song-than' }, schedule: { kind: 'once', at: new Date(app.clock.now().getTime() + 2 * 24 * 3600_000) } },
      { id: 'sec-cli', roles: ['secretariat'] },
      { now: app.clock.now() },
    );
    await cuong.say('secretariat');
    await cuong.say('2');
    await cuong.say(cuong.last.choices!.find((c) => c.id === broadcast._id)!.label);
    const asked = await cuong.say('Hủy đợt gửi');
    expect(textOf(asked)).toContain('Hủy hẳn đợt gửi');
    expect((await app.services.broadcasts.get(broadcast._id))?.status).toBe('scheduled');
    const kept = await cuong.say('Không, giữ lại');
    expect(textOf(kept)).toContain('đã lên lịch');
    expect((await app.services.broadcasts.get(broadcast._id))?.status).toBe('scheduled');
    await cuong.say('Hủy đợt gửi');
    const done = await cuong.say('Có, hủy đợt gửi');
    expect(textOf(done)).toContain('Đợt này chưa bắt đầu nên chưa có tin nào được gửi');
    expect((await app.services.broadcasts.get(broadcast._id))?.status).toBe('cancelled');
    expect(cuong.last.choices?.map((c) => c.id)).not.toContain('cancel');
  });

  it('pages through every material, newest first, and offers a way back at the material and unit pickers', async () => {
    const now = app.clock.now().getTime();
    for (let i = 0; i < 10; i++) {
      await app.services.materials.create({ topic: 'skills', author: 'sec', content: { vi: { title: `Tài liệu số ${i + 1}`, body: 'Nội dung' } }, publishAt: new Date(now - (i + 1) * 60_000) }, app.clock.now());
    }
    const dung = await joined('dung', ['worker', 'secretariat']);
    await dung.say('secretariat');
    await dung.say('1');
    const first = await dung.say('Chọn một tài liệu');
    expect(textOf(first)).toContain('chọn tài liệu để gửi');
    expect(dung.last.choices?.map((c) => c.label)).toEqual([...Array.from({ length: 8 }, (_, i) => `Tài liệu số ${i + 1}`), 'Xem thêm', 'Quay lại']);
    await dung.say('Xem thêm');
    expect(dung.last.choices?.map((c) => c.label)).toEqual(['Tài liệu số 9', 'Tài liệu số 10', 'Trang trước', 'Quay lại']);
    await dung.say('Trang trước');
    expect(dung.last.choices?.[0]?.label).toBe('Tài liệu số 1');
    await dung.say('Xem thêm');
    const audience = await dung.say('Tài liệu số 10');
    expect(textOf(audience)).toContain('Gửi cho ai?');
    expect(dung.last.choices?.map((c) => c.label)).toEqual(['Tất cả', 'Quay lại']);
    await dung.say('vsip');
    expect(dung.last.choices?.map((c) => c.label)).toEqual(['KCN VSIP I', 'Quay lại']);
    const backToAudience = await dung.say('Quay lại');
    expect(textOf(backToAudience)).toContain('Gửi cho ai?');
    const backToMaterials = await dung.say('Quay lại');
    expect(textOf(backToMaterials)).toContain('chọn tài liệu để gửi');
    const backToCompose = await dung.say('Quay lại');
    expect(textOf(backToCompose)).toContain('Anh/chị muốn gửi gì?');
  });

  it('offers only units in effect now as a broadcast target; the service refuses a dissolved one', async () => {
    const em = await joined('em', ['worker', 'secretariat']);
    await em.say('secretariat');
    await em.say('1');
    await em.say('1');
    await em.say('Sinh hoạt chi đoàn');
    await em.say('thuan an');
    expect(em.last.choices?.map((c) => c.label)).toEqual(['Đoàn phường Thuận An', 'Quay lại']);
    const refusal = await app.services.broadcasts
      .create({ content: { text: 'Xin chào' }, audience: { orgUnitId: 'td-thuan-an' }, schedule: { kind: 'once' } }, { id: 'sec-cli', roles: ['secretariat'] }, { now: app.clock.now() })
      .then(() => undefined, (e: unknown) => e as BroadcastInputError);
    expect(refusal).toBeInstanceOf(BroadcastInputError);
    expect(refusal).toMatchObject({ code: 'unit_ended', vars: { unit: 'Thành Đoàn Thuận An', until: '01/07/2025' } });
    expect(broadcastErrorText(app.services.i18n.for('vi'), refusal!)).toContain('Thành Đoàn Thuận An đã thôi hoạt động (từ 01/07/2025)');
  });

  it('lists broadcasts by what they send, cut with "…", shows the expected size until one starts, and says what pausing one not started means', async () => {
    const giang = await joined('giang', ['worker', 'secretariat']);
    const sec = { id: 'sec-cli', roles: ['secretariat' as const] };
    const later = new Date(app.clock.now().getTime() + 3 * 24 * 3600_000);
    const material = await app.services.materials.create({ topic: 'health', author: 'sec', content: { vi: { title: 'Phòng chống sốt xuất huyết', body: 'Nội dung' } } }, app.clock.now());
    const { broadcast: mat } = await app.services.broadcasts.create({ content: { materialId: material._id }, audience: { orgUnitId: 'ent-det-song-than' }, schedule: { kind: 'once', at: later } }, sec, { now: app.clock.now() });
    const long = 'Mời các bạn đoàn viên tham gia ngày hội việc làm tại nhà văn hóa khu công nghiệp vào sáng Chủ nhật';
    const { broadcast: text, size } = await app.services.broadcasts.create({ content: { text: long }, audience: {}, schedule: { kind: 'once', at: later } }, sec, { now: app.clock.now() });
    await giang.say('secretariat');
    await giang.say('2');
    const labels = new Map(giang.last.choices!.map((c) => [c.id, c.label]));
    expect(labels.get(mat._id)).toContain('tài liệu "Phòng chống sốt xuất huyết"');
    expect(labels.get(mat._id)).not.toContain('mat-');
    expect(labels.get(text._id)).toMatch(/· "Mời các bạn đoàn viên tham gia ngày hội…"$/);
    const detail = await giang.say(labels.get(text._id)!);
    expect(textOf(detail)).toContain(`Dự kiến gửi tới ${size.targeted} người`);
    expect(textOf(detail)).not.toContain('Nhắm tới: 0');
    const paused = await giang.say('Tạm dừng');
    expect(textOf(paused)).toContain('chưa có tin nào được gửi');
    expect(textOf(paused)).not.toContain('xếp hàng');

    // Channels are named as the apps name themselves.
    await seedMembers(app.models, 1, { channel: 'zalo', from: 100, userId: () => 'z100' });
    await giang.say('menu');
    await giang.say('secretariat');
    await giang.say('1');
    await giang.say('1');
    await giang.say('Tin thử');
    await giang.say('Tất cả');
    await giang.say('Theo kênh (Zalo/Telegram)');
    const zalo = await giang.say('Zalo');
    expect(textOf(zalo)).toContain('kênh: Zalo');
  });

  // Moves the shared clock: keep this test last.
  it('sending now during quiet hours says when it will start', async () => {
    app.clock.advance(13 * 3600_000); // 22:00 in Vietnam
    const lan = await joined('lan', ['secretariat']);
    await lan.say('secretariat');
    await lan.say('1');
    await lan.say('1');
    await lan.say('Thông báo tối');
    await lan.say('Tất cả');
    await lan.say('1');
    const confirm = await lan.say('Gửi ngay');
    expect(textOf(confirm)).toContain('Thời gian: ngay khi hết giờ nghỉ, lúc 07:00 26/11/2026');
    const created = await lan.say('Xác nhận gửi');
    expect(textOf(created)).toMatch(/Đã nhận đợt tin bc-\w+\. Bây giờ đang là giờ nghỉ nên tin sẽ bắt đầu đi lúc 07:00 26\/11\/2026/);
  });
});
