/**
 * The erasure scan: a worker uses everything on Zalo (an anonymous survey, an anonymous concern
 * with a photo and a cadre's relayed reply), links Telegram, then deletes their data. Afterwards
 * every MongoDB collection and every Redis key under the app's prefix — names and values, BullMQ
 * job data included — is read, and none of what identifies them may be left: platform ids, chat
 * ids, display name, phone number, the concern's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSurvey } from '../core/surveys/definition.js';
import { addMember, assign, fastPolicy, waitForMessage } from './support/concern-fixtures.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';
import type { ConsolePerson } from './support/test-app.js';
import { mongoDump, redisDump } from './support/store-dump.js';

const ZALO_USER = 'zl-erase-8841937';
const TG_USER = 77008841;
const NAME = 'Trần Thị Bích Ngọc';
const PHONE = '0987654321';
const CONCERN_TEXT = `Quản đốc xưởng may giữ lương tháng 10, gọi ${PHONE} không ai nghe`;
const PHOTO = 'https://photo-stal.zadn.vn/erase-scan/bang-luong-thang-10.jpg';

/**
 * Fields kept on purpose after erasure, with the reason. Each entry names a collection and a
 * field; a needle found there is allowed. Keep this list short: docs/privacy.md lists the same.
 */
const KEPT_ON_PURPOSE: { collection: string; field: string; why: string }[] = [];

let p: Platforms;
let cadre: ConsolePerson;

beforeAll(async () => {
  p = await startPlatforms('webhook');
  p.app.services.concerns.policy = fastPolicy();
  cadre = await addMember(p.app, { id: 'm-cadre-scan', roles: ['worker', 'cadre'], chatId: 'c-cadre-scan' });
  await assign(p.app, { memberId: 'm-cadre-scan', unit: 'vsip1', organisation: 'trade_union' });
  await p.app.services.surveys.importDefinition(
    validateSurvey({
      id: 'doi-song',
      title: { vi: 'Đời sống công nhân', en: 'Workers’ lives' },
      opensAt: '2026-11-01T00:00:00+07:00',
      closesAt: '2026-12-31T00:00:00+07:00',
      anonymous: true,
      audience: { roles: ['worker'] },
      questions: [{ id: 'housing', type: 'single', text: { vi: 'Bạn đang ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] }],
    }),
    { actor: 'test', at: p.app.clock.now() },
  );
});
afterAll(async () => p?.close());

const zaloTexts = () => p.zalo.sent.filter((s) => s.chat_id === ZALO_USER && s.method === 'sendMessage').map((s) => s.text ?? '');

/** Sends a Zalo message and waits until the bot has answered it. */
async function zalo(text: string): Promise<string> {
  const before = zaloTexts().length;
  expect(await p.zalo.pushUpdate(p.zalo.textUpdate(ZALO_USER, text, { name: NAME }))).toBe(200);
  await eventually(() => expect(zaloTexts().length).toBeGreaterThan(before));
  await eventually(async () => expect(await p.app.outbox.pending('zalo')).toBe(0));
  return zaloTexts().slice(before).join('\n');
}

async function telegram(text: string): Promise<string> {
  const mine = () => p.telegram.sent.filter((s) => s.chat_id === String(TG_USER)).map((s) => s.text ?? '');
  const before = mine().length;
  expect(await p.telegram.pushUpdate(p.telegram.textUpdate(TG_USER, text, { firstName: 'Ngọc', languageCode: 'vi' }))).toBe(200);
  await eventually(() => expect(mine().length).toBeGreaterThan(before));
  await eventually(async () => expect(await p.app.outbox.pending('telegram')).toBe(0));
  return mine().slice(before).join('\n');
}

/** Whether a found needle sits in a field kept on purpose. */
function keptOnPurpose(where: string, doc: Record<string, unknown>, needle: string): boolean {
  const collection = where.split('/')[0]!;
  return KEPT_ON_PURPOSE.some((k) => k.collection === collection && JSON.stringify(doc[k.field] ?? '').includes(needle));
}

describe('after "delete my data", nothing identifies the person', () => {
  it('leaves none of their ids, chats, name, phone or words in MongoDB or Redis', async () => {
    // Onboarding on Zalo, under their name.
    await zalo('Xin chào');
    for (const text of ['1', '1', 'vsip', '2']) await zalo(text);
    expect(zaloTexts().at(-1)).toContain('Trang chính');

    // The anonymous survey.
    await zalo('khảo sát');
    await zalo('1');
    await zalo('nhà trọ');
    await zalo('gửi');
    expect(await p.app.conn.db!.collection('survey_responses').countDocuments({ surveyId: 'doi-song' })).toBe(1);

    // An anonymous concern with a photo, and a cadre's relayed reply.
    for (const text of ['menu', 'gửi phản ánh', 'gửi phản ánh mới', 'tiền lương', '1', CONCERN_TEXT]) await zalo(text);
    expect(await p.zalo.pushUpdate(p.zalo.imageUpdate(ZALO_USER, { photo: PHOTO }))).toBe(200);
    await eventually(() => expect(zaloTexts().at(-1)).toContain('1/5'));
    await zalo('xong');
    await zalo('ẩn danh');
    const sent = await zalo('gửi đi');
    const code = /PA-[2-9A-Z]{4}/.exec(sent)![0];
    await waitForMessage(cadre, (m) => m.text.includes(code));
    for (const step of ['menu', 'cadre_inbox', code, 'reply', 'Anh đã báo phòng nhân sự, tuần sau trả đủ lương']) await cadre.say(step);
    await eventually(() => expect(zaloTexts().some((t) => t.includes('tuần sau trả đủ lương'))).toBe(true));

    // Telegram linked to the same profile.
    await zalo('menu');
    await zalo('cài đặt');
    const linkText = await zalo('liên kết với ứng dụng khác');
    const linkCode = /(\d{6})/.exec(linkText)?.[1];
    expect(linkCode, linkText).toBeDefined();
    await telegram('xin chào');
    expect(await telegram(`liên kết ${linkCode}`)).toContain('Đã liên kết');

    // Delete my data.
    await zalo('xóa dữ liệu');
    expect(await zalo('1')).toContain('xóa');
    await eventually(async () => expect((await p.app.outbox.pending('zalo')) + (await p.app.outbox.pending('telegram')) + (await p.app.outbox.pending('console'))).toBe(0));

    const needles = [ZALO_USER, String(TG_USER), NAME, 'Bích Ngọc', PHONE, CONCERN_TEXT, 'Quản đốc xưởng may giữ lương', PHOTO];
    const leaks: string[] = [];
    for (const { where, json, doc } of await mongoDump(p.app)) {
      for (const n of needles) if (json.includes(n) && !keptOnPurpose(where, doc, n)) leaks.push(`mongo ${where}: "${n}" in ${json.slice(0, 300)}`);
    }
    for (const { key, value } of await redisDump(p.app)) {
      for (const n of needles) if (key.includes(n) || value.includes(n)) leaks.push(`redis ${key}: "${n}" in ${value.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
    // Kept on purpose: a keyed marker per identity, so an import cannot bring them back without consent.
    for (const id of [`zalo:${ZALO_USER}`, `telegram:${TG_USER}`]) expect(await p.app.models.ErasedIdentity.exists({ _id: p.app.services.keys.marker('erased-identity', id) })).toBeTruthy();

    // And the person is welcome back as a stranger.
    expect(await zalo('xin chào')).toContain('91/2025');
  });
});
