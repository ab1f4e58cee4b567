/** Workers browse materials by newest and topic, page through them, and (un)subscribe per topic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
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
  });

  it('subscribes and unsubscribes per topic', async () => {
    const binh = await joined('binh');
    await binh.say('1');
    const subs = await binh.say('Đăng ký nhận tin theo chủ đề');
    expect(textOf(subs)).toContain('● Sức khỏe, an toàn lao động');
    const off = await binh.say('Ngừng nhận tin: Sức khỏe, an toàn lao động');
    expect(textOf(off)).toContain('Đã ngừng nhận tin chủ đề "Sức khỏe, an toàn lao động"');
    expect(textOf(off)).toContain('○ Sức khỏe, an toàn lao động');
    const id = (await app.models.ChannelIdentity.findById('console:binh').lean())!.memberId!;
    expect(await app.services.materials.topicsOff(id)).toEqual(['health']);
    await binh.say('Đăng ký nhận tin: Sức khỏe, an toàn lao động');
    expect(await app.services.materials.topicsOff(id)).toEqual([]);
  });
});
