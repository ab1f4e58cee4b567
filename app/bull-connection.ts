/**
 * The connection options BullMQ wants (it opens its own sockets), from the same reading of
 * REDIS_URL as the app's own connection (core/redis-url.ts); used by the app and by the
 * broadcast-only process.
 */
import type { ConnectionOptions } from 'bullmq';
import { redisOptionsFromUrl } from '../core/redis-url.js';

export function bullConnection(url: string): ConnectionOptions {
  // BullMQ types its options against its own copy of ioredis's; the shapes are the same.
  return { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null } as ConnectionOptions;
}
