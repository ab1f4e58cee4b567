/**
 * Fairness between chats on a delivery lane. A lane sends one message at a time at the
 * platform's rate, first come first served; one chat with a backlog (someone flooding the bot)
 * would then hold up every other chat on its lane. Instead, a chat's k-th reply still waiting
 * is queued at priority level k (capped at `levels`, below bulk): a chat with nothing waiting
 * goes ahead of every backlog, and a chat's own replies keep their order, because its levels
 * never go down while any of them waits and BullMQ serves one level first come first served.
 *
 * Per chat, a Redis hash (named by the chat's lane marker, a keyed HMAC, so no chat id in key
 * names; see core/privacy/sealed-envelope.ts) holds the job ids still waiting and the last level
 * given (scripts dhFairAssign and dhFairRelease in core/redis-scripts.ts); the delivery worker
 * releases each job once it is finished. The hash expires an hour after its last change, so a release lost in a crash
 * costs that chat its place in line for at most an hour.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis-keys.js';
import { redisScripts } from '../core/redis-scripts.js';

const TTL_MS = 3600_000;

/** A reply about to be queued: its chat (a keyed marker, never the chat id) and its job id. */
export interface FairItem {
  chat: string;
  jobId: string;
}

export class ChatFairness {
  constructor(
    /** The Redis server of the lanes (the scripts read their job keys). */
    private readonly redis: Redis,
    /** Where the hashes live. */
    private readonly redisKeys: RedisKeys,
    /** Priority levels a reply may take (1 turns fairness off: every reply at level 1). */
    readonly levels: number,
  ) {}

  /** The Redis key of a chat's hash (kept in the job, for its release). */
  keyOf(chat: string): string {
    return this.redisKeys.fairness(chat);
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
      const jobs = idx.map((i) => ({ id: items[i]!.jobId, key: queue.toKey(items[i]!.jobId) }));
      const got = await redisScripts(this.redis).fairAssign(this.keyOf(chat), jobs, this.levels, TTL_MS);
      idx.forEach((i, n) => (levels[i] = got[n] ?? 1));
    }
    return levels;
  }

  /** A job is finished (sent, or failed for good): its chat has one reply fewer waiting. */
  static async release(redis: Redis, key: string, jobId: string): Promise<void> {
    await redisScripts(redis).fairRelease(key, jobId, TTL_MS);
  }
}
