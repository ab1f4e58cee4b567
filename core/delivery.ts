/**
 * Contract between the delivery queues (workers/) and the platform adapters (bots/): an adapter
 * sends one message to one chat, and says with these errors what the queue should do.
 */
import type { ChannelName, Outbound } from './engine/types.js';

/**
 * Runs one platform call when the channel's rate allows it (the delivery worker's pacer). A
 * message made of several calls (a photo, then text parts) takes one turn per call.
 */
export type PaceCall = <T>(call: () => Promise<T>) => Promise<T>;

/** Makes the call at once (a send outside the delivery worker, e.g. in a test). */
export const unpaced: PaceCall = (call) => call();

/** Sends messages to one platform. */
export interface ChannelSender {
  readonly channel: ChannelName;
  /** Sends one message, making each platform call through `pace`. */
  send(chatId: string, message: Outbound, pace?: PaceCall): Promise<void>;
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
