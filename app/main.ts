/**
 * `npm start`: starts the local services when no MONGODB_URI / REDIS_URL is given, seeds the
 * sample org tree into an empty database, starts the engine and the delivery workers, then the
 * Telegram/Zalo channels whose tokens are set — or, with no tokens, the console simulator.
 */
import { ConfigError, loadConfig } from '../core/config.js';
import { DatabaseUnavailableError } from '../core/db.js';
import { RedisUnavailableError } from '../core/redis.js';
import { ServiceSetupError, ensureServices, stopService, type ServiceHandle } from '../tools/services.js';
import { createApp, type App } from './app.js';
import { startChannels } from '../bots/channels.js';
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
  if (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
    await runConsole(app);
    await shutdown(0);
  } else {
    const channels = await startChannels(app);
    const names = channels.adapters.map((a) => a.channel).join(' and ');
    process.stderr.write(`[start] ${names} via ${channels.mode === 'webhook' ? `webhooks under ${config.PUBLIC_URL}` : 'long polling'}; HTTP on ${channels.address} (/healthz, /readyz)\n`);
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
