/**
 * The Telegram channel on grammY: webhook route, long polling, webhook management and the
 * sender the delivery queue calls. Updates become core `Inbound` events (telegram-updates.ts);
 * `Outbound` messages become sendPhoto/sendMessage calls (telegram-render.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, BotError, GrammyError, webhookCallback, type Transformer } from 'grammy';
import type { Update } from 'grammy/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, unpaced, type ChannelSender } from '../../core/delivery.js';
import { ServiceUnavailableError } from '../../core/engine/infrastructure-errors.js';
import { scrubText } from '../../core/log-scrub.js';
import type { Logger } from '../../core/logger.js';
import type { ChannelAdapter, InboundHandler, PollingHandle } from '../channel-adapter.js';
import { sameSecret } from '../webhook-secret.js';
import { renderTelegram, TELEGRAM_CAPTION_LIMIT } from './telegram-render.js';
import { toInbound } from './telegram-updates.js';

/** What the adapter needs: the bot token, an optional API root (tests), the webhook secret, the engine's handler. */
export interface TelegramAdapterOptions {
  token: string;
  /** Bot API server root without trailing slash (default https://api.telegram.org). */
  apiRoot?: string;
  /**
   * Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; requests without it get 401. Without a
   * secret every webhook request gets 401 and setWebhook refuses to register one.
   */
  webhookSecret?: string;
  handle: InboundHandler;
  log: Logger;
}

/** The Telegram adapter; `bot` is exposed for wiring and tests. */
export type TelegramAdapter = ChannelAdapter & { bot: Bot };

/** The update kinds the engine handles; Telegram then stores no others for us. */
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/**
 * Calls that auto-retry may repeat. Sends are left to the delivery queue (one retry policy and
 * one rate limiter for all traffic); getUpdates has grammY's own polling loop; callback answers
 * are useless once late.
 */
const AUTO_RETRIED = new Set(['getMe', 'setWebhook', 'deleteWebhook', 'getWebhookInfo']);

/** Longest wait between redeliveries of an update while the stores are down (long polling). */
const MAX_REDELIVERY_DELAY_MS = 30_000;

/** Builds the Telegram adapter. */
export function createTelegramAdapter(opts: TelegramAdapterOptions): TelegramAdapter {
  const { log, handle } = opts;
  // A send stuck for grammY's default 500 s would outlive the delivery job's lock; 60 s still
  // covers getUpdates' 30 s long poll.
  const bot = new Bot(opts.token, { client: { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: 60 } });

  // auto-retry repeats network errors without counting attempts; rethrow them so a start-up
  // setWebhook against an unreachable API fails instead of waiting for hours.
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10, rethrowHttpErrors: true });
  const retryManagementCalls: Transformer = (prev, method, payload, signal) =>
    AUTO_RETRIED.has(method) ? retry(prev, method, payload, signal) : prev(method, payload, signal);
  bot.api.config.use(retryManagementCalls);

  bot.use(async (ctx) => {
    const update = ctx.update;
    const query = update.callback_query;
    // Always answer a tap, even when handling fails, so the button stops spinning; the answer
    // runs alongside the handling and its own errors (e.g. a query too old) do not matter.
    const answered = query ? ctx.api.answerCallbackQuery(query.id).then(() => undefined, () => undefined) : undefined;
    try {
      const inbound = toInbound(update);
      if (!inbound) {
        log.debug({ eventId: `tg:${update.update_id}`, kinds: updateKinds(update) }, 'telegram update ignored');
        return;
      }
      await handle(inbound);
    } finally {
      await answered;
    }
  });

  let polling: AbortController | undefined;

  // Only long polling reaches this handler; webhooks get the error back (see `webhook`).
  bot.catch(async (err) => {
    let cause = err.error;
    const inbound = toInbound(err.ctx.update);
    const signal = polling?.signal;
    let delay = 1000;
    // grammY confirms an update once its handling ends, so while the stores are down the
    // update is retried here, holding back later ones to keep their order.
    while (cause instanceof ServiceUnavailableError && inbound && signal && !signal.aborted) {
      log.warn({ eventId: `tg:${err.ctx.update.update_id}`, retryInMs: delay }, 'stores unavailable; will hand the Telegram update over again');
      if (!(await sleep(delay, true, { signal }).catch(() => false))) break;
      delay = Math.min(delay * 2, MAX_REDELIVERY_DELAY_MS);
      try {
        await handle(inbound);
        return;
      } catch (again) {
        cause = again;
      }
    }
    logFailure(log, err.ctx.update, cause);
  });

  let callback: ((request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) | undefined;
  let warnedNoSecret = false;

  const sender: ChannelSender = {
    channel: 'telegram',
    async send(chatId, message, pace = unpaced) {
      try {
        let parts = renderTelegram(message);
        if (message.photoUrl) {
          // A short text without buttons goes with the photo as its caption; otherwise it follows it.
          const caption = parts.length === 1 && !parts[0]!.reply_markup && parts[0]!.text.length <= TELEGRAM_CAPTION_LIMIT ? parts[0] : undefined;
          await pace(() => bot.api.sendPhoto(chatId, message.photoUrl!, caption ? { caption: caption.text, parse_mode: caption.parse_mode } : {}));
          if (caption) parts = [];
        }
        for (const part of parts) {
          await pace(() => bot.api.sendMessage(chatId, part.text, part.reply_markup ? { parse_mode: part.parse_mode, reply_markup: part.reply_markup } : { parse_mode: part.parse_mode }));
        }
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };

  return {
    channel: 'telegram',
    bot,
    sender,

    async webhook(request: FastifyRequest, reply: FastifyReply) {
      // Without a secret anyone could post updates claiming any `from.id`: refuse everything.
      if (!opts.webhookSecret) {
        if (!warnedNoSecret) log.error('telegram webhook: no webhook secret is configured, so every request is refused; set TELEGRAM_WEBHOOK_SECRET');
        warnedNoSecret = true;
        return reply.code(401).send();
      }
      if (!sameSecret(request.headers['x-telegram-bot-api-secret-token'], opts.webhookSecret)) {
        log.warn('telegram webhook: wrong or missing X-Telegram-Bot-Api-Secret-Token; request refused');
        return reply.code(401).send();
      }
      if (!isUpdate(request.body)) return reply.code(400).send();
      // Created on first use: webhookCallback disables bot.start(), which polling needs.
      callback ??= webhookCallback(bot, 'fastify', { secretToken: opts.webhookSecret });
      try {
        await callback(request, reply);
        return reply;
      } catch (err) {
        // grammY rethrows middleware errors wrapped in BotError; fastify would answer 500.
        const cause = err instanceof BotError ? err.error : err;
        if (err instanceof BotError && !(cause instanceof ServiceUnavailableError)) {
          // A bug: Telegram redelivering the update would only fail again.
          logFailure(log, request.body, cause);
          return reply.sent ? reply : reply.code(200).send();
        }
        // Stores down, getMe failed or grammY's timeout: 503 makes Telegram deliver it again,
        // and the engine ignores an event id it already took.
        log.warn({ eventId: `tg:${request.body.update_id}`, error: describe(cause) }, 'telegram webhook update not taken; Telegram will redeliver it');
        return reply.sent ? reply : reply.code(503).send();
      }
    },

    async startPolling(): Promise<PollingHandle> {
      if (polling) throw new Error('Telegram long polling is already running; stop it before starting it again.');
      const abort = new AbortController();
      polling = abort;
      let onStart!: () => void;
      const started = new Promise<void>((resolve) => (onStart = resolve));
      let running: Promise<void>;
      try {
        running = bot.start({ drop_pending_updates: false, allowed_updates: [...ALLOWED_UPDATES], onStart: () => onStart() });
      } catch (err) {
        polling = undefined;
        throw err;
      }
      const done = running
        .catch((err: unknown) => log.error({ error: describe(err) }, 'telegram long polling stopped with an error (401: check the token with BotFather; 409: another instance or a webhook is using this bot)'))
        .finally(() => {
          // The loop can also end on its own (401, 409); a new start must then be possible.
          if (polling === abort) polling = undefined;
        });
      try {
        await Promise.race([started, running]);
      } catch (err) {
        polling = undefined;
        throw err;
      }
      return {
        async stop() {
          abort.abort();
          await bot.stop().catch((err: unknown) => log.warn({ error: describe(err) }, 'could not confirm the last Telegram update on stop'));
          await done;
        },
      };
    },

    async setWebhook(url: string) {
      // A webhook without a secret would refuse every update (see `webhook`).
      if (!opts.webhookSecret) throw new Error('Telegram setWebhook: no webhook secret is configured; set TELEGRAM_WEBHOOK_SECRET (1–256 of A-Za-z0-9_-)');
      await bot.api.setWebhook(url, {
        allowed_updates: [...ALLOWED_UPDATES],
        drop_pending_updates: false,
        secret_token: opts.webhookSecret,
      });
    },

    async deleteWebhook() {
      await bot.api.deleteWebhook({ drop_pending_updates: false });
    },

    async getWebhookInfo() {
      return { ...(await bot.api.getWebhookInfo()) };
    },
  };
}

/** Translates a failed Bot API call into the error that tells the delivery queue what to do. */
export function toDeliveryError(err: unknown): unknown {
  if (!(err instanceof GrammyError)) return err; // network errors: retried with backoff
  const what = `Telegram ${err.method} failed (${err.error_code}: ${err.description})`;
  if (err.error_code === 429) {
    const seconds = err.parameters.retry_after ?? 1;
    return new RateLimitedError(seconds * 1000, `${what}; retry after ${seconds} s`);
  }
  if (err.error_code === 403 || /bot was blocked|chat not found|user is deactivated|bot was kicked|not enough rights to send/i.test(err.description)) {
    return new RecipientUnreachableError(what);
  }
  if (err.error_code === 400) return new PermanentDeliveryError(what);
  return err; // 5xx and others: retried with backoff
}

function isUpdate(body: unknown): body is Update {
  return typeof body === 'object' && body !== null && typeof (body as { update_id?: unknown }).update_id === 'number';
}

function updateKinds(update: Update): string[] {
  return Object.keys(update).filter((k) => k !== 'update_id');
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${scrubText(err.message)}` : scrubText(String(err));
}

function logFailure(log: Logger, update: Update, err: unknown): void {
  log.error({ eventId: `tg:${update.update_id}`, kinds: updateKinds(update), error: describe(err) }, 'telegram update could not be handled');
}
