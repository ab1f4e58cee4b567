/** Renders core `Outbound` messages as Telegram sendMessage payloads (HTML parse mode, inline keyboards). */
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Outbound } from '../../core/engine/types.js';
import { splitText } from '../split-text.js';

/** Telegram's limit on a message's text, in UTF-16 code units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit on a photo's caption (same units); the escaped text we compare is never shorter. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** Telegram's limit on a button's callback_data, in UTF-8 bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** One sendMessage call's text and markup. */
export interface TelegramPart {
  text: string;
  parse_mode: 'HTML';
  reply_markup?: InlineKeyboardMarkup;
}

/** Escapes text for Telegram's HTML parse mode (only `&`, `<` and `>` are special there). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The callback_data of the choice at `index` (0-based): its id when it fits, else `#<1-based index>`. */
export function callbackDataFor(id: string, index: number): string {
  // Ids starting with '#' would read as the numbered form, so they take it too.
  const fits = Buffer.byteLength(id, 'utf8') <= CALLBACK_DATA_LIMIT && id.length > 0 && !id.startsWith('#');
  return fits ? id : `#${index + 1}`;
}

/** Reads a button's callback_data back: a choice id, or the number typed for the `#n` form. */
export function parseCallbackData(data: string): { choiceId: string } | { text: string } {
  const numbered = /^#(\d+)$/.exec(data);
  return numbered ? { text: numbered[1]! } : { choiceId: data };
}

/** Renders one message as sendMessage parts in order; choices become a keyboard on the last part. */
export function renderTelegram(message: Outbound): TelegramPart[] {
  const choices = message.choices ?? [];
  if (message.text.trim() === '' && choices.length === 0) return [];
  const parts: TelegramPart[] = splitEscaped(escapeHtml(message.text)).map((text) => ({ text, parse_mode: 'HTML' }));
  const last = parts[parts.length - 1];
  if (last && choices.length > 0) {
    last.reply_markup = {
      inline_keyboard: choices.map((c, i) => [{ text: c.label, callback_data: callbackDataFor(c.id, i) }]),
    };
  }
  return parts;
}

/**
 * Splits escaped text into parts of at most TELEGRAM_TEXT_LIMIT UTF-16 code units, at the
 * boundaries splitText picks, moving an entity (`&amp;`) that a cut would break to the next part.
 */
function splitEscaped(escaped: string): string[] {
  const out: string[] = [];
  let rest = escaped;
  while (rest.length > TELEGRAM_TEXT_LIMIT) {
    let part = firstPart(rest);
    // Every '&' in escaped text starts an entity; one without its ';' was cut.
    const amp = part.lastIndexOf('&');
    if (amp > 0 && !part.includes(';', amp)) part = part.slice(0, amp).trimEnd();
    // splitText cuts at whitespace, so an empty part means leading whitespace; a hard cut keeps the loop finite.
    if (part === '') part = /^\s/.test(rest) ? '' : rest.slice(0, TELEGRAM_TEXT_LIMIT);
    if (part !== '') out.push(part);
    rest = rest.slice(part.length).replace(/^\s+/, '');
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/** The first part splitText would cut, with its limit set in UTF-16 code units as Telegram counts (emoji take two). */
function firstPart(text: string): string {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (units + ch.length > TELEGRAM_TEXT_LIMIT) break;
    units += ch.length;
    points++;
  }
  return splitText(text, Math.max(1, points))[0] ?? '';
}
