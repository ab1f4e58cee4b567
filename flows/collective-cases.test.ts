/**
 * Collective cases through the chat, on the real Redis and MongoDB-wire server: three workers
 * raise wage concerns about one enterprise → one case, its lead and the secretariat of the zone
 * and the city told; a fourth is offered to join and joins; joining twice is refused kindly; the
 * lead answers every reporter at once (each anonymous reporter gets it, and no document or Redis
 * key puts a reporter next to the case id); another cadre is refused; the lead resolves the whole
 * case; a reporter who deletes their data leaves the case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { mongoDump, redisDump } from '../test/support/store-dump.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let lead: ConsolePerson;
let otherCadre: ConsolePerson;
let zoneStaff: ConsolePerson;
let cityStaff: ConsolePerson;
const workers: { id: string; name: string; chat: string; p?: ConsolePerson; code?: string }[] = [
  { id: 'm-wk-lan-5130', name: 'Trần Thị Lan Anh', chat: '0987001101' },
  { id: 'm-wk-hai-5131', name: 'Phạm Văn Hải Đăng', chat: '0987001102' },
  { id: 'm-wk-mai-5132', name: 'Vũ Thị Tuyết Mai', chat: '0987001103' },
  { id: 'm-wk-son-5133', name: 'Đỗ Minh Sơn Tùng', chat: '0987001104' },
];

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  lead = await addMember(app, { id: 'm-lead-tu', name: 'Anh Tâm Công đoàn', roles: ['worker', 'cadre'], chatId: 'c-lead-tu' });
  otherCadre = await addMember(app, { id: 'm-cadre-st', name: 'Chị Ngọc Sóng Thần', roles: ['worker', 'cadre'], chatId: 'c-cadre-st' });
  zoneStaff = await addMember(app, { id: 'm-staff-zone', name: 'Anh Quang KCN', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-staff-zone' });
  cityStaff = await addMember(app, { id: 'm-staff-city', name: 'Chị Thu Thành Đoàn', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-staff-city', locale: 'en' });
  await assign(app, { memberId: 'm-lead-tu', unit: 'vsip1', organisation: 'trade_union' });
  await assign(app, { memberId: 'm-cadre-st', unit: 'kcn-song-than-2', organisation: 'trade_union' });
  for (const w of workers) w.p = await addMember(app, { id: w.id, name: w.name, orgUnitId: 'ent-hoa-sen', chatId: w.chat });
});
afterAll(async () => app?.close());

/** Raises an anonymous wage concern about the worker's workplace up to the unit step; returns what the bot said after it. */
async function startWageConcern(p: ConsolePerson): Promise<string> {
  for (const text of ['menu', 'concerns', 'new', 'wages']) await p.say(text);
  return textOf(await p.say('workplace'));
}

async function finish(p: ConsolePerson, description: string): Promise<string> {
  await p.say(description);
  await p.say('done');
  await p.say('anonymous');
  return textOf(await p.say('send'));
}

const codeIn = (text: string) => /PA-[2-9A-Z]{4,6}/.exec(text)![0];

describe('collective cases in chat', () => {
  let caseId = '';

  it('groups three wage concerns about one enterprise into one case; the lead and the secretariat of the zone and the city are told', async () => {
    for (const [i, w] of workers.slice(0, 3).entries()) {
      const afterUnit = await startWageConcern(w.p!);
      expect(afterUnit).not.toContain('vụ việc chung');
      w.code = codeIn(await finish(w.p!, `Công ty nợ lương tháng 10 của tổ ${i + 1}, chưa trả đến nay`));
      app.clock.advance(3600_000);
    }
    const cases = await app.services.cases.list(undefined, app.clock.now());
    expect(cases).toHaveLength(1);
    caseId = cases[0]!._id;
    expect(cases[0]).toMatchObject({ orgUnitId: 'ent-hoa-sen', category: 'wages', status: 'open', leadId: 'm-lead-tu', concernCodes: workers.slice(0, 3).map((w) => w.code) });
    const leadNotice = await waitForMessage(lead, (m) => m.text.includes(caseId));
    expect(leadNotice.text).toContain('Anh/chị được giao chủ trì');
    const zone = await waitForMessage(zoneStaff, (m) => m.text.includes(caseId));
    expect(zone.text).toContain('Vụ việc tập thể');
    expect(zone.text).toContain('Anh Tâm Công đoàn');
    expect(zone.text).toContain('anh/chị');
    // The level above, in their own language.
    expect((await waitForMessage(cityStaff, (m) => m.text.includes(caseId))).text).toContain('Collective case');
    for (const w of workers) for (const staff of [zoneStaff, cityStaff, lead]) expect(staff.inbox.map((m) => m.text).join('\n')).not.toContain(w.name);
  });

  it('tells a fourth worker that others raised the same, without naming anyone, and lets them join', async () => {
    const w = workers[3]!;
    const offer = await startWageConcern(w.p!);
    expect(offer).toContain('3 phản ánh khác');
    expect(offer).not.toContain(caseId);
    for (const other of workers.slice(0, 3)) expect(offer).not.toContain(other.code!);
    expect(w.p!.last.choices?.map((c) => c.id)).toEqual(['join', 'separate', 'back']);
    await w.p!.say('join');
    const sent = await finish(w.p!, 'Em cũng chưa được trả lương tháng 10 ạ');
    w.code = codeIn(sent);
    expect(sent).toContain('đã được gộp vào vụ việc chung');
    const c = (await app.services.cases.get(caseId))!;
    expect(c.concernCodes).toEqual(workers.map((x) => x.code));
    expect((await app.services.concerns.get(w.code))!.assigneeId).toBe('m-lead-tu');
    await waitForMessage(lead, (m) => m.text.includes(w.code!) && m.text.includes(caseId));
  });

  it('refuses kindly a worker who joins the case twice', async () => {
    const w = workers[0]!;
    const again = await startWageConcern(w.p!);
    expect(again).toContain('Bạn đã tham gia vụ việc chung này rồi');
    expect(again).toContain(w.code!);
    expect(w.p!.last.choices?.map((c) => c.id)).not.toContain('join');
    expect(textOf(await w.p!.say('join'))).not.toContain('đã được gộp');
    await w.p!.say('menu');
    expect((await app.services.cases.get(caseId))!.concernCodes).toHaveLength(4);
  });

  it('shows the lead the case by codes, and refuses another cadre and odd input', async () => {
    await lead.say('menu');
    const inbox = await lead.say('cadre_inbox');
    expect(lead.last.choices?.[0]?.id).toBe(`case:${caseId}`);
    void inbox;
    const view = textOf(await lead.say(`case:${caseId}`));
    for (const w of workers) {
      expect(view).toContain(w.code!);
      expect(view).not.toContain(w.name);
    }
    await lead.say('back');

    await otherCadre.say('menu');
    await otherCadre.say('cadre_inbox');
    expect(textOf(await otherCadre.say(caseId.toLowerCase()))).toContain('không chủ trì vụ việc');
    expect(textOf(await otherCadre.say('{"$gt": ""}'))).toContain('gõ mã phản ánh');
    const refused = await app.models.Audit.find({ action: 'case.refused', actor: 'm-cadre-st' }).lean();
    expect(refused).toHaveLength(1);
  });

  it('answers every reporter at once through their sealed relays; no store puts a reporter next to the case id', async () => {
    await lead.say('menu');
    await lead.say('cadre_inbox');
    await lead.say(`case:${caseId}`);
    await lead.say('reply_all');
    expect(textOf(await lead.say('ngắn'))).toContain('ít nhất');
    const done = textOf(await lead.say('Công đoàn đã làm việc với công ty, lương tháng 10 sẽ trả trước ngày 5'));
    expect(done).toContain('4 phản ánh');
    for (const w of workers) await waitForMessage(w.p!, (m) => m.text.includes('trả trước ngày 5') && m.text.includes(w.code!));
    await new Promise((r) => setTimeout(r, 300));

    const links: string[] = [];
    for (const { where, json } of await mongoDump(app)) {
      if (where.startsWith('concern_reporters/') || !json.includes(caseId)) continue;
      for (const w of workers) for (const n of [w.id, w.chat, w.name]) if (json.includes(n)) links.push(`mongo ${where}: "${caseId}" with "${n}"`);
    }
    for (const { key, value } of await redisDump(app)) {
      const both = `${key} ${value}`;
      if (both.includes(caseId)) for (const w of workers) for (const n of [w.id, w.chat, w.name]) if (both.includes(n)) links.push(`redis ${key}: "${caseId}" with "${n}"`);
    }
    expect(links).toEqual([]);
  });

  it('resolves the whole case: every concern resolved, each reporter told', async () => {
    await lead.say('menu');
    await lead.say('cadre_inbox');
    await lead.say(`case:${caseId}`);
    await lead.say('resolve_all');
    expect(textOf(await lead.say('Công ty đã trả đủ lương tháng 10 cho toàn bộ công nhân'))).toContain('4 phản ánh được đóng lại');
    for (const w of workers) {
      expect((await app.services.concerns.get(w.code!))!.status).toBe('resolved');
      await waitForMessage(w.p!, (m) => m.text.includes('trả đủ lương') && m.text.includes(w.code!));
    }
    expect((await app.services.cases.get(caseId))!.status).toBe('resolved');
    // Nothing more can be sent in a resolved case.
    await expect(app.services.cases.leadAction('m-lead-tu', caseId, { kind: 'reply', text: 'Thêm một lời nhắn nữa' }, app.clock.now(), 'again')).rejects.toThrow(/already resolved/);
  });

  it('takes the concern of a reporter who deletes their data out of the case', async () => {
    const w = workers[1]!;
    await app.services.erasure.eraseAndNotify(w.id, { eventId: 'erase-1', at: app.clock.now() });
    const c = (await app.services.cases.get(caseId))!;
    expect(c.concernCodes).not.toContain(w.code);
    expect(c.concernCodes).toHaveLength(3);
    expect(JSON.stringify(c)).not.toContain(w.code!);
  });
});
