/**
 * Every Lua script the app runs on Redis, registered in one place. Each is defined once per
 * connection with ioredis `defineCommand`, so callers use a named command (EVALSHA under the
 * hood, EVAL only when the server has not seen the script yet) instead of sending the script's
 * text with every call. Callers reach them through `redisScripts(redis)`, typed; the keys they
 * pass come from core/redis-keys.ts.
 */
import type { Redis } from 'ioredis';

interface ScriptDefinition {
  /** Fixed number of KEYS; omitted when the caller passes it first (a variable number of keys). */
  numberOfKeys?: number;
  lua: string;
}

/** The scripts, by command name (prefixed so they never shadow a Redis command). */
const SCRIPTS = {
  /**
   * Lock release: KEYS[1] the lock, ARGV[1] the holder's token. Deletes the lock only if it still
   * holds that token (an expired holder cannot free the next holder's lock); 1 when deleted.
   */
  dhLockRelease: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
  },
  /**
   * Lock renewal: KEYS[1] the lock, ARGV[1] the holder's token, ARGV[2] the TTL in ms. Extends the
   * lock only if it still holds that token; 1 when extended, 0 when the lock was lost.
   */
  dhLockRenew: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
  },
  /**
   * Inbox, an event handled: KEYS[1] the inbox lock, KEYS[2] the inbox list, KEYS[3] the event's
   * done marker; ARGV[1] the lock token, ARGV[2] seconds to keep the marker. Marks the event done,
   * and takes it off the list only while the caller still holds the lock: a holder that lost it
   * must not pop an event the next holder has not handled. 1 when popped.
   */
  dhInboxFinish: {
    numberOfKeys: 3,
    lua: `redis.call('SET', KEYS[3], '1', 'EX', ARGV[2])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('LPOP', KEYS[2])
return 1`,
  },
} satisfies Record<string, ScriptDefinition>;

type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;

/** The scripts as typed calls on one connection. */
export interface RedisScripts {
  lockRelease(lock: string, token: string): Promise<number>;
  lockRenew(lock: string, token: string, ttlMs: number): Promise<number>;
  inboxFinish(keys: { lock: string; list: string; done: string }, token: string, doneTtlSeconds: number): Promise<number>;
}

const registered = new WeakMap<Redis, RedisScripts>();

/** The scripts on `redis`, defining them on that connection the first time. */
export function redisScripts(redis: Redis): RedisScripts {
  const known = registered.get(redis);
  if (known) return known;
  for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  const command = redis as unknown as Record<ScriptName, (...args: Arg[]) => Promise<unknown>>;
  const run = async (name: ScriptName, ...args: Arg[]) => Number(await command[name](...args));
  const scripts: RedisScripts = {
    lockRelease: (lock, token) => run('dhLockRelease', lock, token),
    lockRenew: (lock, token, ttlMs) => run('dhLockRenew', lock, token, ttlMs),
    inboxFinish: (k, token, doneTtlSeconds) => run('dhInboxFinish', k.lock, k.list, k.done, token, doneTtlSeconds),
  };
  registered.set(redis, scripts);
  return scripts;
}
