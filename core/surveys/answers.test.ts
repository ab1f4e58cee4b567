import { describe, expect, it } from 'vitest';
import { cleanAnswers, nextQuestion, parseAnswer, progressOf, questionsOf } from './answers.js';
import { validateSurvey } from './definition.js';

const def = validateSurvey({
  id: 'demo',
  title: { vi: 'Thử' },
  opensAt: '2026-11-01T00:00:00Z',
  closesAt: '2026-12-31T00:00:00Z',
  anonymous: true,
  profile: ['gender'],
  questions: [
    { id: 'housing', type: 'single', text: { vi: 'Ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] },
    { id: 'rent', type: 'number', min: 0, max: 20000, text: { vi: 'Tiền trọ?' }, showIf: { question: 'housing', anyOf: ['tro'] } },
    { id: 'skills', type: 'multiple', text: { vi: 'Học gì?' }, options: [{ id: 'tin', text: { vi: 'Tin học' } }, { id: 'nn', text: { vi: 'Ngoại ngữ' } }, { id: 'tn', text: { vi: 'Tay nghề' } }] },
    { id: 'happy', type: 'scale', text: { vi: 'Hài lòng?' } },
  ],
});
const all = questionsOf(def);
const q = (id: string) => all.find((x) => x.id === id)!;
const skipWords = ['bo qua', 'skip'];
const choices = (id: string) => q(id).options!.map((o) => ({ id: o.id, label: o.text.vi }));

describe('answers', () => {
  it('follows skip logic and counts progress over the questions that show', () => {
    expect(nextQuestion(all, {}, -1)!.id).toBe('housing');
    expect(nextQuestion(all, { housing: 'ktx' }, 0)!.id).toBe('skills');
    expect(nextQuestion(all, { housing: 'tro' }, 0)!.id).toBe('rent');
    // Before "housing" is answered the rent question may still come: counted, then dropped by "ktx".
    expect(progressOf(all, {}, 'housing')).toEqual({ n: 1, total: 5 });
    expect(progressOf(all, { housing: 'tro' }, 'rent')).toEqual({ n: 2, total: 5 });
    expect(progressOf(all, { housing: 'ktx' }, 'skills')).toEqual({ n: 2, total: 4 });
    // Going back and changing "housing" drops the rent answer that no longer applies.
    expect(cleanAnswers(all, { housing: 'ktx', rent: 1500, happy: 4 })).toEqual({ housing: 'ktx', happy: 4 });
  });

  it('takes a choice typed without diacritics', () => {
    expect(parseAnswer(q('housing'), { text: 'ky tuc xa' }, choices('housing'), skipWords)).toEqual({ kind: 'answer', value: 'ktx' });
    expect(parseAnswer(q('skills'), { text: 'tin hoc, ngoai ngu' }, choices('skills'), skipWords)).toEqual({ kind: 'answer', value: ['tin', 'nn'] });
    expect(parseAnswer(q('skills'), { text: '3, 1' }, choices('skills'), skipWords)).toEqual({ kind: 'answer', value: ['tin', 'tn'] });
  });

  it('refuses answers out of range with a hint', () => {
    expect(parseAnswer(q('happy'), { text: '7' }, [], skipWords)).toEqual({ kind: 'invalid', hint: 'survey:hint_scale' });
    expect(parseAnswer(q('happy'), { text: '0' }, [], skipWords)).toEqual({ kind: 'invalid', hint: 'survey:hint_scale' });
    expect(parseAnswer(q('rent'), { text: '-5' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number_range' });
    expect(parseAnswer(q('rent'), { text: '25000' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number_range' });
    expect(parseAnswer(q('skills'), { text: '1, 9' }, choices('skills'), skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_multiple', vars: { part: '9' } });
    expect(parseAnswer(q('housing'), { text: 'biệt thự' }, choices('housing'), skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_single' });
  });

  it('refuses text where a number is expected, and reads numbers written the Vietnamese way', () => {
    expect(parseAnswer(q('rent'), { text: 'một triệu rưỡi' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number' });
    expect(parseAnswer(q('rent'), { text: '1.500' }, [], skipWords)).toEqual({ kind: 'answer', value: 1500 });
    expect(parseAnswer(q('rent'), { text: '2,5' }, [], skipWords)).toEqual({ kind: 'answer', value: 2.5 });
  });

  it('reads hours and money with their units and the decimal comma, then checks the range', () => {
    const hours = { id: 'ot', type: 'number', required: true, unit: 'hours', min: 0, max: 80, text: { vi: 'Tăng ca?' } } as const;
    const rent = { id: 'rent', type: 'number', required: true, unit: 'thousand_dong', min: 100, max: 20000, text: { vi: 'Tiền trọ?' } } as const;
    for (const text of ['10 tiếng', '10h', '10 giờ/tuần', 'khoảng 10']) expect(parseAnswer(hours, { text }, [], skipWords)).toEqual({ kind: 'answer', value: 10 });
    expect(parseAnswer(hours, { text: '7,5' }, [], skipWords)).toEqual({ kind: 'answer', value: 7.5 });
    expect(parseAnswer(hours, { text: '10 triệu' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number', vars: { context: 'hours' } });
    for (const text of ['1500', '1.500', '1,5 triệu', '1tr5', '1 triệu rưỡi', '1500k', '1.500.000 đ', '1500 nghìn đồng']) {
      expect(parseAnswer(rent, { text }, [], skipWords)).toEqual({ kind: 'answer', value: 1500 });
    }
    // "1,5" thousand đồng is not a month's rent: refused with the range, not stored as 1.5.
    expect(parseAnswer(rent, { text: '1,5' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number_range', vars: { min: 100, max: 20000, context: 'thousand_dong' } });
    expect(parseAnswer(rent, { text: '10h' }, [], skipWords)).toMatchObject({ kind: 'invalid', hint: 'survey:hint_number' });
  });

  it('picks an age band from an age, and counts the choices shown in the hint', () => {
    const age = questionsOf({ ...def, profile: ['ageBand'] }).find((x) => x.id === '_ageBand')!;
    const shown = [...age.options!.map((o) => ({ id: o.id, label: o.id })), { id: '_skip', label: 'Bỏ qua' }];
    expect(parseAnswer(age, { text: '22' }, shown, skipWords)).toEqual({ kind: 'answer', value: '18_24' });
    expect(parseAnswer(age, { text: '36 tuổi' }, shown, skipWords)).toEqual({ kind: 'answer', value: 'over35' });
    expect(parseAnswer(age, { text: '16' }, shown, skipWords)).toEqual({ kind: 'answer', value: 'under18' });
    expect(parseAnswer(age, { text: 'abc' }, shown, skipWords)).toEqual({ kind: 'invalid', hint: 'survey:hint_single', vars: { max: 6 } });
  });

  it('refuses an exclusive option chosen with others', () => {
    const skills = { ...q('skills'), options: [...q('skills').options!, { id: 'khong', text: { vi: 'Chưa có nhu cầu' }, exclusive: true }] };
    const shown = skills.options.map((o) => ({ id: o.id, label: o.text.vi }));
    expect(parseAnswer(skills, { text: 'tay nghe, chua co nhu cau' }, shown, skipWords)).toEqual({ kind: 'invalid', hint: 'survey:hint_exclusive', vars: { option: 'Chưa có nhu cầu' } });
    expect(parseAnswer(skills, { text: '4' }, shown, skipWords)).toEqual({ kind: 'answer', value: ['khong'] });
    expect(parseAnswer(skills, { text: '1, 3' }, shown, skipWords)).toEqual({ kind: 'answer', value: ['tin', 'tn'] });
  });

  it('takes a rating typed in words', () => {
    const ratings = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'].map((l, i) => ({ id: `s${i + 1}`, label: `${i + 1} – ${l}` }));
    expect(parseAnswer(q('happy'), { text: 'không hài lòng' }, ratings, skipWords)).toEqual({ kind: 'answer', value: 2 });
    expect(parseAnswer(q('happy'), { text: 'hai long' }, ratings, skipWords)).toEqual({ kind: 'answer', value: 4 });
  });

  it('lets optional questions be skipped and required ones not', () => {
    expect(parseAnswer(q('_gender'), { text: 'Bo qua' }, [], skipWords)).toEqual({ kind: 'skip' });
    expect(parseAnswer(q('housing'), { text: 'bỏ qua' }, choices('housing'), skipWords)).toEqual({ kind: 'invalid', hint: 'survey:hint_required' });
  });
});
