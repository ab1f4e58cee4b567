/**
 * Starts (or reuses) the real Redis and MongoDB-wire server for the whole test run and stops
 * what it started, so tests leave no stray processes. MONGODB_URI / REDIS_URL override.
 */
import type { TestProject } from 'vitest/node';
import { ensureServices, stopService, type ServiceHandle } from '../../tools/services.js';

let started: ServiceHandle[] = [];

export default async function setup(project: TestProject) {
  const s = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI || undefined, REDIS_URL: process.env.REDIS_URL || undefined });
  started = s.started;
  const server = process.env.MONGODB_URI ? 'MongoDB from MONGODB_URI' : 'local FerretDB';
  process.stderr.write(`[tests] using ${server} at ${s.mongoUri.replace(/\/\/[^@/]*@/, '//***@')} and Redis at ${s.redisUrl.replace(/\/\/[^@/]*@/, '//***@')}\n`);
  project.provide('mongoUri', s.mongoUri);
  project.provide('redisUrl', s.redisUrl);
  return async () => {
    for (const h of started) await stopService(h.name);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
  }
}
