/** "Đăng nhập web" / "web login" in chat: a link for staff, a polite refusal for anyone else. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let thu: ConsolePerson;
let lan: ConsolePerson;

const LINK = /http:\/\/localhost:3000\/web\/login\/([A-Za-z0-9_-]{43})/;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  thu = await addMember(app, { id: 'm-thu', name: 'Thư', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-thu' });
  lan = await addMember(app, { id: 'm-lan', name: 'Lan', roles: ['worker'], orgUnitId: 'ent-hoa-sen', chatId: 'c-lan' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
});
afterAll(async () => app?.close());

describe('web login in chat', () => {
  it('sends a staff member a one-time link, from the menu, in either language, with or without diacritics', async () => {
    await thu.say('menu');
    expect(thu.last.choices?.at(-1)).toEqual({ id: 'web_login', label: 'Đăng nhập web (trang quản trị)' });
    const first = textOf(await thu.say('đăng nhập web'));
    expect(first).toMatch(LINK);
    expect(first).toContain('một lần, trong 10 phút');
    // Back at the menu after the link.
    expect(thu.last.text).toBe(app.services.i18n.for('vi')('menu:title'));
    const second = textOf(await thu.say('Web Login'));
    const third = textOf(await thu.say('dang nhap web'));
    const tokens = [first, second, third].map((t) => LINK.exec(t)?.[1]);
    expect(new Set(tokens).size).toBe(3);
    // Each link signs in once.
    expect((await app.services.webSignIn.redeem(tokens[0]!, app.clock.now()))?.member._id).toBe('m-thu');
    expect(await app.services.webSignIn.redeem(tokens[0]!, app.clock.now())).toBeUndefined();
    expect(await app.models.Audit.countDocuments({ action: 'web.link_issued', actor: 'm-thu', 'details.via': 'chat' })).toBe(3);
  });

  it('works from a list of choices in another area too', async () => {
    await thu.say('menu');
    await thu.say('cài đặt');
    expect(textOf(await thu.say('đăng nhập web'))).toMatch(LINK);
  });

  it('tells anyone else whom the console is for, sends no link, and keeps the entry off their menu', async () => {
    const menu = await lan.say('menu');
    expect(menu.at(-1)!.choices?.map((c) => c.id)).not.toContain('web_login');
    const reply = textOf(await lan.say('đăng nhập web'));
    expect(reply).toContain('chỉ dành cho Tổ thư ký và quản trị viên');
    expect(reply).not.toMatch(/\/web\/login\//);
    expect(await app.models.Audit.countDocuments({ action: 'web.link_issued', target: 'm-lan' })).toBe(0);
  });

  it('stops sending links the moment the role is taken away', async () => {
    await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { roles: ['worker'], grants: [] } });
    const reply = textOf(await thu.say('web login'));
    expect(reply).not.toMatch(LINK);
    expect(reply).toContain('chỉ dành cho Tổ thư ký');
  });
});
