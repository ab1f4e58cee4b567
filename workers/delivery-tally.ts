/**
 * Outcome counts of a group of deliveries (a broadcast's sent / failed / unreachable /
 * cancelled), kept in Redis and counted exactly once per delivery job: the job id goes into the
 * group's set and the counter moves in the same script, so a job retried after a crash is not
 * counted twice. The delivery worker counts before it lets BullMQ finish the job, so every
 * finished job is counted. Reading the counts costs one call, however big the broadcast is —
 * MongoDB is never scanned to settle them.
 */
import type { Redis } from 'ioredis';

export type TallyOutcome = 'sent' | 'failed' | 'unreachable' | 'cancelled';
export type TallyCounts = Record<TallyOutcome, number>;

/** Kept for a month after the last outcome: long enough for any resumed or late run. */
const TTL_SECONDS = 30 * 24 * 3600;

const COUNT = `
local added = 0
for i = 3, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then added = added + 1 end
end
if added > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], added) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return added`;

export class DeliveryTally {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private keys(group: string): [string, string] {
    return [`${this.prefix}:tally:${group}:jobs`, `${this.prefix}:tally:${group}:counts`];
  }

  /** Counts the outcome of each job not counted before; returns how many were new. */
  async count(group: string, jobIds: string[], outcome: TallyOutcome): Promise<number> {
    if (jobIds.length === 0) return 0;
    return Number(await this.redis.eval(COUNT, 2, ...this.keys(group), outcome, String(TTL_SECONDS), ...jobIds));
  }

  async read(group: string): Promise<TallyCounts> {
    const h = await this.redis.hgetall(this.keys(group)[1]);
    return { sent: Number(h.sent ?? 0), failed: Number(h.failed ?? 0), unreachable: Number(h.unreachable ?? 0), cancelled: Number(h.cancelled ?? 0) };
  }

  /** The jobs among `jobIds` whose outcome is already counted. */
  async counted(group: string, jobIds: string[]): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    const flags = await this.redis.smismember(this.keys(group)[0], ...jobIds);
    return new Set(jobIds.filter((_, i) => flags[i] === 1));
  }
}
