/**
 * What the worker and the cadre read on the concern screens: a way back from the categories,
 * minimum lengths of what the other side will read, status and deadline lines that match what
 * happened, and notices that say whole sentences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVnTime } from '../core/vn-time.js';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let mai: ConsolePerson;
let john: ConsolePerson;
let tu: ConsolePerson;

beforeAll(async () => {
  // People here click through quickly: more than the default burst of the inbound limit.
  app = await startTestApp({ INBOUND_BURST: '10000' });
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  mai = await addMember(app, { id: 'm-mai', name: 'Trần Thị Mai', orgUnitId: 'ent-phuc-thinh', chatId: 'c-mai' });
  john = await addMember(app, { id: 'm-john', name: 'John', orgUnitId: 'ent-phuc-thinh', chatId: 'c-john', locale: 'en' });
  tu = await addMember(app, { id: 'm-tu', name: 'Anh Tú Công đoàn', roles: ['worker', 'cadre'], chatId: 'c-tu' });
  await addMember(app, { id: 'm-thu', name: 'Chị Thư Tổ thư ký', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await assign(app, { memberId: 'm-tu', unit: 'vsip1', organisation: 'trade_union', categories: ['wages'] });
});
afterAll(async () => app?.close());

describe('the worker\'s screens', () => {
  it('offers "Quay lại" at the categories, back to "Gửi phản ánh"', async () => {
    await mai.say('menu');
    await mai.say('concerns');
    await mai.say('new');
    expect(mai.last.choices?.at(-1)).toEqual({ id: 'back', label: 'Quay lại' });
    await mai.say(String(mai.last.choices!.length));
    expect(mai.last.choices?.map((c) => c.id)).toEqual(['new', 'mine', 'back']);
  });

  it('says in English how the concern will be sent, not "Sent: anonymous"', async () => {
    await john.say('menu');
    for (const step of ['concerns', 'new', 'wages', 'workplace', 'The company has paid us late for two months', 'done']) await john.say(step);
    const confirm = textOf(await john.say('anonymous'));
    expect(confirm).toContain('• How: anonymously');
    expect(confirm).not.toContain('Sent: anonymous');
    await john.say('cancel');
  });
});

describe('a concern handled through the chat', () => {
  let code = '';

  it('shows the cadre a new concern as new, with both deadlines', async () => {
    const { concern } = await app.services.concerns.submit({ memberId: 'm-mai', category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty chậm lương hai tháng', photos: 0, anonymous: true, intakeKey: 'screens-1', at: app.clock.now() });
    code = concern._id;
    await tu.say('menu');
    await tu.say('cadre_inbox');
    expect(tu.last.choices?.[0]?.label).toContain('mới, chờ anh/chị tiếp nhận');
    const item = textOf(await tu.say(code));
    expect(item).toContain('Trạng thái: mới, chờ anh/chị tiếp nhận');
    expect(item).not.toContain('đã tiếp nhận');
    expect(item).toContain(`Hạn phản hồi: ${formatVnTime(concern.firstResponseDue!)} · Hạn giải quyết: ${formatVnTime(concern.resolutionDue!)}`);
  });

  it('after "Tiếp nhận" says when it was accepted (the first response), not "Hạn phản hồi: đã phản hồi"', async () => {
    const accepted = textOf(await tu.say('accept'));
    expect(accepted).toContain('Trạng thái: đã tiếp nhận, đang xử lý');
    expect(accepted).toContain(`Đã tiếp nhận lúc ${formatVnTime(app.clock.now())} · Hạn giải quyết:`);
    expect(accepted).not.toContain('Hạn phản hồi');
    expect(accepted).not.toContain('đã phản hồi');
  });

  it('refuses a reply or a question too short to help the worker, and keeps asking for it', async () => {
    await tu.say('reply');
    expect(textOf(await tu.say('ok'))).toContain('Nội dung phản hồi ngắn quá (cần ít nhất 10 ký tự)');
    expect((await app.services.concerns.get(code))!.events.some((e) => e.kind === 'replied')).toBe(false);
    expect(textOf(await tu.say('Công ty hứa trả lương vào thứ Sáu'))).toContain('Đã chuyển phản hồi');
    await tu.say('ask');
    expect(textOf(await tu.say('sao?'))).toContain('Câu hỏi ngắn quá');
    expect(textOf(await tu.say('Bạn làm ở chuyền nào vậy?'))).toContain('Đã chuyển câu hỏi');
  });

  it('tells the cadre of a photo answer in a whole sentence, not one ending in a colon', async () => {
    await mai.say('menu');
    expect(textOf(await mai.send({ media: 'photo', photoRef: 'https://example.org/bang-luong.jpg' }))).toContain('đã gửi cho cán bộ');
    const notice = await waitForMessage(tu, (m) => m.text.includes(code) && m.text.includes('ảnh') && !m.photoUrl);
    expect(notice.text).toBe(`💬 Người phản ánh trả lời bằng một ảnh, không kèm lời nhắn (phản ánh ${code}).`);
    await waitForMessage(tu, (m) => m.photoUrl === 'https://example.org/bang-luong.jpg');
  });

  it('refuses a resolution summary like "ok", then resolves with a real one', async () => {
    await tu.say('menu');
    await tu.say('cadre_inbox');
    await tu.say(code);
    await tu.say('resolve');
    expect(textOf(await tu.say('ok'))).toContain('Tóm tắt ngắn quá');
    expect((await app.services.concerns.get(code))!.status).not.toBe('resolved');
    expect(textOf(await tu.say('Công ty đã trả đủ lương hai tháng'))).toContain('Đã đóng');
    const item = textOf(await tu.say(code));
    expect(item).toContain(`Đã giải quyết lúc ${formatVnTime(app.clock.now())}`);
    expect(item).toContain('Trạng thái: đã giải quyết');
  });

  it('refuses a reopening reason like "chua", then reopens with a real one; the cadre sees it waiting to be accepted', async () => {
    for (const step of ['menu', 'concerns', 'mine', '1', 'reopen']) await mai.say(step);
    expect(textOf(await mai.say('chua'))).toContain('ít nhất 10 ký tự');
    expect((await app.services.concerns.get(code))!.status).toBe('resolved');
    expect(textOf(await mai.say('Công ty mới trả một tháng thôi'))).toContain('mở lại');
    expect((await app.services.concerns.get(code))!.status).toBe('reopened');
    await tu.say('menu');
    await tu.say('cadre_inbox');
    const item = textOf(await tu.say(code));
    expect(item).toContain('Trạng thái: người phản ánh mở lại, chờ anh/chị tiếp nhận');
    expect(item).toContain('Hạn phản hồi:');
  });
});

describe('the secretariat', () => {
  it('hears of a concern nobody covers "ở bất kỳ cấp nào"', async () => {
    const { concern, notices } = await app.services.concerns.submit({ memberId: 'm-mai', category: 'childcare', orgUnitId: 'ent-phuc-thinh', description: 'Khu trọ không có nhà trẻ gần', photos: 0, anonymous: true, intakeKey: 'screens-2', at: app.clock.now() });
    expect(concern.flagged).toBe(true);
    const text = notices.find((n) => n.memberId === 'm-thu')?.message.text;
    expect(text).toContain('chưa có cán bộ nào phụ trách ở bất kỳ cấp nào');
    expect(text).not.toContain('ở mọi cấp');
  });
});
