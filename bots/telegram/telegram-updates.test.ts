import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '../../test/fake-telegram-server.js';
import { toInbound } from './telegram-updates.js';

// The fake's builders make the same update objects Telegram sends; no server is started here.
const fake = new FakeTelegramServer();
const DATE = 1_750_000_000;

describe('toInbound', () => {
  it('maps a private text message with name, language hint, ids and time', () => {
    const u = fake.textUpdate(42, 'Xin chào', { firstName: 'Lan', lastName: 'Nguyễn', languageCode: 'vi', date: DATE });
    expect(toInbound(u)).toStrictEqual({
      channel: 'telegram',
      userId: '42',
      chatId: '42',
      eventId: `tg:${u.update_id}`,
      chatType: 'private',
      displayName: 'Lan Nguyễn',
      languageHint: 'vi',
      text: 'Xin chào',
      at: new Date(DATE * 1000),
    });
  });

  it('keeps /start with its payload as text and sets startPayload', () => {
    expect(toInbound(fake.textUpdate(42, '/start DN-0042'))).toMatchObject({ text: '/start DN-0042', startPayload: 'DN-0042' });
    expect(toInbound(fake.textUpdate(42, '/start@fake_dong_hanh_bot abc'))).toMatchObject({ startPayload: 'abc' });
    const bare = toInbound(fake.textUpdate(42, '/start'));
    expect(bare?.text).toBe('/start');
    expect(bare).not.toHaveProperty('startPayload');
    expect(toInbound(fake.textUpdate(42, '/starting now'))).not.toHaveProperty('startPayload');
  });

  it('maps media kinds, with a caption as text', () => {
    expect(toInbound(fake.photoUpdate(42))).toMatchObject({ media: 'photo', photoRef: 'AgAC-photo' });
    expect(toInbound(fake.stickerUpdate(42))).not.toHaveProperty('photoRef');
    expect(toInbound(fake.photoUpdate(42))).not.toHaveProperty('text');
    expect(toInbound(fake.photoUpdate(42, 'ảnh máy'))).toMatchObject({ media: 'photo', text: 'ảnh máy' });
    expect(toInbound(fake.stickerUpdate(42))).toMatchObject({ media: 'sticker' });
    const withContent = (content: Record<string, unknown>): Update => {
      const u = fake.textUpdate(42, 'x');
      const { text: _text, ...message } = u.message!;
      return { update_id: u.update_id, message: { ...message, ...content } } as Update;
    };
    const file = { file_id: 'f', file_unique_id: 'u' };
    expect(toInbound(withContent({ voice: { ...file, duration: 3 } }))?.media).toBe('voice');
    expect(toInbound(withContent({ document: file }))?.media).toBe('document');
    expect(toInbound(withContent({ video: { ...file, width: 1, height: 1, duration: 1 } }))?.media).toBe('video');
    expect(toInbound(withContent({ location: { latitude: 21, longitude: 105.8 } }))?.media).toBe('location');
    // Animations also carry `document`; they are not documents the person sent.
    expect(toInbound(withContent({ animation: file, document: file }))?.media).toBe('other');
    expect(toInbound(withContent({ contact: { phone_number: '0', first_name: 'A' } }))?.media).toBe('other');
    // Service messages (someone joined a group) are not something a person said.
    expect(toInbound(withContent({ new_chat_members: [{ id: 1, is_bot: false, first_name: 'A' }] }))).toBeUndefined();
  });

  it('maps group messages to chatType group with the group as chat', () => {
    expect(toInbound(fake.groupTextUpdate(-100123, 42, 'hello'))).toMatchObject({ chatType: 'group', chatId: '-100123', userId: '42' });
  });

  it('maps a button tap to choiceId, or the #n form to a typed number, stamped with the time it arrived', () => {
    const now = new Date('2025-06-01T08:00:00Z');
    const tap = fake.callbackUpdate(42, 'survey', 7);
    expect(toInbound(tap, now)).toStrictEqual({
      channel: 'telegram',
      userId: '42',
      chatId: '42',
      eventId: `tg:${tap.update_id}`,
      chatType: 'private',
      displayName: 'Lan',
      languageHint: 'vi',
      choiceId: 'survey',
      at: now,
    });
    const numbered = toInbound(fake.callbackUpdate(42, '#3'), now);
    expect(numbered).toMatchObject({ text: '3' });
    expect(numbered).not.toHaveProperty('choiceId');
    expect(toInbound(tap, now)).not.toHaveProperty('choiceNonce');
  });

  it('maps a button carrying its question\'s nonce to choiceId and choiceNonce', () => {
    expect(toInbound(fake.callbackUpdate(42, '~Qx7-_a:yes'))).toMatchObject({ choiceId: 'yes', choiceNonce: 'Qx7-_a' });
    const numbered = toInbound(fake.callbackUpdate(42, '~Qx7-_a:#2'));
    expect(numbered).toMatchObject({ text: '2', choiceNonce: 'Qx7-_a' });
    expect(numbered).not.toHaveProperty('choiceId');
  });

  it('ignores updates the engine does not handle', () => {
    const msg = fake.textUpdate(42, 'x').message!;
    expect(toInbound(fake.rawUpdate({ edited_message: { ...msg, edit_date: DATE } } as Omit<Update, 'update_id'>))).toBeUndefined();
    expect(toInbound(fake.rawUpdate({ channel_post: { ...msg, chat: { id: -1001, type: 'channel', title: 'c' } } } as Omit<Update, 'update_id'>))).toBeUndefined();
    expect(
      toInbound(
        fake.rawUpdate({
          my_chat_member: {
            chat: msg.chat,
            from: msg.from,
            date: DATE,
            old_chat_member: { status: 'member', user: fake.botInfo },
            new_chat_member: { status: 'kicked', user: fake.botInfo, until_date: 0 },
          },
        } as Omit<Update, 'update_id'>),
      ),
    ).toBeUndefined();
    // A button under an inline-mode message has no chat to answer in.
    const tap = fake.callbackUpdate(42, 'x');
    const { message: _m, ...inlineQuery } = tap.callback_query!;
    expect(toInbound({ update_id: tap.update_id, callback_query: { ...inlineQuery, inline_message_id: 'im' } })).toBeUndefined();
  });
});
