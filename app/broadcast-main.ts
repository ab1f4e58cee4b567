/**
 * A process that runs only the broadcast fan-out (no delivery workers, no chat): for scaling
 * broadcasts apart from the bots, and for the crash-safety test that kills it at random.
 * `tsx app/broadcast-main.ts`; prints "ready" on stdout once it takes jobs.
 * Besides the app's variables: BROADCAST_LOCK_DURATION_MS (default 30000),
 * BROADCAST_STALLED_INTERVAL_MS (15000), BROADCAST_RUNNER_LOCK_MS (10000).
 */
import { z } from 'zod';
import { createApp, type App } from './app.js';
import { bullConnection } from './bull-connection.js';
import { bindBroadcastModels } from '../core/broadcasts/models.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { RedisKeys } from '../core/redis-keys.js';
import { ensureServices } from '../tools/services.js';
import { startBroadcastWorker } from '../workers/broadcast-worker.js';
import { runnerOptionsFor } from './broadcast-runner-options.js';

const ms = (fallback: number) => z.coerce.number().int().min(100).max(600_000).default(fallback);
const extra = z
  .object({ BROADCAST_LOCK_DURATION_MS: ms(30_000), BROADCAST_STALLED_INTERVAL_MS: ms(15_000), BROADCAST_RUNNER_LOCK_MS: ms(10_000) })
  .safeParse(process.env);
if (!extra.success) {
  process.stderr.write(`Invalid configuration: ${String(extra.error.issues[0]!.path[0])} — expected milliseconds from 100 to 600000\n`);
  process.exit(1);
}

let app: App | undefined;
try {
  const config = loadConfig();
  const services = await ensureServices({ MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL });
  app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false });
  const connection = bullConnection(services.redisUrl);
  const a = app;
  const worker = startBroadcastWorker({
    connection,
    prefix: new RedisKeys(config.REDIS_PREFIX).bull,
    service: a.services.broadcasts,
    log: a.log,
    lockDurationMs: extra.data.BROADCAST_LOCK_DURATION_MS,
    stalledIntervalMs: extra.data.BROADCAST_STALLED_INTERVAL_MS,
    runner: {
      ...runnerOptionsFor({ models: a.models, bm: bindBroadcastModels(a.conn), materials: a.services.materials, outbox: a.outbox, jobs: a.jobs, redis: a.redis, config, clock: a.clock, i18n: a.services.i18n, log: a.log }),
      lockTtlMs: extra.data.BROADCAST_RUNNER_LOCK_MS,
    },
  });
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  const stop = async () => {
    await worker.close().catch(() => undefined);
    await a.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  await app?.close().catch(() => undefined);
  process.exit(1);
}
