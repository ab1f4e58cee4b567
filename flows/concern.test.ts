import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let lan: ConsolePerson;
let wu: ConsolePerson;
let tu: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  lan = await addMember(app, { id: 'm-lan', name: 'Nguyễn Thị Lan', orgUnitId: 'ent-phuc-thinh', chatId: '0912345678' });
  wu = await addMember(app, { id: 'm-wu', name: 'Chị Hoa Hội Phụ nữ', roles: ['worker', 'cadre'], chatId: 'c-wu' });
  tu = await addMember(app, { id: 'm-tu', name: 'Anh Tâm Công đoàn', roles: ['worker', 'cadre'], chatId: 'c-tu' });
  await assign(app, { memberId: 'm-wu', unit: 'vsip1', organisation: 'womens_union' });
  await assign(app, { memberId: 'm-tu', unit: 'vsip1', organisation: 'trade_union', categories: ['wages', 'overtime'] });
});
afterAll(async () => app?.close());

describe('a worker raises a concern and a cadre handles it through the bot', () => {
  let code = '';

  it('takes an urgent anonymous concern with photos, shows the hotline at once, and gives a reference code', async () => {
    await lan.say('menu');
    expect(lan.last.choices?.map((c) => c.id)).toContain('concerns');
    expect(lan.last.choices?.map((c) => c.id)).not.toContain('cadre_inbox');
    await lan.say('concerns');
    await lan.say('new');
    expect(lan.last.choices?.map((c) => c.id)).toContain('harassment');
    const urgent = await lan.say('quay roi tinh duc');
    expect(textOf(urgent)).toContain('1900 969680');
    // Violence: the police too, not only the Women's Union line.
    expect(textOf(urgent)).toContain('Công an: 113');
    expect(textOf(urgent)).toContain('Công ty TNHH Giày da Phúc Thịnh');
    await lan.say('1');
    expect(textOf(await lan.send({ media: 'voice' }))).toContain('chưa nhận ghi âm');
    expect(textOf(await lan.send({ media: 'photo', photoRef: 'https://example.org/line-3.jpg' }))).toContain('bằng chữ trước');
    expect(textOf(await lan.say('tệ lắm'))).toContain('viết thêm');
    await lan.say('Tổ trưởng chuyền 3 nhiều lần nói lời khiếm nhã và đụng chạm');
    expect(textOf(await lan.send({ media: 'photo', photoRef: 'https://example.org/note.jpg' }))).toContain('2/5');
    expect(textOf(await lan.send({ media: 'document' }))).toContain('chưa nhận ghi âm, video hay tệp');
    const anonymity = await lan.say('xong');
    expect(textOf(anonymity)).toContain('cán bộ không bao giờ biết bạn là ai');
    const confirm = await lan.say('an danh');
    expect(textOf(confirm)).toContain('Ảnh: 2');
    const sent = await lan.say('gui di');
    code = /PA-[2-9A-Z]{4}/.exec(textOf(sent))![0];
    expect(textOf(sent)).toContain('KHẨN CẤP');
    const c = (await app.services.concerns.get(code))!;
    expect(c).toMatchObject({ urgent: true, anonymous: true, photos: 2, category: 'harassment', orgUnitId: 'ent-phuc-thinh', assigneeId: 'm-wu' });
    // Nothing on the concern names the reporter's account: its intake key is a keyed HMAC.
    expect(c.intakeKey).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(c)).not.toContain('0912345678');
    expect(JSON.stringify(c)).not.toContain('m-lan');
    expect(c.photoRefs).toEqual([
      { channel: 'console', ref: 'https://example.org/line-3.jpg' },
      { channel: 'console', ref: 'https://example.org/note.jpg' },
    ]);
  });

  it('notifies the assigned cadre with category, unit, urgency and text, never who raised it', async () => {
    const note = await waitForMessage(wu, (m) => m.text.includes(code));
    expect(note.text).toContain('Quấy rối tình dục');
    expect(note.text).toContain('KHẨN CẤP');
    expect(note.text).toContain('Công ty TNHH Giày da Phúc Thịnh');
    expect(note.text).toContain('Tổ trưởng chuyền 3');
    for (const secret of ['Lan', 'm-lan', '0912345678']) expect(note.text).not.toContain(secret);
    // The photos follow the notice, captioned, as the bot's own messages.
    const photo = await waitForMessage(wu, (m) => m.photoUrl === 'https://example.org/note.jpg');
    expect(photo.text).toBe(`Ảnh 2/2 · phản ánh ${code}`);
    expect(wu.inbox.filter((m) => m.photoUrl).map((m) => m.photoUrl)).toEqual(['https://example.org/line-3.jpg', 'https://example.org/note.jpg']);
  });

  it('lets the cadre accept and ask from the inbox; the worker is told and answers through "my concerns"', async () => {
    await wu.say('menu');
    expect(wu.last.choices?.map((c) => c.id)).toContain('cadre_inbox');
    const inbox = await wu.say('cadre_inbox');
    expect(wu.last.choices?.[0]?.id).toBe(code);
    expect(textOf(inbox)).toContain('1 việc');
    const item = await wu.say('1');
    expect(textOf(item)).toContain('ẩn danh');
    expect(textOf(item)).not.toContain('Lan');
    const again = await wu.say('photos');
    expect(again.filter((m) => m.photoUrl).map((m) => m.text)).toEqual([`Ảnh 1/2 · phản ánh ${code}`, `Ảnh 2/2 · phản ánh ${code}`]);
    expect(again.at(-1)?.choices?.map((c) => c.id)).toContain('accept');
    await wu.say('accept');
    await waitForMessage(lan, (m) => m.text.includes('đã tiếp nhận và đang xử lý'));
    // "quay lại" after an action goes one screen back, to the inbox, then to the menu.
    const inboxAgain = await wu.say('quay lại');
    expect(textOf(inboxAgain)).toContain('1 việc');
    expect(wu.last.choices?.map((c) => c.id)).toEqual([code, 'back']);
    await wu.say('quay lại');
    expect(wu.last.choices?.map((c) => c.id)).toContain('cadre_inbox');
    await wu.say('cadre_inbox');
    await wu.say(code);
    await wu.say('ask');
    await wu.say('Việc này xảy ra từ khi nào vậy bạn?');
    await waitForMessage(lan, (m) => m.text.includes('Việc này xảy ra từ khi nào'));

    await lan.say('menu');
    await lan.say('concerns');
    await lan.say('mine');
    expect(lan.last.choices?.[0]?.label).toContain('đang xử lý');
    const detail = await lan.say('1');
    expect(textOf(detail)).toContain('Cán bộ hỏi: Việc này xảy ra từ khi nào');
    await lan.say('answer');
    await lan.say('Từ đầu tháng 10 ạ');
    const answer = await waitForMessage(wu, (m) => m.text.includes('Từ đầu tháng 10'));
    expect(answer.text).not.toContain('Lan');

    // A question can be answered with a photo (evidence the cadre asks for); a file cannot.
    await wu.say('ask');
    await wu.say('Bạn chụp giúp chị tin nhắn anh ta gửi nhé?');
    await waitForMessage(lan, (m) => m.text.includes('Bạn chụp giúp chị tin nhắn'));
    await lan.say('menu');
    await lan.say('concerns');
    await lan.say('mine');
    await lan.say('1');
    expect(textOf(await lan.say('answer'))).toContain('hoặc gửi ảnh');
    expect(textOf(await lan.send({ media: 'document' }))).toContain('chưa nhận ghi âm, video hay tệp');
    expect(textOf(await lan.send({ media: 'photo' }))).toContain('chưa nhận được ảnh này');
    expect(textOf(await lan.send({ media: 'photo', photoRef: 'https://example.org/tin-nhan.jpg' }))).toContain('đã gửi cho cán bộ');
    await waitForMessage(wu, (m) => m.text.includes('trả lời bằng một ảnh') && m.text.includes(code));
    const evidence = await waitForMessage(wu, (m) => m.photoUrl === 'https://example.org/tin-nhan.jpg');
    expect(evidence.text).toBe(`Ảnh 3/3 · phản ánh ${code}`);
    const c = (await app.services.concerns.get(code))!;
    expect(c).toMatchObject({ photos: 3, awaitingAnswer: false });
    expect(c.photoRefs?.at(-1)).toEqual({ channel: 'console', ref: 'https://example.org/tin-nhan.jpg' });
  });

  it('takes the answer typed straight into the chat after a cadre asks, a photo and then words, within a window', async () => {
    await wu.say('ask');
    await wu.say('Tổ trưởng nói những lời đó ở đâu, có ai chứng kiến không?');
    await waitForMessage(lan, (m) => m.text.includes('có ai chứng kiến không'));
    await lan.say('menu');
    // Not a menu choice: it answers the waiting question, and the worker is told so.
    const answered = await lan.say('Ở khu đóng gói, có chị Mai cùng chuyền thấy');
    expect(textOf(answered)).toContain('đã gửi cho cán bộ');
    expect(textOf(answered)).toContain(code);
    await waitForMessage(wu, (m) => m.text.includes('có chị Mai cùng chuyền thấy'));
    // More within the window joins the answer: a photo, then words.
    expect(textOf(await lan.send({ media: 'photo', photoRef: 'https://example.org/khu-dong-goi.jpg' }))).toContain('đã gửi cho cán bộ');
    await waitForMessage(wu, (m) => m.photoUrl === 'https://example.org/khu-dong-goi.jpg');
    expect(textOf(await lan.say('Ảnh chụp lúc 9 giờ sáng'))).toContain('đã gửi cho cán bộ');
    await waitForMessage(wu, (m) => m.text.includes('Ảnh chụp lúc 9 giờ sáng'));
    const c = (await app.services.concerns.get(code))!;
    expect(c.events.filter((e) => e.kind === 'answered').map((e) => e.text ?? '(photo)').slice(-3)).toEqual(['Ở khu đóng gói, có chị Mai cùng chuyền thấy', '(photo)', 'Ảnh chụp lúc 9 giờ sáng']);
    // A menu choice is still a menu choice.
    await lan.say('menu');
    expect(lan.last.choices?.map((c) => c.id)).toContain('concerns');
    // Past the window, free text at the menu is not an answer any more.
    app.clock.advance((app.services.concerns.policy.answerWindowMinutes + 1) * 60_000);
    expect(textOf(await lan.say('cảm ơn chị nhiều'))).toContain('chưa hiểu');
  });

  it('refuses (and audits) another cadre opening the concern by its code', async () => {
    await tu.say('menu');
    await tu.say('cadre_inbox');
    const refused = await tu.say(code.toLowerCase().replace('-', ' '));
    expect(textOf(refused)).toContain('không được giao cho anh/chị');
    expect(await app.models.Audit.countDocuments({ action: 'concern.refused', actor: 'm-tu', target: code })).toBe(1);
  });

  it('relays the reply and the resolution; the worker rates it', async () => {
    await wu.say('menu');
    await wu.say('cadre_inbox');
    await wu.say(code);
    await wu.say('reply');
    await wu.say('Chị đã làm việc với công ty, tổ trưởng đã bị kỷ luật');
    await waitForMessage(lan, (m) => m.text.includes('tổ trưởng đã bị kỷ luật'));
    await wu.say('resolve');
    const closed = await wu.say('Công ty kỷ luật và chuyển tổ trưởng sang bộ phận khác');
    expect(textOf(closed)).toContain('Đã đóng');
    expect(textOf(closed)).toContain(`gõ ${code} trong "Hộp thư phản ánh" rồi chọn "Chia sẻ kết quả`);
    await waitForMessage(lan, (m) => m.text.includes('đã được giải quyết'));

    // Reopening the item offers only an internal note, sharing the outcome (flows/outcome-notes.ts) and its photos: no reply to a resolved concern.
    await wu.say(code);
    expect(wu.last.choices?.map((c) => c.id)).toEqual(['note', 'share_outcome', 'photos', 'back']);

    await lan.say('menu');
    await lan.say('concerns');
    await lan.say('mine');
    await lan.say('1');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['rate', 'reopen', 'back']);
    await lan.say('rate');
    expect(textOf(await lan.say('5'))).toContain('Cảm ơn bạn đã đánh giá');
    expect((await app.services.concerns.get(code))!.rating).toBe(5);
  });

  it('tells a worker with too many open concerns clearly', async () => {
    app.services.concerns.policy = { ...app.services.concerns.policy, maxOpenPerWorker: 1 };
    await app.services.concerns.submit({ memberId: 'm-lan', category: 'overtime', orgUnitId: 'ent-phuc-thinh', description: 'Tăng ca quá nhiều giờ', photos: 0, anonymous: true, intakeKey: 'x1', at: app.clock.now() });
    await lan.say('menu');
    await lan.say('concerns');
    await lan.say('new');
    const refused = await lan.say('tien luong');
    expect(textOf(refused)).toContain('1 phản ánh chưa giải quyết xong');
    // Every refusal names the lines to call.
    for (const line of ['Công an: 113', 'Cấp cứu: 115', '1900 969680']) expect(textOf(refused)).toContain(line);
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['new', 'mine', 'back']);

    // An urgent matter is never refused: harassment goes on to the next question, with the hotlines.
    await lan.say('new');
    const urgent = await lan.say('quấy rối tình dục');
    expect(textOf(urgent)).not.toContain('chưa giải quyết xong');
    expect(textOf(urgent)).toContain('Công an: 113');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['workplace', 'other']);
    await lan.say('hủy');
  });

  it('submits an urgent concern past the open-concern limit', async () => {
    const limited = { ...app.services.concerns.policy, maxOpenPerWorker: 0 };
    app.services.concerns.policy = limited;
    const { concern } = await app.services.concerns.submit({ memberId: 'm-lan', category: 'safety', orgUnitId: 'ent-phuc-thinh', description: 'Máy dập chuyền 2 hỏng che chắn', photos: 0, anonymous: true, intakeKey: 'urgent-past-limit', at: app.clock.now() });
    expect(concern).toMatchObject({ urgent: true, status: 'received' });
    await expect(app.services.concerns.submit({ memberId: 'm-lan', category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Chậm lương tháng này', photos: 0, anonymous: true, intakeKey: 'ordinary-past-limit', at: app.clock.now() })).rejects.toThrow(/open concerns|limit|TooMany/i);
    app.services.concerns.policy = { ...limited, maxOpenPerWorker: 1 };
  });

  it('forgets the worker in their concerns when they delete their data: texts and photos gone, the open one closed, its cadre told', async () => {
    const open = (await app.services.concerns.cm.Concern.findOne({ intakeKey: 'x1' }).lean())!;
    expect(open).toMatchObject({ status: 'received', assigneeId: 'm-tu' });
    expect(textOf(await lan.say('xoa du lieu'))).toContain('nội dung và ảnh bị xóa');
    await lan.say('1');

    const withdrawn = (await app.services.concerns.get(open._id))!;
    expect(withdrawn).toMatchObject({ status: 'withdrawn', description: '' });
    await waitForMessage(tu, (m) => m.text.includes(open._id) && m.text.includes('rút lại'));
    const resolved = (await app.services.concerns.get(code))!;
    expect(resolved).toMatchObject({ status: 'resolved', description: '', rating: 5 });
    expect(resolved.photoRefs).toBeUndefined();
    expect(resolved.events.filter((e) => e.actor === 'reporter' && e.kind !== 'rated').map((e) => e.text)).toEqual(Array(6).fill(undefined));
    // The cadre's own words stay; the sealed links are gone, audited.
    expect(resolved.events.find((e) => e.kind === 'resolved')?.text).toContain('kỷ luật');
    expect(await app.services.concerns.vault.codesOf('m-lan')).toEqual([]);
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.erased', target: { $in: [code, open._id] } })).toBe(2);

    // The cadre sees the withdrawn concern closed, with the reporter's text replaced.
    await tu.say('menu');
    await tu.say('cadre_inbox');
    const item = await tu.say(open._id);
    expect(textOf(item)).toContain('đã xóa theo yêu cầu của người phản ánh');
    expect(textOf(item)).not.toContain('Tăng ca quá nhiều giờ');
    // The resolved one no longer offers the photos it had.
    await wu.say('menu');
    await wu.say('cadre_inbox');
    expect(textOf(await wu.say(code))).toContain('Ảnh kèm: 0');
    expect(wu.last.choices?.map((c) => c.id)).toEqual(['note', 'back']);
    expect(tu.last.choices?.map((c) => c.id)).toEqual(['note', 'back']);
    // Its timers do nothing any more.
    expect(await app.services.concerns.onTimer({ code: open._id, kind: 'first_response', stage: 'breach', level: 0, seq: withdrawn.slaSeq, due: new Date().toISOString() }, app.clock.now())).toEqual([]);
  });
});
