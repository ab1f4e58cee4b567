/**
 * The demo staff (every role tryable locally): seeded beside the real sample org tree, each
 * holds their role where the tree says, and the quick start's tour works as written — a worker
 * raises a concern about boarding rooms at Phúc Thịnh, the Youth Union cadre answers through
 * the bot, the worker reads the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleOrg } from '../org/sample-seed.js';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../../test/support/test-app.js';
import { fastPolicy, waitForMessage } from '../../test/support/concern-fixtures.js';
import { DEMO_STAFF, seedDemoStaff } from './demo-staff.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await seedSampleOrg(app.models);
});
afterAll(async () => app?.close());

describe('demo staff', () => {
  it('are seeded once, each with their roles held where the sample tree says', async () => {
    expect(await seedDemoStaff(app.models, app.services.concerns, app.clock.now())).toBe(DEMO_STAFF.length);
    expect(await seedDemoStaff(app.models, app.services.concerns, app.clock.now())).toBe(0);
    const ward = (await app.services.members.get('thuky-phuong'))!;
    const city = (await app.services.members.get('thuky-tp'))!;
    const now = app.clock.now();
    expect(await app.services.access.allows(ward, 'secretariat', 'ent-phuc-thinh', now, 'demo.check')).toBe(true);
    expect(await app.services.access.allows(ward, 'secretariat', 'kcn-song-than', now, 'demo.check')).toBe(false);
    expect(await app.services.access.allows(city, 'secretariat', 'kcn-song-than', now, 'demo.check')).toBe(true);
    expect((await app.services.members.get('cadre-hung'))!.roles).toContain('cadre');
    expect((await app.services.members.get('bithu-an'))!.grants).toEqual([{ role: 'cadre', unitId: 'chidoan-phuc-thinh-may' }]);
  });

  it("the quick start's tour: a worker's concern reaches the Youth Union cadre, whose answer reaches the worker", async () => {
    const lan = new ConsolePerson(app, 'lan-demo', { displayName: 'Lan' });
    const hung = new ConsolePerson(app, 'cadre-hung');
    for (const text of ['xin chào', '1', '1', 'phúc thịnh', '1']) await lan.say(text);
    expect(lan.last.text).toContain('Trang chính');
    for (const text of ['gửi phản ánh', 'gửi phản ánh mới', 'nhà trọ', '1', 'Khu trọ gần cổng số 2 mất điện cả tuần, chủ trọ không sửa', 'xong', 'ẩn danh']) await lan.say(text);
    const sent = textOf(await lan.say('gửi đi'));
    const code = /PA-[2-9A-Z]{4}/.exec(sent)?.[0];
    expect(code, sent).toBeDefined();
    await waitForMessage(hung, (m) => m.text.includes(code!));
    for (const text of ['menu', 'hộp thư phản ánh', code!, 'phản hồi người phản ánh', 'Chào bạn, Đoàn đã liên hệ chủ trọ, mai thợ đến sửa điện.']) await hung.say(text);
    await waitForMessage(lan, (m) => m.text.includes('mai thợ đến sửa điện'));
  });
});
