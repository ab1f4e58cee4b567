import { describe, expect, it } from 'vitest';
import { Translations } from '../../core/i18n.js';
import { renderZalo, ZALO_TEXT_LIMIT } from './zalo-render.js';

const i18n = new Translations('vi');
const vi = i18n.for('vi');
const en = i18n.for('en');
const choices = [
  { id: 'materials', label: 'Tài liệu, bản tin' },
  { id: 'surveys', label: 'Khảo sát' },
  { id: 'concerns', label: 'Gửi phản ánh' },
];

describe('renderZalo', () => {
  it('sends plain text as is', () => expect(renderZalo({ text: 'Xin chào bạn!' }, vi)).toEqual(['Xin chào bạn!']));

  it('sends nothing for empty text without choices', () => expect(renderZalo({ text: '  ' }, vi)).toEqual([]));

  it('turns choices into a numbered list with the hint in Vietnamese', () => {
    expect(renderZalo({ text: 'Bạn cần gì hôm nay?', choices }, vi)).toEqual([
      'Bạn cần gì hôm nay?\n\n1. Tài liệu, bản tin\n2. Khảo sát\n3. Gửi phản ánh\nBạn trả lời bằng cách gõ số thứ tự nhé.',
    ]);
  });

  it('writes the hint in English for English', () => {
    const [part] = renderZalo({ text: 'What do you need?', choices: [{ id: 'a', label: 'Materials' }] }, en);
    expect(part).toBe(`What do you need?\n\n1. Materials\n${en('zalo:choose_by_number')}`);
    expect(en('zalo:choose_by_number')).not.toBe(vi('zalo:choose_by_number'));
  });

  it('splits long text into parts of at most 2000 characters without losing words', () => {
    const words = Array.from({ length: 900 }, (_, i) => `từ${i}`);
    const parts = renderZalo({ text: words.join(' ') }, vi);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    expect(parts.join(' ').split(' ')).toEqual(words);
  });

  it('never cuts a list line in two when the list does not fit', () => {
    const text = 'x '.repeat(950).trim(); // 1899 characters
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, label: `Lựa chọn số ${i + 1} khá dài một chút` }));
    const parts = renderZalo({ text, choices: many }, vi);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    const lines = parts.flatMap((p) => p.split('\n'));
    for (let i = 0; i < many.length; i++) expect(lines).toContain(`${i + 1}. ${many[i]!.label}`);
    expect(lines.at(-1)).toBe(vi('zalo:choose_by_number'));
  });

  it('keeps emoji-heavy parts within 2000 UTF-16 units', () => {
    const parts = renderZalo({ text: '😀'.repeat(1500) }, vi);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    expect(parts.join('')).toBe('😀'.repeat(1500));
  });

  it('renders a list even without text', () => {
    expect(renderZalo({ text: '', choices: [{ id: 'a', label: 'Có' }] }, vi)).toEqual([`1. Có\n${vi('zalo:choose_by_number')}`]);
  });
});
