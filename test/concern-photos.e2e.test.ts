/**
 * Concern photos across platforms, over real HTTP through the fake Telegram and Zalo servers: a
 * worker raises a concern with a photo in their own chat app, and the cadre gets it in theirs —
 * re-sent by Telegram file_id on Telegram, by URL from Zalo to Telegram, and, where the platform
 * cannot show it (a Telegram file_id on Zalo), a note saying so instead of a silent loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelName } from '../core/engine/types.js';
import { deliverNotices } from '../core/concerns/notices.js';
import { deliveryJobId } from '../workers/delivery-queue.js';
import { assign, fastPolicy } from './support/concern-fixtures.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';

const TG_WORKER = 5551001;
const TG_CADRE = 5551002;
const ZL_WORKER = 'zl-worker-1';
const ZL_CADRE = 'zl-cadre-1';
const ZALO_PHOTO = 'https://photo-stal.zadn.vn/concern/broken-fan.jpg';

let p: Platforms;

async function member(id: string, channel: ChannelName, chatId: string, roles: ('worker' | 'cadre')[]): Promise<void> {
  const at = p.app.clock.now();
  await p.app.models.Member.create({ _id: id, roles, orgUnitId: 'ent-phuc-thinh', locale: 'vi', consent: { version: 'test', givenAt: at, channel }, status: 'active', broadcastsOptOut: false, createdAt: at });
  await p.app.models.ChannelIdentity.create({ _id: `${channel}:${chatId}`, channel, platformUserId: chatId, chatId, memberId: id, createdAt: at });
}

/** Waits until the replies to one event have reached the platform. */
async function delivered(identity: string, eventId: string): Promise<void> {
  await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId(`${identity}:${eventId}`)).lean())?.status).toBe('sent'));
}

async function telegram(update: ReturnType<Platforms['telegram']['textUpdate']>): Promise<void> {
  expect(await p.telegram.pushUpdate(update)).toBe(200);
  await delivered(`telegram:${TG_WORKER}`, `tg:${update.update_id}`);
}

async function zalo(update: ReturnType<Platforms['zalo']['textUpdate']>): Promise<void> {
  expect(await p.zalo.pushUpdate(update)).toBe(200);
  await delivered(`zalo:${ZL_WORKER}`, `zalo:${(update.message as { message_id: string }).message_id}`);
}

/** The reference code in the last message that gave one. */
function lastCode(texts: (string | undefined)[]): string {
  const code = texts.map((t) => /PA-[2-9A-Z]{4}/.exec(t ?? '')?.[0]).filter(Boolean).at(-1);
  expect(code, texts.slice(-6).join('\n---\n')).toBeDefined();
  return code!;
}

/** A Telegram worker raises a concern of `category` with one photo, tapping the buttons. */
async function raiseOnTelegram(category: string, description: string): Promise<string> {
  await telegram(p.telegram.textUpdate(TG_WORKER, 'menu'));
  for (const tap of ['concerns', 'new', category, 'workplace']) await telegram(p.telegram.callbackUpdate(TG_WORKER, tap));
  await telegram(p.telegram.textUpdate(TG_WORKER, description));
  await telegram(p.telegram.photoUpdate(TG_WORKER));
  for (const tap of ['done', 'anonymous', 'send']) await telegram(p.telegram.callbackUpdate(TG_WORKER, tap));
  return lastCode(p.telegram.sent.filter((s) => s.chat_id === String(TG_WORKER)).map((s) => s.text));
}

beforeAll(async () => {
  p = await startPlatforms('webhook');
  p.app.services.concerns.policy = fastPolicy();
  await member('m-tg-worker', 'telegram', String(TG_WORKER), ['worker']);
  await member('m-zl-worker', 'zalo', ZL_WORKER, ['worker']);
  await member('m-tg-cadre', 'telegram', String(TG_CADRE), ['worker', 'cadre']);
  await member('m-zl-cadre', 'zalo', ZL_CADRE, ['worker', 'cadre']);
  await assign(p.app, { memberId: 'm-tg-cadre', unit: 'vsip1', organisation: 'womens_union' });
  await assign(p.app, { memberId: 'm-zl-cadre', unit: 'vsip1', organisation: 'trade_union', categories: ['wages', 'overtime'] });
});
afterAll(async () => p?.close());

describe('photos attached to a concern reach the cadre on their own platform', () => {
  it('re-sends a Telegram photo to a Telegram cadre by its file_id, captioned, after the notice', async () => {
    const code = await raiseOnTelegram('harassment', 'Tổ trưởng chuyền 3 nhiều lần đụng chạm, có ảnh tin nhắn');
    expect((await p.app.services.concerns.get(code))?.photoRefs).toEqual([{ channel: 'telegram', ref: 'AgAC-photo' }]);
    const toCadre = () => p.telegram.sent.filter((s) => s.chat_id === String(TG_CADRE));
    await eventually(() => expect(toCadre().map((s) => s.method)).toEqual(['sendMessage', 'sendPhoto']));
    expect(toCadre()[0]!.text).toContain(code);
    expect(toCadre()[1]).toMatchObject({ photo: 'AgAC-photo', caption: `Ảnh 1/1 · phản ánh ${code}` });
  });

  it('tells a Zalo cadre that a Telegram photo cannot be shown there, instead of dropping it', async () => {
    const code = await raiseOnTelegram('wages', 'Công ty trả lương chậm hai tháng, có ảnh bảng lương');
    const toCadre = () => p.zalo.sent.filter((s) => s.chat_id === ZL_CADRE);
    await eventually(() => expect(toCadre()).toHaveLength(2));
    expect(toCadre().map((s) => s.method)).toEqual(['sendMessage', 'sendMessage']);
    expect(toCadre()[0]!.text).toContain(code);
    expect(toCadre()[1]!.text).toContain('1 ảnh qua Telegram');
    // A Telegram file_id means nothing to Zalo, and Telegram's download URL would carry the bot token.
    expect(JSON.stringify(toCadre())).not.toContain('AgAC-photo');
    expect(JSON.stringify(p.zalo.sent)).not.toContain(p.telegram.token);
  });

  it('a photo the platform refuses fails alone: the notice and the other photos still arrive', async () => {
    const photos = {
      refs: [
        { channel: 'telegram' as const, ref: 'BAD-expired-file' },
        { channel: 'telegram' as const, ref: 'AgAC-still-good' },
      ],
      captions: ['Ảnh 1/2 · phản ánh PA-BADP', 'Ảnh 2/2 · phản ánh PA-BADP'],
      unavailable: (n: number) => `${n} ảnh không xem được`,
    };
    await deliverNotices(p.app.services.contacts, p.app.outbox, [{ memberId: 'm-tg-cadre', key: 'bad-photo-notice', message: { text: 'Phản ánh mới PA-BADP' }, photos }]);
    await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId('bad-photo-notice:m2')).lean())?.status).toBe('sent'));
    const toCadre = p.telegram.sent.filter((s) => s.chat_id === String(TG_CADRE) && (s.text?.includes('PA-BADP') || s.caption?.includes('PA-BADP')));
    expect(toCadre.map((s) => [s.method, s.photo])).toEqual([
      ['sendMessage', undefined],
      ['sendPhoto', 'AgAC-still-good'],
    ]);
    expect((await p.app.models.Delivery.findById(deliveryJobId('bad-photo-notice:m1')).lean())?.status).toBe('failed');
  });

  it('passes a Zalo photo to a Telegram cadre by its URL, typed choices and all', async () => {
    const before = p.telegram.sent.filter((s) => s.chat_id === String(TG_CADRE)).length;
    for (const text of ['menu', 'gửi phản ánh', 'gửi phản ánh mới', 'quấy rối tình dục', '1', 'Quản lý ca đêm nhắn tin gạ gẫm, ảnh chụp màn hình đây']) {
      await zalo(p.zalo.textUpdate(ZL_WORKER, text));
    }
    await zalo(p.zalo.imageUpdate(ZL_WORKER, { photo: ZALO_PHOTO }));
    for (const text of ['xong', 'ẩn danh', 'gửi đi']) await zalo(p.zalo.textUpdate(ZL_WORKER, text));
    const code = lastCode(p.zalo.sent.filter((s) => s.chat_id === ZL_WORKER).map((s) => s.text));
    const toCadre = () => p.telegram.sent.filter((s) => s.chat_id === String(TG_CADRE)).slice(before);
    await eventually(() => expect(toCadre().map((s) => s.method)).toEqual(['sendMessage', 'sendPhoto']));
    expect(toCadre()[1]).toMatchObject({ photo: ZALO_PHOTO, caption: `Ảnh 1/1 · phản ánh ${code}` });
  });
});
