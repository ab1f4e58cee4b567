import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.js';

describe('splitText', () => {
  it('keeps short text whole', () => expect(splitText('xin chào', 10)).toEqual(['xin chào']));
  it('splits on word boundaries', () => {
    expect(splitText('một hai ba bốn năm', 8)).toEqual(['một hai', 'ba bốn', 'năm']);
  });
  it('prefers line breaks', () => {
    expect(splitText('dòng một\ndòng hai dài hơn', 15)).toEqual(['dòng một', 'dòng hai dài', 'hơn']);
  });
  it('cuts a word longer than the limit', () => expect(splitText('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]));
  it('never splits an emoji (surrogate pair)', () => {
    const parts = splitText('😀'.repeat(7), 3);
    expect(parts).toEqual(['😀😀😀', '😀😀😀', '😀']);
  });
  it('never exceeds the limit and loses no words (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zđàáạ]{1,12}$/), { minLength: 1, maxLength: 80 }), fc.integer({ min: 12, max: 60 }), (words, limit) => {
        const text = words.join(' ');
        const parts = splitText(text, limit);
        for (const p of parts) expect([...p].length).toBeLessThanOrEqual(limit);
        expect(parts.join(' ').split(/\s+/)).toEqual(words);
      }),
    );
  });
});
