/**
 * `npm start`: starts the local services when no MONGODB_URI / REDIS_URL is given, seeds the
 * sample org tree into an empty database, starts the engine and the delivery workers, then the
 * Telegram/Zalo channels whose tokens are set — or, with no tokens, the console simulator and
 * the HTTP server (web console, /healthz, /readyz) on this machine.
 */
import { ConfigError, loadConfig } from '../core/config.js';
import { DatabaseUnavailableError } from '../core/db.js';
import { RedisUnavailableError } from '../core/redis.js';
import { ServiceSetupError, ensureServices, stopService, type ServiceHandle } from '../tools/services.js';
import { createApp, type App } from './app.js';
import { startChannels, startHttpOnly } from '../bots/channels.js';
import { resolveSessionKey } from '../bots/web/session-key.js';
import { runConsole } from '../bots/console/console-app.js';

let started: ServiceHandle[] = [];
let app: App | undefined;

async function shutdown(code: number): Promise<never> {
  await app?.close().catch(() => undefined);
  for (const h of started) await stopService(h.name);
  process.exit(code);
}

try {
  const config = loadConfig();
  const services = await ensureServices({ MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL });
  started = services.started;
  const mongoKind = config.MONGODB_URI ? 'MongoDB (MONGODB_URI)' : 'local FerretDB (set MONGODB_URI to use MongoDB)';
  process.stderr.write(`[start] database: ${mongoKind}; Redis: ${config.REDIS_URL ? 'REDIS_URL' : services.redisUrl}\n`);
  app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl });
  if (config.SEED_SAMPLE_ORG) {
    const { seedSampleOrg } = await import('../core/org/sample-seed.js');
    const n = await seedSampleOrg(app.models);
    if (n > 0) process.stderr.write(`[start] empty database: imported the sample org tree (${n} units)\n`);
    const { seedSampleSurveys } = await import('../core/surveys/sample-seed.js');
    const surveys = await seedSampleSurveys(app.services.surveys);
    if (surveys > 0) process.stderr.write(`[start] no surveys yet: imported the ${surveys} sample surveys\n`);
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const sessionKey = resolveSessionKey(config, app.services.keys);
  if (!sessionKey.key) process.stderr.write(`[start] ${sessionKey.problem}\n`);
  else if (sessionKey.source === 'derived') process.stderr.write('[start] web console sessions use a key derived from the local privacy keys (local use only; production sets WEB_SESSION_SECRET)\n');
  if (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
    // The web console, /healthz and /readyz beside the console simulator (no webhooks).
    let http: Awaited<ReturnType<typeof startHttpOnly>> | undefined;
    try {
      http = await startHttpOnly(app);
      process.stderr.write(`[start] web console on ${(config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '')}/web (HTTP on ${http.address}; /healthz, /readyz); to sign in, type "đăng nhập web" in this chat as a staff member (README, "Web console")\n`);
    } catch (err) {
      process.stderr.write(`[start] web console not started: port ${config.PORT} is unavailable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set PORT to another port\n`);
    }
    await runConsole(app);
    await http?.server.close().catch(() => undefined);
    await shutdown(0);
  } else {
    const channels = await startChannels(app);
    const names = channels.adapters.map((a) => a.channel).join(' and ');
    process.stderr.write(`[start] ${names} via ${channels.mode === 'webhook' ? `webhooks under ${config.PUBLIC_URL}` : 'long polling'}; HTTP on ${channels.address} (/healthz, /readyz, web console under /web)\n`);
    const stop = async () => {
      await channels.close().catch(() => undefined);
      await shutdown(0);
    };
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof ServiceSetupError || err instanceof DatabaseUnavailableError || err instanceof RedisUnavailableError) {
    process.stderr.write(`${err.message}\n`);
    await shutdown(1);
  }
  throw err;
}
