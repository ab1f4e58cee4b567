import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '../../test/fake-telegram-server.js';
import { CALLBACK_DATA_LIMIT, TELEGRAM_TEXT_LIMIT, escapeHtml, parseCallbackData, renderTelegram } from './telegram-render.js';

/** What Telegram shows after parsing HTML (only the three entities we produce). */
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('renderTelegram', () => {
  it('escapes &, < and > in text people wrote, so it is shown and not parsed', () => {
    const [part, ...more] = renderTelegram({ text: 'Tom & Jerry <b>bold</b> a<b 1 > 0' });
    expect(more).toEqual([]);
    expect(part).toStrictEqual({ text: 'Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; a&lt;b 1 &gt; 0', parse_mode: 'HTML' });
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('renders nothing for an empty message without choices', () => {
    expect(renderTelegram({ text: '  ' })).toEqual([]);
  });

  it('splits at 4096 characters measured after escaping, never inside an entity, keeping every word', () => {
    // 1000 × "a&b " is 4000 characters raw but 7000 escaped.
    const text = 'a&b '.repeat(1000).trim();
    const parts = renderTelegram({ text });
    expect(parts.length).toBe(2);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(p.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(parts.map((p) => unescape(p.text)).join(' ')).toBe(text);
  });

  it('moves an entity that a hard cut would break into the next part', () => {
    // One "word" with no spaces: splitText has to cut at the limit; position 4094 falls inside "&lt;".
    const text = 'x'.repeat(4094) + '<' + 'y'.repeat(10);
    const parts = renderTelegram({ text }).map((p) => p.text);
    expect(parts).toEqual(['x'.repeat(4094), '&lt;' + 'y'.repeat(10)]);
    expect(parts.map(unescape).join('')).toBe(text);
  });

  it('counts emoji as two UTF-16 units, as Telegram does', () => {
    const text = '😀'.repeat(3000);
    const parts = renderTelegram({ text }).map((p) => p.text);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(parts.join('')).toBe(text);
  });

  it('puts the keyboard, one button per row, on the last part only', () => {
    const text = ('Đoạn văn dài. '.repeat(200) + '\n\n').repeat(3);
    const parts = renderTelegram({ text, choices: [{ id: 'yes', label: 'Có' }, { id: 'no', label: 'Không' }] });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts.slice(0, -1)) expect(p).not.toHaveProperty('reply_markup');
    expect(parts.at(-1)?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Có', callback_data: 'yes' }], [{ text: 'Không', callback_data: 'no' }]],
    });
  });

  it('uses the choice id as callback data when it fits in 64 bytes, else #<number>', () => {
    const fits = 'a'.repeat(64);
    const tooLong = 'a'.repeat(65);
    // Vietnamese letters with diacritics take 2–3 bytes each: 48 characters, 66 bytes.
    const vietnamese = 'phản-ánh-về-điều-kiện-làm-việc-ở-khu-công-nghiệp';
    expect(vietnamese.length).toBeLessThan(64);
    expect(bytes(vietnamese)).toBeGreaterThan(64);
    const markup = renderTelegram({
      text: 'Chọn một mục',
      choices: [
        { id: fits, label: '1' },
        { id: tooLong, label: '2' },
        { id: vietnamese, label: '3' },
        { id: '#7', label: '4' },
      ],
    })[0]?.reply_markup;
    const data = markup?.inline_keyboard.map((row) => (row[0] as { callback_data: string }).callback_data);
    expect(data).toEqual([fits, '#2', '#3', '#4']);
    for (const d of data ?? []) expect(bytes(d)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
  });

  it('keeps long Vietnamese labels whole (labels have no 64-byte limit)', () => {
    const label = 'Phản ánh về điều kiện làm việc, tiền lương, bảo hiểm xã hội và an toàn lao động tại doanh nghiệp';
    const markup = renderTelegram({ text: 'Bạn muốn phản ánh điều gì?', choices: [{ id: 'concern', label }] })[0]?.reply_markup;
    expect(markup?.inline_keyboard[0]?.[0]).toEqual({ text: label, callback_data: 'concern' });
  });
});

describe('parseCallbackData', () => {
  it('reads a choice id or the typed number of the #n form', () => {
    expect(parseCallbackData('survey')).toEqual({ choiceId: 'survey' });
    expect(parseCallbackData('#12')).toEqual({ text: '12' });
    expect(parseCallbackData('#x')).toEqual({ choiceId: '#x' });
  });

  it('reads the question nonce of ~<nonce>:<choice>, with an id or the #n form', () => {
    expect(parseCallbackData('~aB3_-z:yes')).toStrictEqual({ choiceId: 'yes', choiceNonce: 'aB3_-z' });
    expect(parseCallbackData('~aB3_-z:#4')).toStrictEqual({ text: '4', choiceNonce: 'aB3_-z' });
    // Ids with colons keep them: only the first colon ends the nonce.
    expect(parseCallbackData('~aB3_-z:at:2026-12-01T01:00:00.000Z')).toStrictEqual({ choiceId: 'at:2026-12-01T01:00:00.000Z', choiceNonce: 'aB3_-z' });
  });

  it('reads buttons sent before nonces existed as before: no nonce', () => {
    for (const data of ['yes', 'at:2026-12-01T01:00:00.000Z', 'ent-phuc-thinh', '~', '~no colon']) {
      expect(parseCallbackData(data)).toStrictEqual({ choiceId: data });
    }
  });
});

describe('buttons of a question with a nonce', () => {
  const data = (message: Parameters<typeof renderTelegram>[0]) =>
    renderTelegram(message).at(-1)?.reply_markup?.inline_keyboard.map((row) => (row[0] as { callback_data: string }).callback_data);

  it('carry ~<nonce>:<choice id> and read back to the same choice and nonce', () => {
    const choices = [{ id: 'yes', label: 'Có' }, { id: 'no', label: 'Không' }];
    const rendered = data({ text: 'Bạn đồng ý cho cán bộ biết bạn là ai?', choices, choiceNonce: 'Qx7-_a' })!;
    expect(rendered).toEqual(['~Qx7-_a:yes', '~Qx7-_a:no']);
    expect(rendered.map(parseCallbackData)).toStrictEqual([{ choiceId: 'yes', choiceNonce: 'Qx7-_a' }, { choiceId: 'no', choiceNonce: 'Qx7-_a' }]);
  });

  it('stay within 64 bytes: an id that no longer fits after the nonce takes the #n form', () => {
    const fitsAlone = 'a'.repeat(64);
    const fitsWithNonce = 'b'.repeat(56);
    const rendered = data({ text: 'Chọn', choices: [{ id: fitsAlone, label: '1' }, { id: fitsWithNonce, label: '2' }, { id: '#7', label: '3' }, { id: '~x:y', label: '4' }], choiceNonce: 'Qx7-_a' })!;
    expect(rendered).toEqual(['~Qx7-_a:#1', `~Qx7-_a:${fitsWithNonce}`, '~Qx7-_a:#3', '~Qx7-_a:~x:y']);
    for (const d of rendered) expect(bytes(d)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    expect(parseCallbackData(rendered[0]!)).toStrictEqual({ text: '1', choiceNonce: 'Qx7-_a' });
    expect(parseCallbackData(rendered[3]!)).toStrictEqual({ choiceId: '~x:y', choiceNonce: 'Qx7-_a' });
  });

  it('without a nonce, an id starting with ~ takes the #n form so it is not read as one', () => {
    expect(data({ text: 'Chọn', choices: [{ id: '~abc:def', label: '1' }] })).toEqual(['#1']);
  });
});

describe('rendered parts against the fake Telegram API', () => {
  const fake = new FakeTelegramServer();
  let api: Api;

  beforeAll(async () => {
    api = new Api(fake.token, { apiRoot: await fake.start() });
  });
  afterAll(() => fake.stop());

  it('are all accepted, and show the text people wrote', async () => {
    const text = '<b>Giờ làm thêm</b> & lương: ' + 'Tăng ca > 40 giờ/tháng là trái luật & cần phản ánh. '.repeat(150);
    const choices = [{ id: 'x'.repeat(70), label: 'Phản ánh ngay với cán bộ Đoàn của khu công nghiệp' }];
    const parts = renderTelegram({ text, choices });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) await api.sendMessage(42, p.text, p.reply_markup ? { parse_mode: 'HTML', reply_markup: p.reply_markup } : { parse_mode: 'HTML' });
    expect(fake.sent.length).toBe(parts.length);
    expect(fake.sent.map((m) => unescape(m.text ?? '')).join(' ').trim()).toBe(text.trim());
  });

  it('the fake rejects what Telegram rejects: raw markup, 4097 characters, 65-byte callback data', async () => {
    await expect(api.sendMessage(42, '<b>open', { parse_mode: 'HTML' })).rejects.toThrow(/can't parse entities/);
    await expect(api.sendMessage(42, 'a'.repeat(4097))).rejects.toThrow(/message is too long/);
    await expect(
      api.sendMessage(42, 'a', { reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'c'.repeat(65) }]] } }),
    ).rejects.toThrow(/BUTTON_DATA_INVALID/);
  });
});
