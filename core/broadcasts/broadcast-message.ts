/**
 * What one recipient receives: the free message or the material in their language, with a
 * short footer saying how to stop broadcasts; and the platform text limits it must fit in.
 */
import type { Translations } from '../i18n.js';
import type { ChannelName, Outbound } from '../engine/types.js';
import { materialMessage } from '../materials/material-service.js';
import type { MaterialDoc } from '../materials/models.js';
import type { BroadcastContent } from './models.js';

/** Characters one message may have on each platform (Telegram 4096, Zalo 2000). */
export const PLATFORM_TEXT_LIMITS: Record<ChannelName, number> = { console: 4096, telegram: 4096, zalo: 2000 };

/** The message a member gets, in `locale`. */
export function broadcastMessage(content: BroadcastContent, material: MaterialDoc | null, locale: string, i18n: Translations): Outbound {
  const footer = i18n.for(locale)('broadcasts:footer');
  if (material) {
    const m = materialMessage(material, locale);
    return { ...m, text: `${m.text}\n\n${footer}` };
  }
  return { text: `${content.text ?? ''}\n\n${footer}`, locale };
}

/** The smallest limit among the channels a broadcast may use. */
export function textLimitFor(channel: ChannelName | undefined): { limit: number; channel: ChannelName } {
  if (channel) return { limit: PLATFORM_TEXT_LIMITS[channel], channel };
  const [c, limit] = Object.entries(PLATFORM_TEXT_LIMITS).sort((a, b) => a[1] - b[1])[0]!;
  return { limit, channel: c as ChannelName };
}

/** The longest the message gets in any language (the footer differs by language). */
export function longestMessage(content: BroadcastContent, material: MaterialDoc | null, i18n: Translations): number {
  const locales = material ? [...new Set([...Object.keys(material.content), ...i18n.languages])] : i18n.languages;
  return Math.max(...locales.map((l) => [...broadcastMessage(content, material, l, i18n).text].length));
}
