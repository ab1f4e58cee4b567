/** Redis connections (ioredis) for locks and for BullMQ. */
import { Redis } from 'ioredis';
import { redisOptionsFromUrl, redisUrlForDisplay } from './redis-url.js';

/** Redis could not be reached; the message says where and what to do. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Connects and pings, or throws RedisUnavailableError with one clear line. */
export async function connectRedis(url: string): Promise<Redis> {
  let connecting = true;
  let lastError: Error | undefined;
  const redis = new Redis({
    ...redisOptionsFromUrl(url),
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3000,
    // Commands issued in the same tick (many people's events at once) leave in one write.
    enableAutoPipelining: true,
    // No retries for the first connection (start-up must fail fast); reconnect forever after.
    retryStrategy: (times) => (connecting ? null : Math.min(times * 200, 2000)),
  });
  // Errors surface through the commands that fail; without a listener ioredis prints them.
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const reason = lastError?.message ?? (err as Error).message;
    throw new RedisUnavailableError(`Cannot reach Redis at ${redisUrlForDisplay(url)} (${reason}): start it, or fix REDIS_URL`);
  }
  connecting = false;
  return redis;
}
