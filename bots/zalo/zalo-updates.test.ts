import { describe, expect, it } from 'vitest';
import { parseZaloUpdates, toInbound, type ZaloUpdate } from './zalo-updates.js';

const DATE = 1750316131602;

function raw(eventName: string, message: Record<string, unknown> = {}) {
  return {
    event_name: eventName,
    message: {
      from: { id: '6ede9afa66b88fe6d6a9', display_name: 'Lan', is_bot: false },
      chat: { id: '6ede9afa66b88fe6d6a9', chat_type: 'PRIVATE' },
      message_id: '2d758cb5e222177a4e35',
      date: DATE,
      ...message,
    },
  };
}

const inbound = (body: unknown) => parseZaloUpdates(body).map((u) => toInbound(u));

describe('parseZaloUpdates', () => {
  const text = raw('message.text.received', { text: 'Xin chào' });

  it('reads the envelope {ok, result: update}', () => expect(parseZaloUpdates({ ok: true, result: text })).toHaveLength(1));
  it('reads the bare {event_name, message}', () => expect(parseZaloUpdates(text)).toHaveLength(1));
  it('reads result as an array, keeping order', () => {
    const second = raw('message.text.received', { text: 'hai', message_id: 'b2' });
    const updates = parseZaloUpdates({ ok: true, result: [text, second] });
    expect(updates.map((u) => u.message.text)).toEqual(['Xin chào', 'hai']);
  });
  it('reads a bare array of updates', () => expect(parseZaloUpdates([text, text])).toHaveLength(2));
  it('ignores an {ok:false} answer and an empty result', () => {
    expect(parseZaloUpdates({ ok: false, error_code: 408, description: 'Request timeout' })).toEqual([]);
    expect(parseZaloUpdates({ ok: true, result: null })).toEqual([]);
    expect(parseZaloUpdates({ ok: true, result: [] })).toEqual([]);
    expect(parseZaloUpdates({ ok: true, result: {} })).toEqual([]);
  });

  it.each(['display_name', 'first_name', 'name'])('takes the sender name from %s', (field) => {
    const body = raw('message.text.received', { text: 'a', from: { id: 'u1', [field]: 'Nguyễn Thị Lan' } });
    expect(parseZaloUpdates(body)[0]?.message.from.display_name).toBe('Nguyễn Thị Lan');
    expect(inbound(body)[0]?.displayName).toBe('Nguyễn Thị Lan');
  });

  it('accepts numeric ids and dates given as strings', () => {
    const u = parseZaloUpdates(raw('message.text.received', { text: 'a', from: { id: 123 }, chat: { id: 123 }, date: String(DATE) }))[0];
    expect(u?.message.from.id).toBe('123');
    expect(u?.message.date).toBe(DATE);
  });

  it.each<[string, unknown]>([
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object without event_name', { message: {} }],
    ['an empty event_name', { event_name: '', message: raw('x').message }],
    ['a missing message', { event_name: 'message.text.received' }],
    ['a message that is a string', { event_name: 'message.text.received', message: 'hi' }],
    ['a missing from', raw('message.text.received', { text: 'a', from: undefined })],
    ['a missing from.id', raw('message.text.received', { text: 'a', from: { display_name: 'Lan' } })],
    ['an object as from.id', raw('message.text.received', { text: 'a', from: { id: { $ne: null } } })],
    ['a missing chat', raw('message.text.received', { text: 'a', chat: undefined })],
    ['an empty chat.id', raw('message.text.received', { text: 'a', chat: { id: '' } })],
    ['a fractional id', raw('message.text.received', { text: 'a', chat: { id: 1.5 } })],
    ['an object as message_id', raw('message.text.received', { text: 'a', message_id: { $gt: '' } })],
    ['an object as text', raw('message.text.received', { text: { $gt: '' } })],
    ['a text event without text', raw('message.text.received')],
    ['deeply nested results', { ok: true, result: { ok: true, result: { ok: true, result: [raw('message.text.received', { text: 'a' })] } } }],
  ])('drops %s without throwing', (_label, body) => {
    expect(() => parseZaloUpdates(body)).not.toThrow();
    expect(parseZaloUpdates(body)).toEqual([]);
  });

  it('keeps a good update next to a malformed one', () => {
    expect(parseZaloUpdates({ ok: true, result: [null, 'x', raw('message.text.received', { text: 'ok' })] })).toHaveLength(1);
  });
});

describe('toInbound', () => {
  it('maps a private text event exactly', () => {
    expect(inbound({ ok: true, result: raw('message.text.received', { text: 'Xin chào' }) })).toEqual([
      {
        channel: 'zalo',
        userId: '6ede9afa66b88fe6d6a9',
        chatId: '6ede9afa66b88fe6d6a9',
        eventId: 'zalo:2d758cb5e222177a4e35',
        chatType: 'private',
        displayName: 'Lan',
        text: 'Xin chào',
        at: new Date(DATE),
      },
    ]);
  });

  it('keeps text that looks like a query operator as plain text', () => {
    const e = inbound(raw('message.text.received', { text: '{"$gt": ""}' }))[0];
    expect(e?.text).toBe('{"$gt": ""}');
    expect(typeof e?.text).toBe('string');
  });

  it('maps a group chat', () => {
    const e = inbound(raw('message.text.received', { text: 'chào nhóm', chat: { id: 'g-77', chat_type: 'GROUP' } }))[0];
    expect(e).toMatchObject({ userId: '6ede9afa66b88fe6d6a9', chatId: 'g-77', chatType: 'group' });
  });

  it('maps images to photo and stickers to sticker, without text', () => {
    const [photo] = inbound(raw('message.image.received', { photo: 'https://x/y.jpg', caption: 'ảnh' }));
    expect(photo).toMatchObject({ media: 'photo', photoRef: 'https://x/y.jpg' });
    // Only an https URL is kept as the photo's reference.
    const [plain] = inbound(raw('message.image.received', { photo: 'http://x/y.jpg' }));
    expect(plain).not.toHaveProperty('photoRef');
    expect(photo?.text).toBeUndefined();
    const [sticker] = inbound(raw('message.sticker.received', { sticker: 'abc', url: 'https://x/s' }));
    expect(sticker).toMatchObject({ media: 'sticker' });
  });

  it.each(['message.unsupported.received', 'message.voice.received', 'message.document.received', 'something.new'])('maps %s to media other', (name) => {
    const e = inbound(raw(name))[0];
    expect(e?.media).toBe('other');
    expect(e?.text).toBeUndefined();
  });

  it('falls back to a stable hash when message_id is missing', () => {
    const body = raw('message.text.received', { text: 'a', message_id: undefined });
    const reordered = { message: { ...body.message }, event_name: body.event_name };
    const a = inbound(body)[0]?.eventId;
    expect(a).toMatch(/^zalo:h[0-9a-f]{32}$/);
    expect(inbound(reordered)[0]?.eventId).toBe(a);
    expect(inbound(raw('message.text.received', { text: 'b', message_id: undefined }))[0]?.eventId).not.toBe(a);
  });

  it('leaves chatType unset for an unknown chat type', () => {
    expect(inbound(raw('message.text.received', { text: 'a', chat: { id: 'c' } }))[0]?.chatType).toBeUndefined();
  });

  it('returns undefined for an update forced past the types', () => {
    expect(toInbound({ event_name: 'message.text.received', message: {} } as unknown as ZaloUpdate)).toBeUndefined();
    expect(toInbound(null as unknown as ZaloUpdate)).toBeUndefined();
  });
});
