/**
 * `npm start` (ROLE=all, the default): starts the local services when no MONGODB_URI / REDIS_URL
 * is given, seeds the sample org tree into an empty database, starts the engine and the workers,
 * then the Telegram/Zalo channels whose tokens are set — or, with no tokens, the console
 * simulator and the HTTP server (web console, /healthz, /readyz) on this machine.
 *
 * In production each role runs apart (app/process-role.ts; `ROLE=web|worker|scheduler`, or
 * `npm run start:web` etc. on the build output), against the MongoDB and Redis it is given.
 * SIGTERM and SIGINT stop the process gracefully (app/graceful-shutdown.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, type Config } from '../core/config.js';
import { DatabaseUnavailableError } from '../core/db.js';
import { RedisUnavailableError } from '../core/redis.js';
import { ServiceSetupError, ensureServices, stopService, type ServiceHandle } from '../tools/services.js';
import { createApp, type App } from './app.js';
import { closeWorkers, shutdownGracefully, type ShutdownStep } from './graceful-shutdown.js';
import { checkRoleConfig, roleParts } from './process-role.js';
import { startChannels, startHttpOnly } from '../bots/channels.js';
import { buildHttpServer, closeHttpServer } from '../bots/http-server.js';
import { describeMetrics, startMetricsListener, type MetricsListener } from '../bots/metrics-http.js';
import { resolveSessionKey } from '../bots/web/session-key.js';
import { runConsole } from '../bots/console/console-app.js';

let started: ServiceHandle[] = [];
let app: App | undefined;
/** The separate /metrics listener (METRICS_PORT), closed last so the stop can be watched. */
let metricsListener: MetricsListener | undefined;
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Start-up failed: close what was opened and exit. */
async function abort(code: number): Promise<never> {
  await app?.close().catch(() => undefined);
  for (const h of started) await stopService(h.name);
  process.exit(code);
}

/** What SIGTERM runs, in order (app/graceful-shutdown.ts). */
function shutdownSteps(a: App, server: { close(): Promise<void> } | undefined): ShutdownStep[] {
  return [
    { name: 'stop taking updates', run: async () => server?.close() },
    { name: 'finish the turns in flight', run: () => a.engine.settled() },
    {
      name: 'finish the current jobs',
      // Two seconds are kept for closing the connections.
      run: async (remaining) => {
        if ((await closeWorkers(a.workers, Math.max(0, remaining - 2000))) === 'forced') say('[stop] jobs still running were left to return to the queue');
      },
    },
    { name: 'close connections', run: async () => void (await Promise.all([a.close(), metricsListener?.server.close()])) },
    { name: 'stop local services', run: async () => void (await Promise.all(started.map((h) => stopService(h.name)))) },
  ];
}

function onSignals(a: App, config: Config, server: { close(): Promise<void> } | undefined): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`[stop] ${signal}: stopping (at most ${config.SHUTDOWN_DEADLINE_SECONDS}s)`);
    void shutdownGracefully(shutdownSteps(a, server), { deadlineMs: config.SHUTDOWN_DEADLINE_SECONDS * 1000, say, exit: (code) => process.exit(code) });
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** The separate /metrics listener when METRICS_PORT is set, on the main server's host; the start-up line's words about metrics. */
async function startMetrics(a: App, host: string): Promise<string> {
  try {
    metricsListener = await startMetricsListener(a.config, a.metrics, host);
  } catch (err) {
    return `metrics not started: port ${a.config.METRICS_PORT} is unavailable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set METRICS_PORT to another port`;
  }
  return describeMetrics(a.config, metricsListener);
}

/** Only /healthz and /readyz (the scheduler role talks to no platform). */
async function startHealthOnly(a: App): Promise<{ server: FastifyInstance; address: string }> {
  const server = buildHttpServer(a, [], 'polling', { webConsole: false });
  return { server, address: await server.listen({ port: a.config.PORT, host: '0.0.0.0' }) };
}

try {
  const config = loadConfig();
  checkRoleConfig(config);
  const parts = roleParts(config.ROLE);
  const services = await ensureServices({ MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL });
  started = services.started;
  const mongoKind = config.MONGODB_URI ? 'MongoDB (MONGODB_URI)' : 'local FerretDB (set MONGODB_URI to use MongoDB)';
  say(`[start] role: ${config.ROLE}; database: ${mongoKind}; Redis: ${config.REDIS_URL ? 'REDIS_URL' : services.redisUrl}`);
  app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl });
  const a = app;
  if (config.SEED_SAMPLE_ORG && config.ROLE === 'all') {
    const { seedSampleOrg } = await import('../core/org/sample-seed.js');
    const n = await seedSampleOrg(a.models);
    if (n > 0) say(`[start] empty database: imported the sample org tree (${n} units)`);
    // Demo staff only on a fresh local database, and never beside real platforms.
    if (n > 0 && config.SEED_DEMO && !config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
      const { seedDemoStaff } = await import('../core/members/demo-staff.js');
      const staff = await seedDemoStaff(a.models, a.services.concerns, new Date());
      if (staff > 0) say(`[start] demo staff to try every role: type /as in the chat to list them`);
    }
    const { seedSampleSurveys } = await import('../core/surveys/sample-seed.js');
    const surveys = await seedSampleSurveys(a.services.surveys);
    if (surveys > 0) say(`[start] no surveys yet: imported the ${surveys} sample surveys`);
  }
  onSignals(a, config, undefined);
  if (parts.chat) {
    const sessionKey = resolveSessionKey(config, a.services.keys);
    if (!sessionKey.key) say(`[start] ${sessionKey.problem}`);
    else if (sessionKey.source === 'derived') say('[start] web console sessions use a key derived from the local privacy keys (local use only; production sets WEB_SESSION_SECRET)');
  }
  if (config.ROLE === 'scheduler') {
    const http = await startHealthOnly(a);
    onSignals(a, config, { close: () => closeHttpServer(http.server) });
    say(`[start] scheduler: calendar jobs (retention cleanup); HTTP on ${http.address} (/healthz, /readyz); ${await startMetrics(a, '0.0.0.0')}`);
  } else if (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
    // ROLE=all with no tokens: the web console, /healthz and /readyz beside the console simulator (no webhooks).
    let http: Awaited<ReturnType<typeof startHttpOnly>> | undefined;
    try {
      http = await startHttpOnly(a);
      const server = http.server;
      onSignals(a, config, { close: () => closeHttpServer(server) });
      say(`[start] web console on ${(config.PUBLIC_URL ?? (config.PORT ? `http://localhost:${config.PORT}` : http.address)).replace(/\/+$/, '')}/web (HTTP on ${http.address}; /healthz, /readyz); to sign in, type "${a.services.i18n.for(config.DEFAULT_LOCALE)('web:chat.phrases').split('|')[0]}" in this chat as a staff member (README, "Web console")`);
      say(`[start] ${await startMetrics(a, '127.0.0.1')}`);
    } catch (err) {
      say(`[start] web console not started: port ${config.PORT} is unavailable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set PORT to another port`);
    }
    await runConsole(a);
    await http?.server.close().catch(() => undefined);
    await metricsListener?.server.close().catch(() => undefined);
    await abort(0);
  } else {
    const channels = await startChannels(a);
    onSignals(a, config, channels);
    const names = channels.adapters.map((c) => c.channel).join(' and ');
    const serves = parts.chat ? `${names} via ${channels.mode === 'webhook' ? `webhooks under ${config.PUBLIC_URL}` : 'long polling (one replica at a time)'}` : '';
    const sends = parts.delivery ? `delivery to ${names}` : '';
    say(`[start] ${[serves, sends].filter(Boolean).join('; ')}; HTTP on ${channels.address} (/healthz, /readyz${parts.chat ? ', web console under /web' : ''}); ${await startMetrics(a, '0.0.0.0')}`);
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof ServiceSetupError || err instanceof DatabaseUnavailableError || err instanceof RedisUnavailableError) {
    say(err.message);
    await abort(1);
  }
  throw err;
}
