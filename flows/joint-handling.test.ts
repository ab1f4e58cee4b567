/**
 * Joint handling between organisations, through the chat: the lead invites a cadre of another
 * organisation, who is told, sees the timeline (never the reporter), adds a note and a reply that
 * reaches the anonymous reporter through the sealed relay; nobody but the lead may invite; a
 * category's default assisting organisation is invited at routing; every addition is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
let lead: ConsolePerson;
let helper: ConsolePerson;
let womens: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  lead = await addMember(app, { id: 'jh-lead', name: 'Anh Lực', roles: ['cadre'] });
  helper = await addMember(app, { id: 'jh-yu', name: 'Chị Yến', roles: ['cadre'] });
  womens = await addMember(app, { id: 'jh-wu', name: 'Chị Vân', roles: ['cadre'] });
  await addMember(app, { id: 'jh-tu-pt', name: 'Anh Phúc', roles: ['cadre'] });
  await assign(app, { memberId: 'jh-lead', unit: 'ent-hoa-sen', organisation: 'trade_union' });
  await assign(app, { memberId: 'jh-yu', unit: 'vsip1', organisation: 'youth_union' });
  await assign(app, { memberId: 'jh-wu', unit: 'vsip1', organisation: 'womens_union' });
  await assign(app, { memberId: 'jh-tu-pt', unit: 'ent-phuc-thinh', organisation: 'trade_union' });
});
afterAll(async () => app?.close());

async function openItem(p: ConsolePerson, code: string): Promise<string> {
  await p.say('menu');
  await p.say('cadre_inbox');
  return textOf(await p.say(code));
}

describe('joint handling between organisations', () => {
  it('the lead invites another organisation; the assistant is told, notes and replies, never sees the reporter', async () => {
    const worker = await addMember(app, { id: 'jh-w1', name: 'Nguyễn Thị Hoa', orgUnitId: 'ent-hoa-sen' });
    const { concern } = await app.services.concerns.submit({ memberId: 'jh-w1', category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Công ty trừ lương vô lý tháng này', photos: 0, anonymous: true, intakeKey: 'jh-1', at: app.clock.now() });
    const code = concern._id;
    expect(concern.assigneeId).toBe('jh-lead');
    expect(concern.assistantIds ?? []).toEqual([]);

    await openItem(lead, code);
    const list = (await lead.say('invite')).flatMap((m) => m.choices ?? []).map((c) => c.label).join('\n');
    expect(list).toContain('Chị Yến · Đoàn Thanh niên');
    expect(list).toContain('Chị Vân · Hội LHPN');
    expect(list).not.toContain('Anh Phúc'); // the lead's own organisation, and off the chain
    expect(textOf(await lead.say('jh-yu'))).toContain('Đã mời cán bộ cùng xử lý');
    await waitForMessage(helper, (m) => m.text.includes(code) && m.text.includes('được mời cùng xử lý') && m.text.includes('trừ lương'));

    // The assistant finds it in the inbox, marked, and opens it as the lead sees it, minus the reporter.
    await helper.say('menu');
    const inbox = (await helper.say('cadre_inbox')).flatMap((m) => m.choices ?? []).map((c) => c.label).join('\n');
    expect(inbox).toContain(`🤝 ${code} (cùng xử lý)`);
    const view = textOf(await helper.say(code));
    expect(view).toContain('Mời Chị Yến cùng xử lý');
    expect(view).toContain('không hiển thị với cán bộ cùng xử lý');
    await helper.say('note');
    expect(textOf(await helper.say('Đã liên hệ Đoàn cơ sở công ty'))).toContain('Đã lưu ghi chú');
    await helper.say('reply');
    expect(textOf(await helper.say('Đoàn Thanh niên sẽ cùng Công đoàn làm việc với công ty'))).toContain('Đã chuyển phản hồi');

    // The anonymous reporter gets the reply through the sealed relay; the lead is told of both additions.
    await waitForMessage(worker, (m) => m.text.includes('Đoàn Thanh niên sẽ cùng Công đoàn làm việc với công ty'));
    await waitForMessage(lead, (m) => m.text.includes('Chị Yến (cùng xử lý) ghi chú') && m.text.includes(code));
    await waitForMessage(lead, (m) => m.text.includes('Chị Yến (cùng xử lý) đã phản hồi'));

    const after = (await app.services.concerns.get(code))!;
    expect(after.assigneeId).toBe('jh-lead');
    expect(after.assistantIds).toEqual(['jh-yu']);
    expect(after.status).toBe('replied');
    // The assistant's reply is the concern's first response; the lead stays the assignee for resolution.
    expect(after.respondedAt).toBeDefined();
    expect(after.events.filter((e) => e.actor === 'jh-yu').map((e) => [e.kind, e.assisting])).toEqual([
      ['note', true],
      ['replied', true],
    ]);
    expect(after.events.find((e) => e.kind === 'assist_invited')).toMatchObject({ actor: 'jh-lead', assistantId: 'jh-yu' });
    const audit = await app.models.Audit.find({ target: code }).lean();
    expect(audit.filter((a) => a.action.startsWith('concern.assist.')).map((a) => [a.action, a.actor])).toEqual([
      ['concern.assist.invited', 'jh-lead'],
      ['concern.assist.note', 'jh-yu'],
      ['concern.assist.reply', 'jh-yu'],
    ]);
    expect(await openItem(lead, code)).toContain('Chị Yến (cùng xử lý) phản hồi');

    // Nothing the assistant was ever sent names the reporter.
    expect(helper.inbox.map((m) => m.text).join('\n')).not.toContain('Nguyễn Thị Hoa');
  });

  it('a named reporter stays hidden from the assistant, shown to the lead', async () => {
    await addMember(app, { id: 'jh-w2', name: 'Trần Văn Bình', orgUnitId: 'ent-hoa-sen' });
    const { concern } = await app.services.concerns.submit({ memberId: 'jh-w2', category: 'overtime', orgUnitId: 'ent-hoa-sen', description: 'Bắt tăng ca quá giờ cả tháng', photos: 0, anonymous: false, intakeKey: 'jh-2', at: app.clock.now() });
    await app.services.concerns.act('jh-lead', concern._id, { kind: 'invite', to: 'jh-wu' }, app.clock.now(), 'jh-2-invite');
    expect(await openItem(lead, concern._id)).toContain('Trần Văn Bình');
    const seen = await openItem(womens, concern._id);
    expect(seen).toContain('Bắt tăng ca');
    expect(seen).not.toContain('Trần Văn Bình');
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed', actor: 'jh-wu' })).toBe(0);
  });

  it('nobody but the lead may invite, and the assistant may only note and reply (refused and audited)', async () => {
    await addMember(app, { id: 'jh-w3', orgUnitId: 'ent-hoa-sen' });
    const { concern } = await app.services.concerns.submit({ memberId: 'jh-w3', category: 'insurance', orgUnitId: 'ent-hoa-sen', description: 'Công ty không đóng bảo hiểm xã hội', photos: 0, anonymous: true, intakeKey: 'jh-3', at: app.clock.now() });
    const code = concern._id;
    const s = app.services.concerns;
    // Another cadre, not on it at all.
    await expect(s.act('jh-wu', code, { kind: 'invite', to: 'jh-yu' }, app.clock.now(), 'jh-3-a')).rejects.toThrow();
    expect(await s.assistTargets('jh-wu', code, app.clock.now())).toEqual([]);
    await s.act('jh-lead', code, { kind: 'invite', to: 'jh-yu' }, app.clock.now(), 'jh-3-b');
    // The assistant may not invite further, resolve or transfer.
    await expect(s.act('jh-yu', code, { kind: 'invite', to: 'jh-wu' }, app.clock.now(), 'jh-3-c')).rejects.toThrow();
    await expect(s.act('jh-yu', code, { kind: 'resolve', summary: 'Đã xử lý xong việc này' }, app.clock.now(), 'jh-3-d')).rejects.toThrow();
    // Inviting someone of the lead's own organisation, or twice, is refused.
    await expect(s.act('jh-lead', code, { kind: 'invite', to: 'jh-tu-pt' }, app.clock.now(), 'jh-3-e')).rejects.toThrow();
    await expect(s.act('jh-lead', code, { kind: 'invite', to: 'jh-yu' }, app.clock.now(), 'jh-3-f')).rejects.toThrow();
    const refused = await app.models.Audit.find({ action: 'concern.refused', target: code }).lean();
    expect(refused.map((a) => a.actor).sort()).toEqual(['jh-wu', 'jh-yu', 'jh-yu']);
    expect((await s.get(code))!.assistantIds).toEqual(['jh-yu']);
    // In chat the non-lead gets no invite choice: the item of a concern they do not assist on is refused.
    expect(await openItem(womens, code)).toContain('không được giao cho anh/chị');
  });

  it('a category’s default assisting organisation is invited at routing (harassment: the Women’s Union when a trade union cadre leads)', async () => {
    await addMember(app, { id: 'jh-w4', orgUnitId: 'ent-phuc-thinh' });
    const { concern, notices } = await app.services.concerns.submit({ memberId: 'jh-w4', category: 'harassment', orgUnitId: 'ent-phuc-thinh', description: 'Tổ trưởng có lời nói quấy rối nữ công nhân', photos: 0, anonymous: true, intakeKey: 'jh-4', at: app.clock.now() });
    expect(concern.assigneeId).toBe('jh-tu-pt');
    expect(concern.assistantIds).toEqual(['jh-wu']);
    expect(concern.events.find((e) => e.kind === 'assist_invited')).toMatchObject({ actor: 'system', assistantId: 'jh-wu' });
    const audit = await app.models.Audit.findOne({ action: 'concern.assist.invited', target: concern._id }).lean();
    expect(audit).toMatchObject({ actor: 'system', details: { assistant: 'jh-wu', lead: 'jh-tu-pt' } });
    // Both are told (the flow delivers what the service returns): the lead of the assignment, the assistant of the invitation.
    expect(notices.map((n) => n.memberId)).toEqual(['jh-tu-pt', 'jh-wu']);
    expect(notices[1]!.message.text).toContain('theo quy định phối hợp');
    expect(notices[1]!.message.text).toContain('quấy rối');
    // Wages have no default: nobody is invited.
    const { concern: wages } = await app.services.concerns.submit({ memberId: 'jh-w4', category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty chậm lương hai tháng', photos: 0, anonymous: true, intakeKey: 'jh-5', at: app.clock.now() });
    expect(wages.assistantIds ?? []).toEqual([]);
  });
});

describe('an assistant who stops being a cadre', () => {
  it('is taken off the concerns they assisted on; their note stays in the history', async () => {
    await addMember(app, { id: 'jh-w6', orgUnitId: 'ent-hoa-sen' });
    const s = app.services.concerns;
    const { concern } = await s.submit({ memberId: 'jh-w6', category: 'contract', orgUnitId: 'ent-hoa-sen', description: 'Công ty không ký hợp đồng lao động', photos: 0, anonymous: true, intakeKey: 'jh-6', at: app.clock.now() });
    await s.act('jh-lead', concern._id, { kind: 'invite', to: 'jh-yu' }, app.clock.now(), 'jh-6-a');
    await s.act('jh-yu', concern._id, { kind: 'note', text: 'Đã hỏi phòng nhân sự' }, app.clock.now(), 'jh-6-b');
    await s.revokeCadreRole('jh-yu', app.clock.now());
    const after = (await s.get(concern._id))!;
    expect(after.assistantIds).toEqual([]);
    expect(after.events.some((e) => e.actor === 'jh-yu' && e.kind === 'note')).toBe(true);
    expect(after.assigneeId).toBe('jh-lead');
  });
});
