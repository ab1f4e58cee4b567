import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsolePerson, startTestApp, textOf, type TestApp } from '../test/support/test-app.js';
import { insertSampleUnits } from '../test/support/sample-units.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
});
afterAll(async () => app?.close());

describe('onboarding in the console', () => {
  it('greets, asks consent, language and workplace, then shows the main menu', async () => {
    const lan = new ConsolePerson(app, 'lan', { displayName: 'Lan' });
    const hello = await lan.say('xin chào');
    expect(textOf(hello)).toContain('Đồng Hành');
    expect(textOf(hello)).toContain('91/2025');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['agree', 'decline', 'details']);
    // Nothing beyond the platform id exists before consent.
    expect(await app.models.Member.countDocuments({})).toBe(0);
    expect(await app.models.ChannelIdentity.findById('console:lan').lean()).toMatchObject({ _id: 'console:lan', platformUserId: 'lan', chatId: 'lan' });
    expect((await app.models.ChannelIdentity.findById('console:lan').lean())?.memberId).toBeUndefined();

    const afterConsent = await lan.say('dong y');
    expect(textOf(afterConsent)).toContain('Cảm ơn');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['vi', 'en']);
    const member = await app.models.Member.findOne({}).lean();
    expect(member).toMatchObject({ status: 'active', roles: ['worker'], displayName: 'Lan', consent: { version: expect.any(String), channel: 'console' } });

    const askWorkplace = await lan.say('1');
    expect(textOf(askWorkplace)).toContain('vsip');
    const matches = await lan.say('vsip');
    expect(matches).toHaveLength(1);
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['ent-hoa-sen', 'ent-phuc-thinh', 'search_again']);
    expect(lan.last.choices?.[1]?.label).toBe('Công ty TNHH Giày da Phúc Thịnh · KCN VSIP I');

    const done = await lan.say('phuc thinh');
    expect(textOf(done)).toContain('Công ty TNHH Giày da Phúc Thịnh');
    expect(lan.last.choices?.map((c) => c.id)).toEqual(['materials', 'surveys', 'concerns', 'settings', 'meetings', 'checkin']);
    expect(await app.models.Member.findById(member!._id).lean()).toMatchObject({ orgUnitId: 'ent-phuc-thinh', locale: 'vi' });
  });

  it('respects a refusal and stores nothing', async () => {
    const minh = new ConsolePerson(app, 'minh');
    await minh.say('hi');
    const refusal = await minh.say('Không đồng ý');
    expect(textOf(refusal)).toContain('tôn trọng');
    expect(await app.models.ChannelIdentity.findById('console:minh').lean()).not.toHaveProperty('memberId');
    expect(await app.models.Member.countDocuments({ displayName: 'minh' })).toBe(0);
    // Writing again shows the greeting again, nothing more.
    const again = await minh.say('alo');
    expect(minh.last.choices?.map((c) => c.id)).toEqual(['agree', 'decline', 'details']);
    expect(textOf(again)).toContain('Đồng Hành');
  });

  it('speaks English when chosen and finds "song than" typed without diacritics', async () => {
    const tom = new ConsolePerson(app, 'tom');
    await tom.say('hello');
    await tom.say('1');
    await tom.say('English');
    expect(tom.last.text).toContain('Which company');
    await tom.say('song than');
    expect(tom.last.choices?.[0]).toEqual({ id: 'ent-det-song-than', label: 'Công ty TNHH Dệt Sóng Thần · KCN Sóng Thần 2' });
    await tom.say('1');
    expect(tom.last.text).toContain('Main menu');
  });

  it('answers a number beyond the list of workplaces with the range and shows the list again', async () => {
    const kim = new ConsolePerson(app, 'kim');
    for (const text of ['chào', '1', '1']) await kim.say(text);
    await kim.say('vsip');
    const list = kim.last.choices?.map((c) => c.id);
    expect(list).toEqual(['ent-hoa-sen', 'ent-phuc-thinh', 'search_again']);
    const r = await kim.say('5');
    expect(textOf(r)).toContain('chỉ có 3 lựa chọn');
    expect(textOf(r)).not.toContain('tìm thấy nơi nào khớp');
    expect(kim.last.choices?.map((c) => c.id)).toEqual(list);
    // Words are still a new search.
    await kim.say('song than');
    expect(kim.last.choices?.[0]?.id).toBe('ent-det-song-than');
  });

  it('"quay lại" at the workplace question goes back to the language choice', async () => {
    const vu = new ConsolePerson(app, 'vu');
    for (const text of ['chào', '1', '1']) await vu.say(text);
    expect(vu.last.text).toContain('công ty nào');
    await vu.say('quay lại');
    expect(vu.last.choices?.map((c) => c.id)).toEqual(['vi', 'en']);
    await vu.say('English');
    expect(vu.last.text).toContain('Which company');
  });

  it('says at the consent screen, in both languages, that "language" works there; a language chosen there is not asked again', async () => {
    const sam = new ConsolePerson(app, 'sam', { displayName: 'Sam' });
    const hello = await sam.say('xin chào');
    expect(sam.last.text).toContain('English: type "language"');
    expect(textOf(hello)).toContain('Bạn có đồng ý không?');
    await sam.say('language');
    const switched = await sam.say('English');
    expect(textOf(switched)).toContain('Switched to English.');
    expect(sam.last.text).toContain('Tiếng Việt: gõ "ngôn ngữ"');
    const agreed = await sam.say('I agree');
    expect(textOf(agreed)).toContain('Thank you for your trust');
    expect(textOf(agreed)).not.toContain('Which language');
    expect(sam.last.text).toContain('Which company');
    expect(await app.models.Member.findOne({ displayName: 'Sam' }).lean()).toMatchObject({ locale: 'en' });
    // The language can still be changed on the way: "back" asks it.
    await sam.say('back');
    expect(sam.last.choices?.map((c) => c.id)).toEqual(['vi', 'en']);
    await sam.say('Tiếng Việt');
    expect(sam.last.text).toContain('công ty nào');
  });

  it('pre-fills the workplace from a poster deep link', async () => {
    const hoa = new ConsolePerson(app, 'hoa');
    await hoa.say('/start ent-hoa-sen');
    await hoa.say('1');
    const q = await hoa.say('1');
    expect(textOf(q)).toContain('Công ty CP May mặc Hoa Sen');
    await hoa.say('dung roi');
    expect(hoa.last.text).toContain('Trang chính');
    const member = await app.models.Member.findOne({ displayName: undefined, orgUnitId: 'ent-hoa-sen' }).lean();
    expect(member?.orgUnitId).toBe('ent-hoa-sen');
  });
});
