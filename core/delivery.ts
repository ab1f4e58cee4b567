/**
 * Contract between the delivery queues (workers/) and the platform adapters (bots/): an adapter
 * sends one message to one chat, and says with these errors what the queue should do.
 */
import type { ChannelName, Outbound } from './engine/types.js';

/** Sends messages to one platform. */
export interface ChannelSender {
  readonly channel: ChannelName;
  send(chatId: string, message: Outbound): Promise<void>;
}

/** The platform asked us to slow down; retry after `retryAfterMs` without counting an attempt. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly retryAfterMs: number, message = `rate limited for ${retryAfterMs} ms`) {
    super(message);
  }
}

/** The person cannot be reached on this channel (blocked the bot, chat gone): never retry. */
export class RecipientUnreachableError extends Error {
  override name = 'RecipientUnreachableError';
}

/** The message itself can never be sent (e.g. rejected as malformed): never retry. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
