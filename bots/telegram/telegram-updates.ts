/** Turns Telegram updates into core `Inbound` events; everything else about Telegram stays in bots/telegram. */
import type { Chat, Message, Update, User } from 'grammy/types';
import type { Inbound, MediaKind } from '../../core/engine/types.js';
import { parseCallbackData } from './telegram-render.js';

/** Content fields that make a message something a person said (service messages have none). */
const MEDIA_FIELDS: readonly [keyof Message, MediaKind][] = [
  // `animation` comes with `document` set too (backward compatibility), so it must be checked first.
  ['animation', 'other'],
  ['photo', 'photo'],
  ['sticker', 'sticker'],
  ['voice', 'voice'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['document', 'document'],
  // `venue` comes with `location` set too.
  ['venue', 'location'],
  ['location', 'location'],
  ['audio', 'other'],
  ['contact', 'other'],
  ['poll', 'other'],
  ['dice', 'other'],
  ['game', 'other'],
  ['story', 'other'],
  ['paid_media', 'other'],
];

const START = /^\/start(?:@\w+)?(?:\s+([\s\S]*))?$/;

/**
 * Maps one Telegram update to an Inbound event, or undefined for updates the engine does not
 * handle (edits, membership changes, channel posts, service messages, inline-mode buttons).
 * `now` stamps callback queries, which carry no time of their own.
 */
export function toInbound(update: Update, now: Date = new Date()): Inbound | undefined {
  const eventId = `tg:${update.update_id}`;
  if (update.message) return fromMessage(update.message, eventId);
  const cq = update.callback_query;
  if (cq) {
    // Buttons under inline-mode messages have no chat to answer in.
    if (!cq.message || cq.data === undefined) return undefined;
    return {
      ...base(cq.from, cq.message.chat, eventId),
      ...parseCallbackData(cq.data),
      // The message's date is when the bot sent the keyboard, not when the person tapped it.
      at: now,
    };
  }
  return undefined;
}

function fromMessage(m: Message, eventId: string): Inbound | undefined {
  if (!m.from) return undefined;
  const media = MEDIA_FIELDS.find(([field]) => m[field] !== undefined)?.[1];
  const text = m.text ?? m.caption;
  if (text === undefined && media === undefined) return undefined; // service message
  const e: Inbound = { ...base(m.from, m.chat, eventId), at: new Date(m.date * 1000) };
  if (text !== undefined) e.text = text;
  if (media !== undefined) e.media = media;
  const largest = m.photo?.[m.photo.length - 1];
  if (largest) e.photoRef = largest.file_id;
  const start = m.text !== undefined ? START.exec(m.text) : null;
  const payload = start?.[1]?.trim();
  if (payload) e.startPayload = payload;
  return e;
}

function base(from: User, chat: Chat, eventId: string): Omit<Inbound, 'at'> {
  const e: Omit<Inbound, 'at'> = {
    channel: 'telegram',
    userId: String(from.id),
    chatId: String(chat.id),
    eventId,
    chatType: chat.type === 'private' ? 'private' : 'group',
  };
  const name = [from.first_name, from.last_name].filter((s) => s && s.trim()).join(' ').trim();
  if (name) e.displayName = name;
  if (from.language_code) e.languageHint = from.language_code;
  return e;
}
