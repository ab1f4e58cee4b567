/** The cadre-force review in chat: the city level sees the whole tree, a zone its subtree only; reporters are never shown. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCadreReview, SEED_WORKERS } from '../test/support/cadre-review-seed.js';
import { addMember } from '../test/support/concern-fixtures.js';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let thu: ConsolePerson;
let vy: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp();
  await seedCadreReview(app);
  thu = new ConsolePerson(app, 'c-thu');
  vy = await addMember(app, { id: 'm-vy', name: 'Chị Vy Tổ thư ký KCN Sóng Thần 2', roles: ['worker', 'secretariat'], orgUnitId: 'kcn-song-than-2', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'kcn-song-than-2' }] } });
});
afterAll(async () => app?.close());

const noReporter = (text: string) => {
  for (const w of SEED_WORKERS) for (const secret of [w.id, w.name, w.chatId]) expect(text).not.toContain(secret);
};

describe('cadre-force review in chat', () => {
  it('shows the city level its cadres by organisation and category, the gaps and the idle cadres', async () => {
    await thu.say('menu');
    await thu.say('secretariat');
    expect(thu.last.choices?.find((c) => c.id === 'review')?.label).toBe('Rà soát đội ngũ cán bộ');
    const text = textOf(await thu.say('review'));
    expect(text).toContain('Rà soát đội ngũ cán bộ Đề án — Thành Đoàn TP. Hồ Chí Minh và các đơn vị trực thuộc (số liệu lúc 12:20 26/12/2026)');
    expect(text).toContain('Cán bộ được phân công: 4 người, trong đó 4 người đang nhận phản ánh.');
    expect(text).toContain('Theo tổ chức: Đoàn Thanh niên 1 · Hội LHPN 1 · Công đoàn 1 · Hội LHTN 1');
    expect(text).toContain('Học nghề, nâng cao tay nghề 1');
    expect(text).toContain('Chưa có cán bộ nhận phản ánh: 12 trường hợp ở 2/3 doanh nghiệp');
    expect(text).toContain('• Công ty TNHH Dệt Sóng Thần: Tiền lương, nợ/chậm lương; Tăng ca, làm thêm giờ; BHXH, BHYT, bảo hiểm thất nghiệp; Hợp đồng lao động, cắt giảm lao động; Sức khỏe, an toàn lao động; Đời sống văn hóa tinh thần, về quê ăn Tết');
    expect(text).toContain('• Công ty TNHH Giày da Phúc Thịnh: Tiền lương, nợ/chậm lương;');
    expect(text).toContain('Cán bộ không xử lý phản ánh nào trong 30 ngày qua: 2 người');
    expect(thu.last.choices?.map((c) => c.id)).toEqual(['cadres', 'unit:kcn-song-than-2', 'unit:vsip1', 'back']);
    noReporter(text);
  });

  it("lists each cadre's load, SLA, median response time, rating and last action, idle ones first", async () => {
    const text = textOf(await thu.say('cadres'));
    expect(text).toContain('Cán bộ của Thành Đoàn TP. Hồ Chí Minh và các đơn vị trực thuộc (4 người):');
    expect(text).toContain('⏸ Chị Hoa Hội Phụ nữ · Hội LHPN\nĐang xử lý: 0 · Phản hồi đầu đúng hạn: 0 % (0/1) · Thời gian phản hồi (trung vị): — · Đánh giá: — · Lần xử lý gần nhất: chưa có');
    expect(text).toContain('Anh Tú Công đoàn · Công đoàn\nĐang xử lý: 1 · Phản hồi đầu đúng hạn: 50 % (1/2) · Thời gian phản hồi (trung vị): 45,5 phút · Đánh giá: 5/5 (1 lượt) · Lần xử lý gần nhất: 10:01 26/12/2026');
    expect(text).toContain('Anh Dũng Thành Đoàn · Đoàn Thanh niên\nĐang xử lý: 1 · Phản hồi đầu đúng hạn: 100 % (1/1) · Thời gian phản hồi (trung vị): 10 phút');
    expect(text.indexOf('Chị Hoa')).toBeLessThan(text.indexOf('Anh Dũng'));
    noReporter(text);
  });

  it('goes down to a zone and back up', async () => {
    await thu.say('back');
    const zone = textOf(await thu.say('unit:vsip1'));
    expect(zone).toContain('— KCN VSIP I và các đơn vị trực thuộc');
    expect(zone).toContain('Cán bộ được phân công: 2 người');
    expect(zone).toContain('Chưa có cán bộ nhận phản ánh: 6 trường hợp ở 1/2 doanh nghiệp');
    expect(textOf(await thu.say('back'))).toContain('— Thành Đoàn TP. Hồ Chí Minh và các đơn vị trực thuộc');
    await thu.say('back');
    expect(thu.last.choices?.some((c) => c.id === 'review')).toBe(true);
  });

  it('shows a zone-level secretariat its own subtree, and refuses (audited) a unit that left their scope', async () => {
    await vy.say('menu');
    await vy.say('secretariat');
    const text = textOf(await vy.say('review'));
    expect(text).toContain('— KCN Sóng Thần 2 và các đơn vị trực thuộc');
    expect(text).toContain('Cán bộ được phân công: 1 người');
    expect(text).toContain('Lĩnh vực chưa có cán bộ nào trong đơn vị phụ trách: Tiền lương, nợ/chậm lương;');
    expect(vy.last.choices?.map((c) => c.id)).toEqual(['cadres', 'unit:ent-det-song-than', 'back']);
    expect(textOf(await vy.say('cadres'))).not.toContain('Anh Tú');

    // Her grant moves to another zone while the list is open: the next screen is refused.
    await vy.say('back');
    await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
    const refused = textOf(await vy.say('cadres'));
    expect(refused).toContain('nằm ngoài phạm vi anh/chị phụ trách');
    expect(refused).not.toContain('Chị Hoa');
    expect(await app.models.Audit.countDocuments({ action: 'access.denied', actor: 'm-vy', target: 'kcn-song-than-2' })).toBe(1);
    // Back at the start, the review opens at her new unit.
    expect(textOf(await vy.say('review'))).toContain('— KCN VSIP I và các đơn vị trực thuộc');
  });
});
