/** Redis connections (ioredis) for locks and for BullMQ. */
import { Redis } from 'ioredis';

/** Redis could not be reached; the message says where and what to do. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Connects and pings, or throws RedisUnavailableError with one clear line. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new RedisUnavailableError(`Cannot reach Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')} (${(err as Error).message}): start it, or fix REDIS_URL`);
  }
  return redis;
}
