/**
 * Renders a core `Outbound` as Zalo text messages. The Zalo Bot Platform has no buttons, so
 * choices become a numbered list answered by number, followed by one localised hint line.
 */
import type { Outbound } from '../../core/engine/types.js';
import type { Translate } from '../../core/i18n.js';
import { splitText } from '../split-text.js';

/** Zalo's limit for one text message (sendMessage `text`, sendPhoto `caption`). */
export const ZALO_TEXT_LIMIT = 2000;

/**
 * Splits text into parts Zalo accepts. splitText counts code points, but the limit may be counted
 * in UTF-16 units (as JavaScript and Java do), so parts heavy in emoji are split again to be safe.
 */
function fit(text: string): string[] {
  return splitText(text, ZALO_TEXT_LIMIT).flatMap((p) => (p.length > ZALO_TEXT_LIMIT ? splitText(p, ZALO_TEXT_LIMIT / 2) : [p]));
}

/** The message as Zalo text parts of at most 2000 characters; empty when there is nothing to say. */
export function renderZalo(message: Outbound, t: Translate): string[] {
  const parts = message.text.trim().length > 0 ? fit(message.text) : [];
  const choices = message.choices ?? [];
  if (choices.length === 0) return parts;
  const lines = choices.map((c, i) => `${i + 1}. ${c.label}`);
  lines.push(t('zalo:choose_by_number'));
  // Lines are packed whole into the last part and the ones after it, so no list line is cut in
  // two unless a single line is itself longer than the limit.
  let current = parts.pop();
  let separator = '\n\n';
  for (const line of lines) {
    for (const piece of fit(line)) {
      if (current === undefined) current = piece;
      else if (current.length + separator.length + piece.length <= ZALO_TEXT_LIMIT) current += separator + piece;
      else {
        parts.push(current);
        current = piece;
      }
      separator = '\n';
    }
  }
  if (current !== undefined) parts.push(current);
  return parts;
}
