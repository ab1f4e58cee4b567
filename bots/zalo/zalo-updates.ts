/**
 * Incoming Zalo Bot Platform events: validation of every published body shape into one typed
 * update, and the mapping of an update onto the core `Inbound` event. Upstream data is
 * untrusted: anything malformed is dropped here, nothing throws.
 */
import { createHash } from 'node:crypto';
import type { Inbound } from '../../core/engine/types.js';

/** Event names Zalo documents; any other name is treated as unsupported content. */
export const ZALO_EVENTS = {
  text: 'message.text.received',
  image: 'message.image.received',
  sticker: 'message.sticker.received',
  unsupported: 'message.unsupported.received',
} as const;

/** One validated Zalo event; ids are strings and the sender's name is in `display_name` whatever field it came in. */
export interface ZaloUpdate {
  event_name: string;
  message: {
    message_id?: string;
    from: { id: string; display_name?: string };
    chat: { id: string; chat_type?: string };
    /** Milliseconds since the epoch. */
    date?: number;
    text?: string;
    photo?: string;
    caption?: string;
    sticker?: string;
    url?: string;
  };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Zalo ids are strings; integral numbers are accepted too, anything else is malformed. */
function id(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 && v.length <= 128 ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function millis(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Validates one `{event_name, message}` object, or returns undefined. */
function parseOne(v: Obj): ZaloUpdate | undefined {
  const eventName = v['event_name'];
  const m = v['message'];
  if (typeof eventName !== 'string' || eventName.length === 0 || !isObj(m)) return undefined;
  const from = m['from'];
  const chat = m['chat'];
  if (!isObj(from) || !isObj(chat)) return undefined;
  const fromId = id(from['id']);
  const chatId = id(chat['id']);
  if (!fromId || !chatId) return undefined;
  // A message id that is present but not an id means the structure is not what we think it is.
  const messageId = m['message_id'] === undefined ? undefined : id(m['message_id']);
  if (m['message_id'] !== undefined && messageId === undefined) return undefined;
  const text = m['text'];
  if (text !== undefined && typeof text !== 'string') return undefined;
  if (eventName === ZALO_EVENTS.text && (typeof text !== 'string' || text.length === 0)) return undefined;
  const name = [from['display_name'], from['first_name'], from['name']].find((n): n is string => typeof n === 'string' && n.trim().length > 0);
  const message: ZaloUpdate['message'] = { from: { id: fromId }, chat: { id: chatId } };
  if (messageId !== undefined) message.message_id = messageId;
  if (name !== undefined) message.from.display_name = name;
  const chatType = str(chat['chat_type']);
  if (chatType !== undefined) message.chat.chat_type = chatType;
  const date = millis(m['date']);
  if (date !== undefined) message.date = date;
  if (typeof text === 'string') message.text = text;
  for (const key of ['photo', 'caption', 'sticker', 'url'] as const) {
    const value = str(m[key]);
    if (value !== undefined) message[key] = value;
  }
  return { event_name: eventName, message };
}

/**
 * Reads a webhook body or a getUpdates answer in any published shape: the envelope
 * `{ok, result}` with `result` one update or an array of them, or the bare update(s).
 */
export function parseZaloUpdates(body: unknown): ZaloUpdate[] {
  return collect(body, 0);
}

function collect(v: unknown, depth: number): ZaloUpdate[] {
  // Depth 2 covers envelope → array → update; deeper nesting is not a shape Zalo sends.
  if (depth > 2) return [];
  if (Array.isArray(v)) return v.flatMap((item) => (isObj(item) ? collect(item, depth + 1) : []));
  if (!isObj(v)) return [];
  if ('event_name' in v) {
    const u = parseOne(v);
    return u ? [u] : [];
  }
  if ('result' in v) {
    if (v['ok'] === false) return [];
    return collect(v['result'], depth + 1);
  }
  return [];
}

/** JSON with sorted keys, so equal updates hash equally whatever order their fields came in. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Maps a validated update onto the core event; undefined when it cannot be addressed (no sender or chat). */
export function toInbound(update: ZaloUpdate): Inbound | undefined {
  const m = update?.message;
  if (!isObj(m) || !isObj(m.from) || !isObj(m.chat) || typeof m.from.id !== 'string' || typeof m.chat.id !== 'string') return undefined;
  // A redelivered update without message_id must get the same event id, so the hash is over its content.
  const eventId = m.message_id
    ? `zalo:${m.message_id}`
    : `zalo:h${createHash('sha256').update(stableJson(update)).digest('hex').slice(0, 32)}`;
  const e: Inbound = {
    channel: 'zalo',
    userId: m.from.id,
    chatId: m.chat.id,
    eventId,
    at: m.date !== undefined ? new Date(m.date) : new Date(),
  };
  if (m.chat.chat_type === 'PRIVATE') e.chatType = 'private';
  else if (m.chat.chat_type === 'GROUP') e.chatType = 'group';
  if (m.from.display_name !== undefined) e.displayName = m.from.display_name;
  switch (update.event_name) {
    case ZALO_EVENTS.text:
      if (typeof m.text !== 'string') return undefined;
      e.text = m.text;
      break;
    case ZALO_EVENTS.image:
      e.media = 'photo';
      if (typeof m.photo === 'string' && /^https:\/\/\S+$/.test(m.photo)) e.photoRef = m.photo;
      break;
    case ZALO_EVENTS.sticker:
      e.media = 'sticker';
      break;
    default:
      // message.unsupported.received (content withheld by Zalo) and names we do not know (voice, document…).
      e.media = 'other';
  }
  return e;
}
