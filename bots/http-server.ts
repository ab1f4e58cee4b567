/**
 * The one HTTP server: platform webhooks (webhook mode only), `GET /healthz` (the process is up)
 * and `GET /readyz` (MongoDB and Redis answer), for load balancers and orchestrators, the
 * web console under `/web` (bots/web/), and `GET /metrics` behind METRICS_TOKEN when no
 * METRICS_PORT is set (bots/metrics-http.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app/app.js';
import type { ChannelAdapter } from './channel-adapter.js';
import { metricsAccess, registerMetricsRoute } from './metrics-http.js';
import { registerWebConsole } from './web/web-console.js';

/** Resolves within `ms` or rejects, so a hung store cannot hang the readiness probe. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

/** TRUST_PROXY as fastify takes it: the list of trusted proxy addresses; none when unset. */
export function trustProxyOf(value: string | undefined): string[] | undefined {
  return value ? value.split(',').map((v) => v.trim()) : undefined;
}

/**
 * Builds the server (not listening yet); `listen` is the caller's, so tests can use port 0.
 * `POST /webhooks/<channel>` exists only in webhook mode: while polling, nobody may post
 * updates (e.g. when polling has stopped on a 409 and the route would be the only way in).
 */
export function buildHttpServer(app: App, adapters: ChannelAdapter[], mode: 'webhook' | 'polling', opts: { webConsole?: boolean } = {}): FastifyInstance {
  // While closing (SIGTERM), fastify answers 503 to new requests and waits for those in flight.
  const trustProxy = trustProxyOf(app.config.TRUST_PROXY);
  const server = Fastify({ logger: false, bodyLimit: 1024 * 1024, return503OnClosing: true, ...(trustProxy ? { trustProxy } : {}) });
  if (opts.webConsole !== false) {
    const web = registerWebConsole(server, app);
    if (web.problem) app.log.warn(web.problem);
  }
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_req, reply) => {
    const [mongodb, redis] = await Promise.all([
      within(app.conn.db!.admin().ping(), 2000).then(() => 'up', () => 'down'),
      within(app.redis.ping(), 2000).then(() => 'up', () => 'down'),
    ]);
    const ready = mongodb === 'up' && redis === 'up';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', mongodb, redis });
  });
  // Without METRICS_PORT, /metrics is served here behind the bearer token (bots/metrics-http.ts).
  const metrics = metricsAccess(app.config);
  if (metrics.where === 'main') registerMetricsRoute(server, app.metrics, metrics.token);
  if (mode === 'polling') return server;
  for (const adapter of adapters) {
    server.post(`/webhooks/${adapter.channel}`, (request, reply) => adapter.webhook(request, reply));
  }
  return server;
}

/**
 * Stops the server the way a graceful shutdown needs: no new connections, 503 to requests that
 * still arrive, and the requests in flight answered. Node closes only idle keep-alive
 * connections when asked, and a connection turns idle once its request is answered, so the ask
 * is repeated until the server has closed (otherwise close waits for the keep-alive timeout).
 */
export async function closeHttpServer(server: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => server.server.closeIdleConnections(), 50);
  try {
    await server.close();
  } finally {
    clearInterval(sweep);
  }
}
