/** Tells outages of MongoDB or Redis (retry later) from bugs (answer and move on). */

const PATTERNS = [
  /^Mongo(Network|ServerSelection|NotConnected|Topology|PoolCleared|NetworkTimeout)/,
  /^MongooseServerSelectionError$/,
  /^MaxRetriesPerRequestError$/,
  /^DatabaseUnavailableError$/,
  /^RedisUnavailableError$/,
];

/** True when the error means a store is unreachable, so the event should be retried later. */
export function isInfrastructureError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (PATTERNS.some((p) => p.test(err.name) || p.test(err.constructor.name))) return true;
  const msg = err.message ?? '';
  return /ECONNREFUSED|ECONNRESET|Connection is closed|connection .* closed|Client must be connected|buffering timed out|Topology is closed|Stream isn't writeable/i.test(msg);
}

/**
 * Which store an infrastructure error came from, for the metrics: `mongodb` (driver and mongoose
 * errors, DatabaseUnavailableError), `redis` (ioredis errors, RedisUnavailableError), `unknown`
 * when only the socket error says it (ECONNREFUSED…); undefined when it is no infrastructure error.
 */
export function infrastructureStore(err: unknown): 'mongodb' | 'redis' | 'unknown' | undefined {
  if (!isInfrastructureError(err)) return undefined;
  const e = err as Error;
  const said = `${e.name} ${e.constructor.name} ${e.message ?? ''}`;
  if (/Mongo|Database|Topology|Client must be connected|buffering timed out/i.test(said)) return 'mongodb';
  if (/Redis|MaxRetriesPerRequest|Connection is closed|Stream isn't writeable/i.test(said)) return 'redis';
  return 'unknown';
}

/** A store is unreachable; the person was told to try again shortly and the event will be retried. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}
