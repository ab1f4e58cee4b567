/** Workers browse materials by newest and topic, page through them, and (un)subscribe per topic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  // People here click through quickly: more than the default burst of the inbound limit.
  app = await startTestApp({ INBOUND_BURST: '100' });
  await insertSampleUnits(app.models);
  const base = app.clock.now().getTime();
  for (let i = 1; i <= 7; i++) {
    await app.services.materials.create(
      {
        topic: i <= 4 ? 'labour_rights' : 'health',
        author: 'Tổ thư ký',
        content: { vi: { title: `Tài liệu số ${i}`, body: `Nội dung tài liệu số ${i}.`, ...(i === 7 ? { photoUrl: 'https://example.org/p7.jpg' } : {}) }, en: { title: `Material ${i}`, body: `Body ${i}.` } },
        publishAt: new Date(base - (10 - i) * 3600_000),
      },
      app.clock.now(),
    );
  }
  // The oldest, under "Chủ đề khác".
  await app.services.materials.create({ topic: 'other', author: 'Tổ thư ký', content: { vi: { title: 'Tài liệu khác', body: 'Nội dung khác.' } }, publishAt: new Date(base - 30 * 3600_000) }, app.clock.now());
  // Not yet published: workers must not see it.
  await app.services.materials.create({ topic: 'health', author: 'x', content: { vi: { title: 'Sắp ra mắt', body: '…' } }, publishAt: new Date(base + 3600_000) }, app.clock.now());
});
afterAll(async () => app?.close());

async function joined(name: string): Promise<ConsolePerson> {
  const p = new ConsolePerson(app, name, { displayName: name });
  for (const text of ['xin chào', 'dong y', '1', 'vsip', 'phuc thinh']) await p.say(text);
  return p;
}

describe('materials', () => {
  it('lists the newest five, pages on, opens one with its photo', async () => {
    const lan = await joined('lan');
    await lan.say('Tài liệu, bản tin');
    const first = await lan.say('Mới nhất');
    expect(textOf(first)).toContain('trang 1');
    expect(lan.last.choices?.slice(0, 5).map((c) => c.label.split(' (')[0])).toEqual(['Tài liệu số 7', 'Tài liệu số 6', 'Tài liệu số 5', 'Tài liệu số 4', 'Tài liệu số 3']);
    expect(lan.last.choices?.map((c) => c.id)).toContain('more');
    await lan.say('xem them');
    expect(lan.last.choices?.slice(0, 2).map((c) => c.label.split(' (')[0])).toEqual(['Tài liệu số 2', 'Tài liệu số 1']);
    expect(lan.last.choices?.map((c) => c.id)).not.toContain('more');
    expect(textOf(lan.inbox)).not.toContain('Sắp ra mắt');
    await lan.say('trang truoc');
    const opened = await lan.say('1');
    expect(opened[0]).toMatchObject({ text: 'Tài liệu số 7\n\nNội dung tài liệu số 7.', photoUrl: 'https://example.org/p7.jpg' });
    // Opened from "Mới nhất": the follow-up is about the newest, not the item's topic (health).
    expect(lan.last.text).toBe('Bạn muốn xem tiếp các tài liệu mới nhất không?');
    await lan.say('Quay lại danh sách');
    expect(textOf([lan.last])).toContain('trang 1');
  });

  it('filters by topic', async () => {
    const an = await joined('an');
    await an.say('1');
    await an.say('Theo chủ đề');
    await an.say('Sức khỏe, an toàn lao động');
    const labels = an.last.choices!.filter((c) => c.id.startsWith('mat-')).map((c) => c.label.split(' (')[0]);
    expect(labels).toEqual(['Tài liệu số 7', 'Tài liệu số 6', 'Tài liệu số 5']);
    await an.say('2');
    expect(an.last.text).toBe('Bạn muốn xem tiếp các tài liệu trong mục "Sức khỏe, an toàn lao động" không?');
  });

  it('names a topic once ("Chủ đề khác", not "Chủ đề "Chủ đề khác""), says plainly when a topic has nothing yet, and goes back from the topics', async () => {
    const chi = await joined('chi');
    await chi.say('1');
    await chi.say('Theo chủ đề');
    expect(chi.last.choices?.at(-1)).toEqual({ id: 'back', label: 'Quay lại' });
    await chi.say(String(chi.last.choices!.length));
    expect(chi.last.text).toBe(app.services.i18n.for('vi')('materials:intro'));
    await chi.say('Theo chủ đề');
    await chi.say('Chủ đề khác');
    expect(chi.last.text).toBe('Chủ đề khác (trang 1). Bạn chọn một tài liệu để đọc:');
    await chi.say('Theo chủ đề');
    const empty = await chi.say('Văn hóa, về quê ăn Tết');
    expect(textOf(empty)).toBe('Mục "Văn hóa, về quê ăn Tết" hiện chưa có tài liệu nào. Bạn xem chủ đề khác nhé, khi có tài liệu mới mình sẽ gửi bạn!');
    expect(chi.last.choices?.map((c) => c.id)).toEqual(['topics', 'menu']);
    // From the topics reached from a list, "Quay lại" returns to that list.
    await chi.say('Theo chủ đề');
    await chi.say('Quay lại');
    expect(chi.last.text).toContain('Văn hóa, về quê ăn Tết');
  });

  it('subscribes and unsubscribes per topic', async () => {
    const binh = await joined('binh');
    await binh.say('1');
    const subs = await binh.say('Đăng ký nhận tin theo chủ đề');
    expect(textOf(subs)).toContain('● Sức khỏe, an toàn lao động');
    const off = await binh.say('Ngừng nhận tin: Sức khỏe, an toàn lao động');
    expect(textOf(off)).toContain('Đã ngừng nhận tin: Sức khỏe, an toàn lao động.');
    expect(textOf(off)).toContain('○ Sức khỏe, an toàn lao động');
    const id = (await app.models.ChannelIdentity.findById('console:binh').lean())!.memberId!;
    expect(await app.services.materials.topicsOff(id)).toEqual(['health']);
    await binh.say('Đăng ký nhận tin: Sức khỏe, an toàn lao động');
    expect(await app.services.materials.topicsOff(id)).toEqual([]);
  });
});
