/**
 * Outcome counts of a group of deliveries (a broadcast's sent / failed / unreachable /
 * cancelled), kept in Redis and counted exactly once per delivery job: the job id goes into the
 * group's set and the counter moves in the same script, so a job retried after a crash is not
 * counted twice. The delivery worker counts before it lets BullMQ finish the job, so every
 * finished job is counted. Reading the counts costs one call, however big the broadcast is —
 * MongoDB is never scanned to settle them.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis-keys.js';
import { redisScripts, type RedisScripts } from '../core/redis-scripts.js';

export type TallyOutcome = 'sent' | 'failed' | 'unreachable' | 'cancelled';
export type TallyCounts = Record<TallyOutcome, number>;

/** Kept for a month after the last outcome: long enough for any resumed or late run. */
const TTL_SECONDS = 30 * 24 * 3600;

/** Counts a job and remembers it in one script (dhTallyCount in core/redis-scripts.ts). */
export class DeliveryTally {
  private readonly scripts: RedisScripts;

  constructor(private readonly redis: Redis, private readonly redisKeys: RedisKeys) {
    this.scripts = redisScripts(redis);
  }

  private keys(group: string) {
    return { jobs: this.redisKeys.tallyJobs(group), counts: this.redisKeys.tallyCounts(group) };
  }

  /** Counts the outcome of each job not counted before; returns how many were new. */
  async count(group: string, jobIds: string[], outcome: TallyOutcome): Promise<number> {
    if (jobIds.length === 0) return 0;
    return this.scripts.tallyCount(this.keys(group), outcome, TTL_SECONDS, jobIds);
  }

  async read(group: string): Promise<TallyCounts> {
    const h = await this.redis.hgetall(this.keys(group).counts);
    return { sent: Number(h.sent ?? 0), failed: Number(h.failed ?? 0), unreachable: Number(h.unreachable ?? 0), cancelled: Number(h.cancelled ?? 0) };
  }

  /** The jobs among `jobIds` whose outcome is already counted. */
  async counted(group: string, jobIds: string[]): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    const flags = await this.redis.smismember(this.keys(group).jobs, ...jobIds);
    return new Set(jobIds.filter((_, i) => flags[i] === 1));
  }
}
