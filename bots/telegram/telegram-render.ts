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

/** Marks callback_data that starts with the question's nonce: `~<nonce>:<choice>`. */
const NONCED = /^~([A-Za-z0-9_-]{1,16}):([\s\S]*)$/;

/**
 * The callback_data of the choice at `index` (0-based) of the question `nonce`: `~<nonce>:` then
 * the choice's id when it fits in 64 bytes, else `#<1-based index>`. Without a nonce (old
 * messages, redelivered from before nonces), the id or `#<index>` alone.
 */
export function callbackDataFor(id: string, index: number, nonce?: string): string {
  const prefix = nonce ? `~${nonce}:` : '';
  // Ids starting with '#' would read as the numbered form, and bare ones starting with '~' as a nonce: they take the numbered form.
  const fits = id.length > 0 && Buffer.byteLength(prefix + id, 'utf8') <= CALLBACK_DATA_LIMIT && !id.startsWith('#') && (prefix !== '' || !id.startsWith('~'));
  return prefix + (fits ? id : `#${index + 1}`);
}

/** What a tap says: a choice id or the number typed for the `#n` form, and the question's nonce when the button has one. */
export type ParsedCallback = ({ choiceId: string } | { text: string }) & { choiceNonce?: string };

/** Reads a button's callback_data back (both the `~<nonce>:<choice>` form and the older bare one). */
export function parseCallbackData(data: string): ParsedCallback {
  const nonced = NONCED.exec(data);
  const choice = nonced ? nonced[2]! : data;
  const numbered = /^#(\d+)$/.exec(choice);
  const parsed: ParsedCallback = numbered ? { text: numbered[1]! } : { choiceId: choice };
  if (nonced) parsed.choiceNonce = nonced[1]!;
  return parsed;
}

/** Renders one message as sendMessage parts in order; choices become a keyboard on the last part. */
export function renderTelegram(message: Outbound): TelegramPart[] {
  const choices = message.choices ?? [];
  if (message.text.trim() === '' && choices.length === 0) return [];
  const parts: TelegramPart[] = splitEscaped(escapeHtml(message.text)).map((text) => ({ text, parse_mode: 'HTML' }));
  const last = parts[parts.length - 1];
  if (last && choices.length > 0) {
    last.reply_markup = {
      inline_keyboard: choices.map((c, i) => [{ text: c.label, callback_data: callbackDataFor(c.id, i, message.choiceNonce) }]),
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
