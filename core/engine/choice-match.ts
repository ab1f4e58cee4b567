/** Matches what a person typed or tapped against the choices offered: by number, id or label. */
import { fold } from '../text-normalize.js';
import type { Choice } from './types.js';

export type ChoiceMatch =
  | { kind: 'match'; choice: Choice }
  | { kind: 'out_of_range'; max: number }
  | { kind: 'none' };

/**
 * "2" picks the second choice; a label typed without diacritics or in another case, or its id,
 * picks it; a unique beginning of a label, or words found in only one label (at least 3
 * letters), are enough. A whole label wins over partial matches — "hài lòng" picks
 * "4 – Hài lòng" although "Rất hài lòng" and "Không hài lòng" hold the same words — and a
 * label's leading number ("4 – ") may be left out.
 */
/** A label folded, without a leading number before its words ("4 – Hài lòng" → "hai long"). */
const unnumbered = (label: string) => fold(label).replace(/^\d+ (?=\p{L})/u, '');

export function matchChoice(choices: Choice[], text: string | undefined, choiceId?: string): ChoiceMatch {
  if (choiceId) {
    const byId = choices.find((c) => c.id === choiceId);
    return byId ? { kind: 'match', choice: byId } : { kind: 'none' };
  }
  const typed = fold(text ?? '');
  if (!typed || choices.length === 0) return { kind: 'none' };
  if (/^\d+$/.test(typed)) {
    const n = Number(typed);
    if (n >= 1 && n <= choices.length) return { kind: 'match', choice: choices[n - 1]! };
    return { kind: 'out_of_range', max: choices.length };
  }
  const exact = choices.find((c) => fold(c.label) === typed || unnumbered(c.label) === typed || fold(c.id) === typed);
  if (exact) return { kind: 'match', choice: exact };
  if (typed.length >= 3) {
    const starts = choices.filter((c) => fold(c.label).startsWith(typed) || unnumbered(c.label).startsWith(typed));
    if (starts.length === 1) return { kind: 'match', choice: starts[0]! };
    // "phuc thinh" picks the one label holding those words (diacritics ignored) when no other has them.
    const tokens = typed.split(' ');
    const containing = choices.filter((c) => {
      const words = fold(c.label).split(' ');
      return tokens.every((t) => words.some((w) => w.startsWith(t)));
    });
    if (containing.length === 1) return { kind: 'match', choice: containing[0]! };
  }
  return { kind: 'none' };
}
