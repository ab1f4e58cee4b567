/**
 * Photos a worker attaches to a concern, relayed to the cadre as the bot's own messages (so the
 * sender is never shown). A photo is kept as the platform gave it: an https URL (Zalo, the
 * console) can be sent on any channel, since Telegram and Zalo both fetch a photo by URL; a
 * Telegram file_id works only through our Telegram bot. A cadre on another channel is told how
 * many photos could not be shown there rather than silently getting fewer. Telegram's file
 * download URL is never used: it carries the bot token.
 */
import type { ChannelName, Outbound } from '../engine/types.js';

/** One photo as received: the channel it came through and that channel's reference. */
export interface PhotoRef {
  channel: ChannelName;
  ref: string;
}

/** The photos of one notice, with their words already in the recipient's language. */
export interface NoticePhotos {
  refs: PhotoRef[];
  /** The caption of photo i (0-based), from `cadre:photo_caption`. */
  captions: string[];
  /** Said once when some photos cannot be shown on the recipient's channel; `{{count}}` is filled in. */
  unavailable: (count: number) => string;
}

const HTTPS_URL = /^https:\/\/\S+$/;

/** Whether a photo can be sent on `channel`. */
export function usableOn(photo: PhotoRef, channel: ChannelName): boolean {
  return HTTPS_URL.test(photo.ref) || photo.channel === channel;
}

/** The messages that show these photos on `channel`, then a note for any that cannot be shown. */
export function photoMessages(photos: NoticePhotos, channel: ChannelName, locale?: string): Outbound[] {
  const out: Outbound[] = [];
  let missing = 0;
  photos.refs.forEach((p, i) => {
    if (usableOn(p, channel)) out.push({ text: photos.captions[i] ?? '', photoUrl: p.ref, ...(locale ? { locale } : {}) });
    else missing++;
  });
  if (missing > 0) out.push({ text: photos.unavailable(missing), ...(locale ? { locale } : {}) });
  return out;
}

/** A photo reference from an incoming event, if it is one we can relay (bounded, printable ASCII: file_ids and URLs are). */
export function photoRefOf(channel: ChannelName, ref: string | undefined): PhotoRef | undefined {
  if (!ref || ref.length > 2048 || !/^[\x21-\x7e]+$/.test(ref)) return undefined;
  return { channel, ref };
}
