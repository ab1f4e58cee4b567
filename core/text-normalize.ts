/**
 * Text folding for matching what people type: lower case, Vietnamese diacritics removed
 * ("Khảo sát" → "khao sat", "đ" → "d"), punctuation to spaces, whitespace collapsed.
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/]+/gu, ' ')
    .trim();
}

/** True when the text has no letters or digits at all (emoji, symbols, punctuation). */
export function hasNoWords(s: string): boolean {
  return s.trim().length > 0 && !/[\p{L}\p{N}]/u.test(s);
}
