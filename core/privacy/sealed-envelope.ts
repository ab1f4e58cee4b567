/**
 * Messages to a reporter travel sealed: the stored job (and a turn's pending notices) hold the
 * chat, the member and the words only as ciphertext under REPORTER_SEAL_KEY, opened by the
 * delivery worker at send time. So neither Redis nor MongoDB holds a reporter's chat next to
 * a concern code (see docs/privacy.md).
 */
import type { Envelope, Outbound } from '../engine/types.js';
import type { PrivacyKeys } from './privacy-keys.js';

/** The chat id a sealed envelope shows (its real one is inside the seal). */
export const SEALED_CHAT = 'sealed';

interface SealedContent {
  chatId: string;
  memberId?: string;
  messages: Outbound[];
}

/** Seals an envelope's chat, member and messages (a delivery record written from it has neither). */
export function sealEnvelope(keys: PrivacyKeys, env: Envelope): Envelope {
  if (env.sealed) return env;
  const { chatId, memberId, messages, seal: _seal, ...rest } = env;
  const content: SealedContent = { chatId, ...(memberId ? { memberId } : {}), messages };
  // The key names the person's account (`telegram:<user>:<event>`): stored only as a keyed marker.
  // The job id was taken from the plain key before sealing, so copies are still dropped.
  return { ...rest, key: keys.marker('job-key', env.key), chatId: SEALED_CHAT, messages: [], sealed: keys.seal(JSON.stringify(content)), lane: keys.marker('lane', env.channel, chatId).slice(0, 24) };
}

/** The envelope as it is to be sent (a sealed one opened; others unchanged). */
export function openEnvelope<T extends Envelope>(keys: PrivacyKeys, env: T): T {
  if (!env.sealed) return env;
  const content = JSON.parse(keys.open(env.sealed)) as SealedContent;
  const { sealed: _sealed, lane: _lane, ...rest } = env;
  return { ...rest, chatId: content.chatId, messages: content.messages, ...(content.memberId ? { memberId: content.memberId } : {}) } as T;
}
