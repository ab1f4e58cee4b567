/**
 * Starts the platform channels whose tokens are configured: their adapters, their delivery
 * workers, and either webhooks on the HTTP server (PUBLIC_URL set) or long polling (unset).
 * The HTTP server always runs for `/healthz` and `/readyz`; its webhook routes only in webhook mode.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from '../core/config.js';
import type { Translations } from '../core/i18n.js';
import type { Logger } from '../core/logger.js';
import type { App } from '../app/app.js';
import type { ChannelAdapter, InboundHandler } from './channel-adapter.js';
import { buildHttpServer, closeHttpServer } from './http-server.js';
import { PollingLeader } from './polling-leader.js';
import { roleParts } from '../app/process-role.js';
import { RedisKeys } from '../core/redis-keys.js';
import { createTelegramAdapter } from './telegram/telegram-adapter.js';
import { createZaloAdapter } from './zalo/zalo-adapter.js';

export interface RunningChannels {
  adapters: ChannelAdapter[];
  server: FastifyInstance;
  /** Where the HTTP server listens, e.g. http://127.0.0.1:3000 */
  address: string;
  mode: 'webhook' | 'polling';
  close(): Promise<void>;
}

/** The adapters of every configured platform (no network calls yet). */
export function createAdapters(config: Config, handle: InboundHandler, log: Logger, i18n: Translations): ChannelAdapter[] {
  const adapters: ChannelAdapter[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    adapters.push(
      createTelegramAdapter({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, webhookSecret: config.TELEGRAM_WEBHOOK_SECRET, handle, log }),
    );
  }
  if (config.ZALO_BOT_TOKEN) {
    adapters.push(
      createZaloAdapter({
        token: config.ZALO_BOT_TOKEN,
        baseUrl: config.ZALO_API_BASE,
        webhookSecret: config.ZALO_WEBHOOK_SECRET,
        handle,
        log,
        i18n,
        defaultLocale: config.DEFAULT_LOCALE,
      }),
    );
  }
  return adapters;
}

/** Webhook URL of a channel under PUBLIC_URL. */
export function webhookUrl(publicUrl: string, channel: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/${channel}`;
}

/** Webhooks need a secret so nobody else can post updates as the platform. */
export function requireWebhookSecrets(config: Config): void {
  if (!config.PUBLIC_URL) return;
  if (config.TELEGRAM_BOT_TOKEN && !config.TELEGRAM_WEBHOOK_SECRET) throw new ConfigError('Invalid configuration: TELEGRAM_WEBHOOK_SECRET — required when PUBLIC_URL is set (webhook mode) (see .env.example)');
  if (config.ZALO_BOT_TOKEN && !config.ZALO_WEBHOOK_SECRET) throw new ConfigError('Invalid configuration: ZALO_WEBHOOK_SECRET — required when PUBLIC_URL is set (webhook mode) (see .env.example)');
}

/**
 * The HTTP server alone, with no platform channel (the console simulator): the web console,
 * `/healthz` and `/readyz`, no webhook routes. Listens on PORT, on this machine only by default.
 */
export async function startHttpOnly(app: App, opts: { host?: string } = {}): Promise<{ server: FastifyInstance; address: string }> {
  const server = buildHttpServer(app, [], 'polling');
  try {
    return { server, address: await server.listen({ port: app.config.PORT, host: opts.host ?? '127.0.0.1' }) };
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Starts what this process's role does with the platforms (app/process-role.ts): the delivery
 * workers (`worker`), webhooks or polling (`web`; polling on one replica at a time, see
 * polling-leader.ts), or both (`all`). The HTTP server runs in every role, for /healthz and
 * /readyz; the web console and the webhook routes only where chat is served.
 */
export async function startChannels(app: App, opts: { host?: string } = {}): Promise<RunningChannels> {
  const config = app.config;
  const parts = roleParts(config.ROLE);
  if (parts.chat) requireWebhookSecrets(config);
  const adapters = createAdapters(config, (e) => app.engine.handle(e), app.log, app.services.i18n);
  const rates = { telegram: config.TELEGRAM_RATE_PER_SECOND, zalo: config.ZALO_RATE_PER_SECOND };
  if (parts.delivery) for (const a of adapters) app.startDelivery(a.sender, rates[a.channel]);
  const mode = config.PUBLIC_URL ? 'webhook' : 'polling';
  const server = buildHttpServer(app, parts.chat ? adapters : [], mode, { webConsole: parts.chat });
  const address = await server.listen({ port: config.PORT, host: opts.host ?? '0.0.0.0' });
  const leaders: PollingLeader[] = [];
  if (parts.chat) {
    for (const a of adapters) {
      if (config.PUBLIC_URL) await a.setWebhook(webhookUrl(config.PUBLIC_URL, a.channel));
      else {
        const leader = new PollingLeader(app.redis, new RedisKeys(config.REDIS_PREFIX).pollingLeader(a.channel), () => a.startPolling(), app.log);
        await leader.start();
        leaders.push(leader);
      }
    }
  }
  return {
    adapters,
    server,
    address,
    mode,
    async close() {
      // Pollers first (no new updates), then the server: it answers 503 to requests that arrive
      // while it closes (the platforms retry them) and waits for the turns in flight.
      await Promise.all(leaders.map((l) => l.stop()));
      await closeHttpServer(server);
    },
  };
}
