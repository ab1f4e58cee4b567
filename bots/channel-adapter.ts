/**
 * What a platform adapter (Telegram, Zalo) provides: a sender for the delivery queue, a webhook
 * route, long polling, and webhook management. Adapters turn platform updates into core
 * `Inbound` events and hand them to the engine; nothing about flows lives in them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelSender } from '../core/delivery.js';
import type { Inbound } from '../core/engine/types.js';

/**
 * Hands one inbound event to the engine and resolves once it has taken effect. Throws
 * ServiceUnavailableError (core/engine/infrastructure-errors.ts) when MongoDB or Redis is down:
 * webhooks then answer 503 so the platform delivers the update again later.
 */
export type InboundHandler = (e: Inbound) => Promise<void>;

export interface PollingHandle {
  stop(): Promise<void>;
}

export interface ChannelAdapter {
  readonly channel: 'telegram' | 'zalo';
  readonly sender: ChannelSender;
  /** fastify handler for `POST /webhooks/<channel>`: verifies the secret, parses, hands events on. */
  webhook(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  /** Long polling (getUpdates) for machines without a public URL; stops on `stop()`. */
  startPolling(): Promise<PollingHandle>;
  setWebhook(url: string): Promise<void>;
  deleteWebhook(): Promise<void>;
  getWebhookInfo(): Promise<Record<string, unknown>>;
}
