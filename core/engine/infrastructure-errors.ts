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

/** A store is unreachable; the person was told to try again shortly and the event will be retried. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}
