/**
 * The Zalo channel adapter: a sender for the delivery queue (text parts, photos, error mapping),
 * the webhook route (secret check, parse, hand events on), long polling, and webhook management.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, unpaced, type ChannelSender, type PaceCall } from '../../core/delivery.js';
import { ServiceUnavailableError } from '../../core/engine/infrastructure-errors.js';
import type { Inbound, Outbound } from '../../core/engine/types.js';
import type { Translations } from '../../core/i18n.js';
import { scrubText } from '../../core/log-scrub.js';
import type { Logger } from '../../core/logger.js';
import type { ChannelAdapter, InboundHandler, PollingHandle } from '../channel-adapter.js';
import { sameSecret } from '../webhook-secret.js';
import { ZaloClient } from './zalo-client.js';
import { isWebhookConflict, ZaloApiError, ZaloRequestError } from './zalo-errors.js';
import { renderZalo } from './zalo-render.js';
import { parseZaloUpdates, toInbound } from './zalo-updates.js';

/** Options of the Zalo adapter. */
export interface ZaloAdapterOptions {
  token: string;
  baseUrl?: string;
  /** Secret given to setWebhook and checked on every webhook request (8–256 characters). */
  webhookSecret?: string;
  handle: InboundHandler;
  log: Logger;
  i18n: Translations;
  /** Language of the numbered-list hint when a message does not say its own. */
  defaultLocale?: string;
  /** Long-poll time of one getUpdates call, in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** Show "typing…" when handling an event takes longer than this (default 800 ms). */
  typingAfterMs?: number;
  /** Per-call timeout of the API client (default 10000 ms). */
  timeoutMs?: number;
}

/** Photo captions up to this length go with the photo; longer text reads better as its own message. */
const SHORT_CAPTION = 500;
const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

/** Maps a Zalo send failure onto what the delivery queue understands; other errors are retried. */
export function toDeliveryError(err: unknown): unknown {
  if (!(err instanceof ZaloApiError)) return err;
  if (err.status === 429 || err.error_code === 429) {
    return new RateLimitedError(err.retryAfterSeconds !== undefined && err.retryAfterSeconds > 0 ? err.retryAfterSeconds * 1000 : 1000);
  }
  if (err.status === 403 || err.error_code === 403 || /block/i.test(err.description)) return new RecipientUnreachableError(err.message);
  if (err.status === 400 || err.error_code === 400) return new PermanentDeliveryError(err.message);
  return err;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const errInfo = (err: unknown) =>
  err instanceof Error ? { errName: err.name, errMessage: scrubText(err.message) } : { errName: typeof err };

/** Creates the Zalo adapter. */
export function createZaloAdapter(opts: ZaloAdapterOptions): ChannelAdapter {
  const client = new ZaloClient({ token: opts.token, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  const log = opts.log;
  const defaultLocale = opts.defaultLocale ?? opts.i18n.defaultLocale;
  const typingAfterMs = opts.typingAfterMs ?? 800;

  /** Hands one event on, showing "typing…" once if the engine takes a while. */
  async function handleOne(e: Inbound): Promise<void> {
    const timer = setTimeout(() => {
      client.sendChatAction({ chat_id: e.chatId, action: 'typing' }).catch(() => undefined);
    }, typingAfterMs);
    try {
      await opts.handle(e);
    } finally {
      clearTimeout(timer);
    }
  }

  const sender: ChannelSender = {
    channel: 'zalo',
    async send(chatId: string, message: Outbound, pace: PaceCall = unpaced): Promise<void> {
      // The hint under a numbered list must speak the language of the message it follows.
      const t = opts.i18n.for(message.locale ?? defaultLocale);
      const parts = renderZalo(message, t);
      try {
        if (message.photoUrl) {
          const first = parts[0];
          const caption = first !== undefined && first.length <= SHORT_CAPTION ? parts.shift() : undefined;
          await pace(() => client.sendPhoto({ chat_id: chatId, photo: message.photoUrl!, ...(caption !== undefined ? { caption } : {}) }));
        }
        for (const text of parts) await pace(() => client.sendMessage({ chat_id: chatId, text }));
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };

  let warnedNoSecret = false;

  return {
    channel: 'zalo',
    sender,

    async webhook(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
      if (!opts.webhookSecret) {
        if (!warnedNoSecret) log.error('zalo webhook: no webhook secret is configured, so every request is refused; set ZALO_WEBHOOK_SECRET');
        warnedNoSecret = true;
        return reply.code(401).send({ ok: false });
      }
      if (!sameSecret(request.headers['x-bot-api-secret-token'], opts.webhookSecret)) {
        log.warn('zalo webhook: wrong or missing X-Bot-Api-Secret-Token; request refused');
        return reply.code(401).send({ ok: false });
      }
      const body: unknown = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return reply.code(400).send({ ok: false });
      const events = parseZaloUpdates(body).flatMap((u) => toInbound(u) ?? []);
      if (events.length === 0) log.debug('zalo webhook: no event we handle in this body; ignored');
      for (const e of events) {
        try {
          await handleOne(e);
        } catch (err) {
          if (err instanceof ServiceUnavailableError || (err instanceof Error && err.name === 'ServiceUnavailableError')) {
            log.warn({ eventId: e.eventId }, 'zalo webhook: stores unavailable; answering 503 so Zalo delivers again');
            return reply.code(503).send({ ok: false });
          }
          log.error({ eventId: e.eventId, ...errInfo(err) }, 'zalo webhook: handling the event failed');
          return reply.code(500).send({ ok: false });
        }
      }
      return reply.code(200).send({ ok: true });
    },

    async startPolling(): Promise<PollingHandle> {
      const controller = new AbortController();
      const timeout = opts.pollTimeoutSeconds ?? 30;
      let backoff = BACKOFF_START_MS;
      const pause = async () => {
        await sleep(backoff, controller.signal);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      };
      const loop = (async () => {
        while (!controller.signal.aborted) {
          let events: Inbound[];
          try {
            const updates = await client.getUpdates({ timeout }, { signal: controller.signal });
            events = updates.flatMap((u) => toInbound(u) ?? []);
            backoff = BACKOFF_START_MS;
          } catch (err) {
            if (controller.signal.aborted) break;
            // Zalo answers 408 when the long poll ended with no new message: just poll again.
            if (err instanceof ZaloApiError && err.error_code === 408) continue;
            if (err instanceof ZaloApiError && isWebhookConflict(err.error_code, err.description)) {
              log.error({ retryInMs: backoff }, 'zalo polling: getUpdates does not work while a webhook is set; delete the webhook first: npm run webhooks -- delete zalo');
            } else {
              log.warn({ retryInMs: backoff, ...errInfo(err) }, 'zalo polling: getUpdates failed; retrying');
            }
            await pause();
            continue;
          }
          // Zalo has no offset: an update it handed out is gone, so one that failed for an outage is kept and retried here.
          for (let i = 0; i < events.length && !controller.signal.aborted; ) {
            const e = events[i]!;
            try {
              await handleOne(e);
              backoff = BACKOFF_START_MS;
              i++;
            } catch (err) {
              if (err instanceof ServiceUnavailableError || (err instanceof Error && err.name === 'ServiceUnavailableError')) {
                log.warn({ eventId: e.eventId, retryInMs: backoff }, 'zalo polling: stores unavailable; retrying the event');
                await pause();
              } else {
                log.error({ eventId: e.eventId, ...errInfo(err) }, 'zalo polling: handling the event failed; skipped');
                i++;
              }
            }
          }
        }
      })();
      return {
        async stop() {
          controller.abort();
          await loop;
        },
      };
    },

    async setWebhook(url: string): Promise<void> {
      if (!opts.webhookSecret) throw new ZaloRequestError('setWebhook', 'no webhook secret is configured; set ZALO_WEBHOOK_SECRET (8–256 characters)');
      await client.setWebhook({ url, secret_token: opts.webhookSecret });
    },

    async deleteWebhook(): Promise<void> {
      await client.deleteWebhook();
    },

    async getWebhookInfo(): Promise<Record<string, unknown>> {
      return { ...(await client.getWebhookInfo()) };
    },
  };
}
