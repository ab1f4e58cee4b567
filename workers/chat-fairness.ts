/**
 * Fairness between chats on a delivery lane. A lane sends one message at a time at the
 * platform's rate, first come first served; one chat with a backlog (someone flooding the bot)
 * would then hold up every other chat on its lane. Instead, a chat's k-th reply still waiting
 * is queued at priority level k (capped at `levels`, below bulk): a chat with nothing waiting
 * goes ahead of every backlog, and a chat's own replies keep their order, because its levels
 * never go down while any of them waits and BullMQ serves one level first come first served.
 *
 * Per chat, a Redis hash (named by the chat's lane marker, a keyed HMAC, so no chat id in key
 * names; see core/privacy/sealed-envelope.ts) holds the job ids still waiting and the last level given; the delivery worker releases each job once
 * it is finished. The hash expires an hour after its last change, so a release lost in a crash
 * costs that chat its place in line for at most an hour.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

const LAST = '~last';
const TTL_MS = 3600_000;

/**
 * KEYS[1]: the chat's hash; KEYS[2..]: the BullMQ keys of the jobs to add (in order).
 * ARGV[1]: levels, ARGV[2]: TTL ms, ARGV[3..]: the job ids. Returns one level per job. A job
 * whose key exists already is a duplicate BullMQ will not add again: not counted.
 */
const ASSIGN = `
local levels = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], '${LAST}') or '0')
local out = {}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i + 1], '1')
    local waiting = redis.call('HLEN', KEYS[1])
    if redis.call('HEXISTS', KEYS[1], '${LAST}') == 1 then waiting = waiting - 1 end
    last = math.min(levels, math.max(last, waiting))
    redis.call('HSET', KEYS[1], '${LAST}', last)
  end
  out[#out + 1] = math.max(last, 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return out`;

/** KEYS[1]: the chat's hash; ARGV[1]: a finished job id. Forgets the chat when nothing waits. */
const RELEASE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local left = redis.call('HLEN', KEYS[1])
if redis.call('HEXISTS', KEYS[1], '${LAST}') == 1 then left = left - 1 end
if left <= 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** A reply about to be queued: its chat (a keyed marker, never the chat id) and its job id. */
export interface FairItem {
  chat: string;
  jobId: string;
}

export class ChatFairness {
  constructor(
    /** The Redis server of the lanes (the scripts read their job keys). */
    private readonly redis: Redis,
    /** Redis key prefix of the hashes. */
    private readonly prefix: string,
    /** Priority levels a reply may take (1 turns fairness off: every reply at level 1). */
    readonly levels: number,
  ) {}

  /** The Redis key of a chat's hash (kept in the job, for its release). */
  keyOf(chat: string): string {
    return `${this.prefix}:fair:${chat}`;
  }

  /**
   * The priority level of each reply about to be added to `queue`, in the order given (the
   * order they are added in). Counts them as waiting until `release`.
   */
  async assign(queue: Queue, items: FairItem[]): Promise<number[]> {
    if (this.levels <= 1 || items.length === 0) return items.map(() => 1);
    const byChat = new Map<string, number[]>();
    items.forEach((it, i) => byChat.set(it.chat, [...(byChat.get(it.chat) ?? []), i]));
    const levels: number[] = new Array<number>(items.length).fill(1);
    for (const [chat, idx] of byChat) {
      const jobIds = idx.map((i) => items[i]!.jobId);
      const got = (await this.redis.eval(ASSIGN, 1 + jobIds.length, this.keyOf(chat), ...jobIds.map((id) => queue.toKey(id)), String(this.levels), String(TTL_MS), ...jobIds)) as number[];
      idx.forEach((i, n) => (levels[i] = Number(got[n] ?? 1)));
    }
    return levels;
  }

  /** A job is finished (sent, or failed for good): its chat has one reply fewer waiting. */
  static async release(redis: Redis, key: string, jobId: string): Promise<void> {
    await redis.eval(RELEASE, 1, key, jobId, String(TTL_MS));
  }
}
