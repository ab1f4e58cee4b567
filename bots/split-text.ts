/**
 * Splits a long text into parts of at most `limit` characters, at paragraph, line or word
 * boundaries when possible, never inside a word shorter than the limit or a surrogate pair.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 1) throw new RangeError('limit must be positive');
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > limit) {
    const chars = [...rest];
    const window = chars.slice(0, limit).join('');
    let cut = Math.max(window.lastIndexOf('\n\n'), -1);
    if (cut < window.length / 2) cut = Math.max(cut, window.lastIndexOf('\n'));
    if (cut < window.length / 2) cut = Math.max(cut, window.lastIndexOf(' '));
    if (cut <= 0) cut = window.length; // one very long word: cut it at the limit
    parts.push(window.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts.filter((p, i) => p.length > 0 || i === 0);
}
