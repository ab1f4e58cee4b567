/**
 * Joint handling on the web console: a concern's timeline names who the lead invited and marks
 * the assisting cadre's note and reply, and never shows the anonymous reporter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { startWebServer, WebClient } from './web-test-client.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'jh-lead', name: 'Anh Lực', roles: ['cadre'] });
  await addMember(app, { id: 'jh-wu', name: 'Chị Vân', roles: ['cadre'] });
  await assign(app, { memberId: 'jh-lead', unit: 'ent-hoa-sen', organisation: 'trade_union' });
  await assign(app, { memberId: 'jh-wu', unit: 'vsip1', organisation: 'womens_union' });
});
afterAll(async () => app?.close());

describe('the web console timeline', () => {
  it('names who was invited and marks the assistant’s note and reply, never the reporter', async () => {
    await addMember(app, { id: 'jh-sec', name: 'Chị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
    await app.models.Member.updateOne({ _id: 'jh-sec' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
    await addMember(app, { id: 'jh-w7', name: 'Hoàng Thị Mơ', orgUnitId: 'ent-hoa-sen' });
    const s = app.services.concerns;
    const { concern } = await s.submit({ memberId: 'jh-w7', category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Công ty giữ lương thử việc', photos: 0, anonymous: true, intakeKey: 'jh-7', at: app.clock.now() });
    await s.act('jh-lead', concern._id, { kind: 'invite', to: 'jh-wu' }, app.clock.now(), 'jh-7-a');
    await s.act('jh-wu', concern._id, { kind: 'note', text: 'Hội LHPN nắm thêm thông tin' }, app.clock.now(), 'jh-7-b');
    await s.act('jh-wu', concern._id, { kind: 'reply', text: 'Hội LHPN sẽ cùng làm việc với công ty' }, app.clock.now(), 'jh-7-c');
    const { server, base } = await startWebServer(app);
    try {
      const c = new WebClient(base);
      const url = (await app.services.webSignIn.issueLink((await app.services.members.get('jh-sec'))!, { at: app.clock.now(), via: 'chat' })).url;
      expect((await c.signInWith(url)).status).toBe(303);
      const { status, text } = await c.get(`/web/concerns/${concern._id}`);
      expect(status).toBe(200);
      expect(text).toContain('Anh Lực mời Chị Vân cùng xử lý');
      expect(text).toContain('Chị Vân (cùng xử lý) ghi chú');
      expect(text).toContain('Chị Vân (cùng xử lý) phản hồi người phản ánh');
      expect(text).not.toContain('Hoàng Thị Mơ');
    } finally {
      await server.close();
    }
  });
});
