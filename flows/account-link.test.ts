import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsolePerson, onboardedPerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';
import { insertSampleUnits } from '../test/support/sample-units.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
});
afterAll(async () => app?.close());

const onboarded = (name: string) => onboardedPerson(app, name);

async function linkCode(p: ConsolePerson): Promise<string> {
  await p.say('cai dat');
  const r = await p.say('lien ket voi ung dung khac');
  const code = /(\d{6})/.exec(r[0]!.text)?.[1];
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

describe('one person, two apps', () => {
  it('a code shown on one app and typed on the other links both to one profile', async () => {
    const onZalo = await onboarded('lan-zalo');
    const code = await linkCode(onZalo);
    const member = (await app.models.ChannelIdentity.findById('console:lan-zalo').lean())!.memberId;

    const onTelegram = new ConsolePerson(app, 'lan-telegram');
    await onTelegram.say('hi');
    const r = await onTelegram.say(`liên kết ${code}`);
    expect(r[0]!.text).toContain('Đã liên kết');
    expect(onTelegram.last.choices?.map((c) => c.id)).toEqual(['materials', 'surveys', 'concerns', 'settings', 'meetings', 'checkin']);
    expect((await app.models.ChannelIdentity.findById('console:lan-telegram').lean())?.memberId).toBe(member);
    expect(await app.models.Audit.countDocuments({ action: 'identity.linked', target: member })).toBe(1);
    // Settings on the second app show the profile made on the first.
    await onTelegram.say('cai dat');
    expect(onTelegram.last.text).toContain('Hoa Sen');
  });

  it('a wrong, reused or guessed code is refused with a clear answer', async () => {
    const owner = await onboarded('minh-zalo');
    const code = await linkCode(owner);
    const other = new ConsolePerson(app, 'minh-telegram');
    await other.say('hi');
    const wrong = code === '000000' ? '000001' : '000000';
    expect(textOf(await other.say(`link ${wrong}`))).toContain('không đúng hoặc đã hết hạn');
    await other.say(`link ${code}`);
    const stranger = new ConsolePerson(app, 'stranger');
    await stranger.say('hi');
    expect(textOf(await stranger.say(`link ${code}`))).toContain('không đúng hoặc đã hết hạn');
    for (let i = 0; i < 4; i++) await stranger.say(`link 99999${i}`);
    expect(textOf(await stranger.say(`link ${await app.services.links.createCode('nobody')}`))).toContain('quá nhiều mã');
    expect((await app.models.ChannelIdentity.findById('console:stranger').lean())?.memberId).toBeUndefined();
  });

  it('a separate profile replaced by linking is erased like "delete my data": its concerns forgotten, its answers gone', async () => {
    const main = await onboarded('ha-main');
    const code = await linkCode(main);
    const other = await onboarded('ha-other');
    const oldId = (await app.models.ChannelIdentity.findById('console:ha-other').lean())!.memberId!;
    const { concern } = await app.services.concerns.submit({ memberId: oldId, category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Công ty nợ lương tháng 9 của tổ may', photos: 0, anonymous: true, intakeKey: 'link-replaced-1', at: app.clock.now() });
    await app.services.materials.setSubscribed(oldId, 'health', false, app.clock.now());
    expect(await app.services.materials.topicsOff(oldId)).toEqual(['health']);

    expect(textOf(await other.say(`liên kết ${code}`))).toContain('Đã liên kết');
    expect(await app.services.concerns.mine(oldId)).toEqual([]);
    expect((await app.services.concerns.get(concern._id))).toMatchObject({ status: 'withdrawn', description: '' });
    expect(await app.models.Member.findById(oldId).lean()).toMatchObject({ status: 'erased' });
    expect(await app.services.materials.topicsOff(oldId)).toEqual([]);
    // The identity that linked now belongs to the main profile and was not erased with the old one.
    expect((await app.models.ChannelIdentity.findById('console:ha-other').lean())?.memberId).toBe((await app.models.ChannelIdentity.findById('console:ha-main').lean())!.memberId);
  });

  it('"liên kết" without a code explains how linking works', async () => {
    const p = new ConsolePerson(app, 'curious');
    await p.say('hi');
    expect(textOf(await p.say('lien ket'))).toContain('Cài đặt');
  });
});
