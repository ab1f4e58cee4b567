import { describe, expect, it } from 'vitest';
import { matchChoice } from './choice-match.js';

const choices = [
  { id: 'materials', label: 'Tài liệu, bản tin' },
  { id: 'surveys', label: 'Khảo sát' },
  { id: 'concerns', label: 'Gửi phản ánh' },
  { id: 'settings', label: 'Cài đặt' },
];

describe('matchChoice', () => {
  it('matches by number', () => expect(matchChoice(choices, '2')).toEqual({ kind: 'match', choice: choices[1] }));
  it('reports a number out of range with the maximum', () => {
    expect(matchChoice(choices, '5')).toEqual({ kind: 'out_of_range', max: 4 });
    expect(matchChoice(choices, '0')).toEqual({ kind: 'out_of_range', max: 4 });
  });
  it('matches labels without diacritics and in any case', () => {
    expect(matchChoice(choices, 'khao sat')).toEqual({ kind: 'match', choice: choices[1] });
    expect(matchChoice(choices, 'KHẢO SÁT')).toEqual({ kind: 'match', choice: choices[1] });
    expect(matchChoice(choices, '  Cai Dat ')).toEqual({ kind: 'match', choice: choices[3] });
  });
  it('matches by id and by a tapped choice id', () => {
    expect(matchChoice(choices, 'settings')).toEqual({ kind: 'match', choice: choices[3] });
    expect(matchChoice(choices, undefined, 'concerns')).toEqual({ kind: 'match', choice: choices[2] });
    expect(matchChoice(choices, undefined, 'stale-button')).toEqual({ kind: 'none' });
  });
  it('matches a unique beginning or unique words of a label', () => {
    expect(matchChoice(choices, 'phan anh')).toEqual({ kind: 'match', choice: choices[2] });
    expect(matchChoice(choices, 'tai lieu')).toEqual({ kind: 'match', choice: choices[0] });
  });
  it('prefers a whole label to labels that merely hold the same words, with or without its number', () => {
    const ratings = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'].map((l, i) => ({ id: `s${i + 1}`, label: `${i + 1} – ${l}` }));
    expect(matchChoice(ratings, 'hài lòng')).toEqual({ kind: 'match', choice: ratings[3] });
    expect(matchChoice(ratings, 'khong hai long')).toEqual({ kind: 'match', choice: ratings[1] });
    expect(matchChoice(ratings, 'Rất hài lòng')).toEqual({ kind: 'match', choice: ratings[4] });
    expect(matchChoice(ratings, '4 – hài lòng')).toEqual({ kind: 'match', choice: ratings[3] });
    expect(matchChoice(ratings, 'rat khong')).toEqual({ kind: 'match', choice: ratings[0] });
    // Numbers stay positions, and a label that is only numbers keeps them.
    expect(matchChoice(ratings, '2')).toEqual({ kind: 'match', choice: ratings[1] });
    const ages = [{ id: 'a', label: '18–24' }, { id: 'b', label: '25–30' }];
    expect(matchChoice(ages, '25 30')).toEqual({ kind: 'match', choice: ages[1] });
  });
  it('matches nothing for emoji, operator-like text or words in no label', () => {
    expect(matchChoice(choices, '😀😀')).toEqual({ kind: 'none' });
    expect(matchChoice(choices, '{"$gt": ""}')).toEqual({ kind: 'none' });
    expect(matchChoice(choices, 'xyz')).toEqual({ kind: 'none' });
    expect(matchChoice(choices, 'a')).toEqual({ kind: 'none' });
  });
});
