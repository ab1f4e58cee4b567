/**
 * The rules of a material (create and update alike, the CLI's material-add and the web console):
 * a known topic, at least one language, a title and a text within the limits, a photo only as an
 * https URL; each refusal names its field and a reason a page can translate.
 */
import { describe, expect, it } from 'vitest';
import { checkMaterial, InvalidMaterialError, isPublished, MATERIAL_LIMITS } from './material-service.js';

const refusal = (input: { topic: unknown; content: unknown }) => {
  try {
    checkMaterial(input);
  } catch (err) {
    if (err instanceof InvalidMaterialError) return { code: err.code, field: err.field };
    throw err;
  }
  return undefined;
};
const vi = (c: Record<string, unknown>) => ({ topic: 'health', content: { vi: { title: 'Tiêu đề', body: 'Nội dung', ...c } } });

describe('checkMaterial', () => {
  it('accepts a material and trims it; an empty photo is none', () => {
    expect(checkMaterial({ topic: 'skills', content: { vi: { title: '  Học nghề ', body: ' Nội dung\n', photoUrl: ' https://example.org/a.jpg ' }, en: { title: 'T', body: 'B', photoUrl: '' } } })).toEqual({
      topic: 'skills',
      content: { vi: { title: 'Học nghề', body: 'Nội dung', photoUrl: 'https://example.org/a.jpg' }, en: { title: 'T', body: 'B' } },
    });
  });

  it('takes a photo only as an https URL', () => {
    expect(refusal(vi({ photoUrl: 'http://example.org/a.jpg' }))).toEqual({ code: 'photo_not_https', field: 'vi.photoUrl' });
    expect(refusal(vi({ photoUrl: 'javascript:alert(1)' }))).toEqual({ code: 'photo_not_https', field: 'vi.photoUrl' });
    expect(refusal(vi({ photoUrl: 'https://exa mple.org/a.jpg' }))).toEqual({ code: 'photo_not_https', field: 'vi.photoUrl' });
    expect(refusal(vi({ photoUrl: { $gt: '' } }))).toEqual({ code: 'photo_not_https', field: 'vi.photoUrl' });
    expect(refusal(vi({ photoUrl: `https://example.org/${'a'.repeat(MATERIAL_LIMITS.photoUrl)}` }))).toEqual({ code: 'photo_not_https', field: 'vi.photoUrl' });
  });

  it('names the field of an empty, too long or wrongly typed part, and an unknown topic', () => {
    expect(refusal(vi({ title: ' ' }))).toEqual({ code: 'empty', field: 'vi.title' });
    expect(refusal(vi({ body: { $gt: '' } }))).toEqual({ code: 'empty', field: 'vi.body' });
    expect(refusal(vi({ title: 'ă'.repeat(MATERIAL_LIMITS.title + 1) }))).toEqual({ code: 'too_long', field: 'vi.title' });
    expect(refusal(vi({ title: 'ă'.repeat(MATERIAL_LIMITS.title) }))).toBeUndefined();
    expect(refusal(vi({ body: 'x'.repeat(MATERIAL_LIMITS.body + 1) }))).toEqual({ code: 'too_long', field: 'vi.body' });
    expect(refusal({ ...vi({}), topic: { $gt: '' } })).toEqual({ code: 'unknown_topic', field: 'topic' });
    expect(refusal({ topic: 'health', content: {} })).toEqual({ code: 'no_content', field: 'content' });
    expect(refusal({ topic: 'health', content: [] })).toEqual({ code: 'no_content', field: 'content' });
    expect(refusal({ topic: 'health', content: { 'v i': { title: 'a', body: 'b' } } })).toEqual({ code: 'bad_language', field: 'content' });
  });

  it('says whether workers see a material now', () => {
    const now = new Date('2026-11-25T02:00:00Z');
    expect(isPublished({ publishAt: new Date('2026-11-25T01:00:00Z') }, now)).toBe(true);
    expect(isPublished({ publishAt: new Date('2026-11-25T03:00:00Z') }, now)).toBe(false);
    expect(isPublished({ publishAt: new Date('2026-11-25T01:00:00Z'), unpublishedAt: now }, now)).toBe(false);
  });
});
