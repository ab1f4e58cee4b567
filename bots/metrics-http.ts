/**
 * `GET /metrics` in Prometheus text format (core/metrics.ts), served one of two ways:
 * - METRICS_PORT set: a second small HTTP listener that serves only /metrics (keep that port off
 *   the public network; METRICS_TOKEN, when also set, is asked there too);
 * - METRICS_PORT unset, METRICS_TOKEN set: on the main HTTP server (PORT), only for requests
 *   carrying `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time);
 * - neither: off (/metrics answers 404), and the start-up line says so.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Metrics } from '../core/metrics.js';

/** Where /metrics is served, from the configuration. */
export type MetricsAccess = { where: 'port'; port: number; token?: string } | { where: 'main'; token: string } | { where: 'off' };

export function metricsAccess(config: Pick<Config, 'METRICS_PORT' | 'METRICS_TOKEN'>): MetricsAccess {
  if (config.METRICS_PORT !== undefined) return { where: 'port', port: config.METRICS_PORT, ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}) };
  if (config.METRICS_TOKEN) return { where: 'main', token: config.METRICS_TOKEN };
  return { where: 'off' };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * True when `authorization` is `Bearer <token>`. Both sides are hashed first, so the comparison
 * takes the same time whatever the length or the first wrong character of what was sent.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return given !== undefined && same;
}

/** Adds `GET /metrics` to `server`; with `token`, only for requests that carry it as a bearer token. */
export function registerMetricsRoute(server: FastifyInstance, metrics: Metrics, token?: string): void {
  server.get('/metrics', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized: send Authorization: Bearer <METRICS_TOKEN>' });
    }
    const body = await metrics.render();
    return reply.code(200).header('content-type', metrics.contentType).send(body);
  });
}

export interface MetricsListener {
  server: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:9100 */
  address: string;
}

/** Starts the separate /metrics listener when METRICS_PORT is set; undefined otherwise. */
export async function startMetricsListener(config: Pick<Config, 'METRICS_PORT' | 'METRICS_TOKEN'>, metrics: Metrics, host: string): Promise<MetricsListener | undefined> {
  const access = metricsAccess(config);
  if (access.where !== 'port') return undefined;
  const server = Fastify({ logger: false, bodyLimit: 1024 });
  registerMetricsRoute(server, metrics, access.token);
  try {
    return { server, address: await server.listen({ port: access.port, host }) };
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
}

/** The start-up line's part about metrics. */
export function describeMetrics(config: Pick<Config, 'METRICS_PORT' | 'METRICS_TOKEN'>, listener?: MetricsListener): string {
  const access = metricsAccess(config);
  if (access.where === 'port') return `metrics on ${listener?.address ?? `port ${access.port}`}/metrics${access.token ? ' (bearer token required)' : ''}`;
  if (access.where === 'main') return 'metrics at /metrics on PORT (bearer METRICS_TOKEN required)';
  return 'metrics off (set METRICS_PORT, or METRICS_TOKEN to serve /metrics on PORT)';
}
