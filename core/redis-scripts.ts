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

/** The field of a chat's fairness hash that holds the last level given (never a job id). */
const FAIR_LAST = '~last';

/**
 * The inbound token bucket, one Redis hash {tokens, at}, as a Lua function shared by the scripts
 * that take a token: take(bucket, burst, tokens per ms, time in ms or '' for Redis's own clock
 * (TIME, so every process shares one clock; tests pass a time)) returns 1 when a token was
 * taken, 0 when the bucket is empty. The hash expires once it would be full again.
 */
const TAKE_TOKEN = `
local function take(bucket, burst, perMs, at_arg)
  local now
  if at_arg ~= '' then
    now = tonumber(at_arg)
  else
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local b = redis.call('HMGET', bucket, 'tokens', 'at')
  local tokens = tonumber(b[1])
  local at = tonumber(b[2])
  if tokens == nil or at == nil then
    tokens = burst
    at = now
  end
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * perMs)
    at = now
  end
  local taken = 0
  if tokens >= 1 then
    tokens = tokens - 1
    taken = 1
  end
  redis.call('HSET', bucket, 'tokens', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', bucket, math.ceil((burst - tokens) / perMs) + 1000)
  return taken
end
`;

/**
 * `clock(arg)`: the time in ms, from a script argument ('' for Redis's own clock, with
 * microseconds, so every process shares one clock; tests pass a time).
 */
const REDIS_NOW = `
local function clock(at_arg)
  if at_arg ~= '' then return tonumber(at_arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
`;

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
   * Inbound token bucket (core/engine/inbound-limits.ts), one Redis hash {tokens, at}: KEYS[1] the
   * bucket; ARGV[1] the burst, ARGV[2] tokens per ms, ARGV[3] a time in ms or '' for Redis's own
   * clock (TIME, so every process shares one clock; tests pass a time). Returns 1 when a token
   * was taken, 0 when the bucket is empty. The hash expires once it would be full again.
   */
  dhInboundTake: {
    numberOfKeys: 1,
    lua: `${TAKE_TOKEN}
return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3])`,
  },
  /**
   * Inbox, an event arrives (core/engine/member-inbox.ts), in one round trip: KEYS[1] the person's
   * token bucket, KEYS[2] the inbox list, KEYS[3] the inbox lock; ARGV[1] the burst ('' for no
   * bucket), ARGV[2] tokens per ms, ARGV[3] a time in ms or '', ARGV[4] the event, ARGV[5] the
   * most events the list may hold ('' for no limit), ARGV[6] a lock token, ARGV[7] the lock's TTL
   * in ms. Takes a token, appends the event, and takes the lock if it is free. Returns
   * {0} no token (the event is dropped), {-1} the list is full (not appended), {2} appended while
   * another holder has the lock, or {1, first event} appended and the lock taken with ARGV[6].
   */
  dhInboxArrive: {
    numberOfKeys: 3,
    lua: `${TAKE_TOKEN}
if ARGV[1] ~= '' and take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]) == 0 then return {0} end
if ARGV[5] ~= '' and redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[5]) then return {-1} end
redis.call('RPUSH', KEYS[2], ARGV[4])
if not redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7], 'NX') then return {2} end
return {1, redis.call('LINDEX', KEYS[2], 0)}`,
  },
  /**
   * Inbox, an event handled, and the next one: KEYS[1] the inbox lock, KEYS[2] the list, KEYS[3]
   * the handled event's done marker; ARGV[1] the lock token, ARGV[2] seconds to keep the marker.
   * Marks the event done; then, only while the caller still holds the lock, takes it off the
   * list and returns {1, next event}, or releases the lock when the list is empty and returns
   * {2}. {0} when the lock was lost (nothing popped: the next holder handles what is left).
   * Releasing in the same step as finding the list empty means no event is ever left behind.
   */
  dhInboxNext: {
    numberOfKeys: 3,
    lua: `redis.call('SET', KEYS[3], '1', 'EX', ARGV[2])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
redis.call('LPOP', KEYS[2])
local nxt = redis.call('LINDEX', KEYS[2], 0)
if not nxt then
  redis.call('DEL', KEYS[1])
  return {2}
end
return {1, nxt}`,
  },
  /**
   * Delivery pacing, a send asks to start (workers/delivery-pacer.ts). KEYS[1] the channel's
   * pacer hash: 'n' the last send granted, 'at' the earliest time of the next grant, and one
   * field per recent send (by number): 'g<time granted>' while it is in flight, '<time ended>'
   * once reported. ARGV[1] the spacing in ms, ARGV[2] the most sends per window, ARGV[3] the
   * window in ms, ARGV[4] how long an unreported send counts as in flight at most, ARGV[5] a time
   * in ms or '' for Redis's own clock (tests pass a time), ARGV[6] the number of a send that has
   * just ended ('' for none), recorded first as dhPacerDone does. Grants only for now, never a later
   * slot: a send starts after its grant and its platform has seen it by the time it reports its
   * end, so refusing send n until the send `limit` before it ended a window ago means that no
   * window the platform counts, however late a send travels, holds more than `limit` sends.
   * The next grant comes `spacing` after the last one was due (a late grant is caught up), and
   * at least half a spacing after it, to the millisecond (at high rates the window alone paces:
   * a wait under 1 ms would cost a timer and a round trip). Returns {1, number of the send} when
   * granted, or {0, ms to wait before asking again}.
   */
  dhPacerTake: {
    numberOfKeys: 1,
    lua: `${REDIS_NOW}
local now = clock(ARGV[5])
if redis.call('TYPE', KEYS[1]).ok == 'string' then redis.call('DEL', KEYS[1]) end
if ARGV[6] ~= '' then
  local ended = redis.call('HGET', KEYS[1], ARGV[6])
  if ended and string.sub(ended, 1, 1) == 'g' then redis.call('HSET', KEYS[1], ARGV[6], string.format('%.3f', now)) end
end
local spacing, limit, window, inflight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'n', 'at')
local n = tonumber(h[1]) or 0
local at = tonumber(h[2]) or 0
local wait = 0
local oldest = n + 1 - limit
local entry = oldest >= 1 and redis.call('HGET', KEYS[1], tostring(oldest))
if entry then
  if string.sub(entry, 1, 1) == 'g' then
    local granted = tonumber(string.sub(entry, 2))
    if now < granted + inflight then
      wait = math.max(granted + window - now, 5)
    else
      wait = granted + inflight + window - now
    end
  else
    wait = tonumber(entry) + window - now
  end
end
if wait > 0 or at - now >= 1 then return {0, math.ceil(math.max(wait, at - now))} end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'at', string.format('%.3f', math.max(at + spacing, now + spacing / 2)), tostring(n), 'g' .. string.format('%.3f', now))
if oldest >= 1 then redis.call('HDEL', KEYS[1], tostring(oldest)) end
redis.call('PEXPIRE', KEYS[1], math.ceil(window + inflight + 60000))
return {1, n}`,
  },
  /**
   * Delivery pacing, a send ended (it succeeded, failed or timed out): KEYS[1] the pacer hash;
   * ARGV[1] the number of the send, ARGV[2] a time in ms or ''. Records when it ended. 1 when
   * recorded, 0 when the send is no longer tracked.
   */
  dhPacerDone: {
    numberOfKeys: 1,
    lua: `${REDIS_NOW}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry or string.sub(entry, 1, 1) ~= 'g' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.3f', clock(ARGV[2])))
return 1`,
  },
  /**
   * Delivery pacing, the platform asked to slow down: KEYS[1] the pacer hash; ARGV[1] ms to hold
   * every send of the channel, ARGV[2] a time in ms or ''. Nothing is granted before then.
   */
  dhPacerHold: {
    numberOfKeys: 1,
    lua: `${REDIS_NOW}
local now = clock(ARGV[2])
if redis.call('TYPE', KEYS[1]).ok == 'string' then redis.call('DEL', KEYS[1]) end
local at = tonumber(redis.call('HGET', KEYS[1], 'at')) or 0
redis.call('HSET', KEYS[1], 'at', string.format('%.3f', math.max(at, now + tonumber(ARGV[1]))))
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) + 60000 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 60000) end
return 1`,
  },
  /**
   * Delivery tally (workers/delivery-tally.ts): KEYS[1] the group's set of counted job ids,
   * KEYS[2] its counts hash; ARGV[1] the outcome, ARGV[2] the TTL in seconds, ARGV[3..] job ids.
   * Counts each job not counted before under the outcome, in the same step as it is remembered,
   * so a retried job is never counted twice. Returns how many were new.
   */
  dhTallyCount: {
    numberOfKeys: 2,
    lua: `
local added = 0
for i = 3, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then added = added + 1 end
end
if added > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], added) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return added`,
  },
  /**
   * Chat fairness, replies queued (workers/chat-fairness.ts). Called with the number of keys
   * first. KEYS[1] the chat's hash (job ids still waiting, and '${FAIR_LAST}': the last level
   * given); KEYS[2..] the BullMQ keys of the jobs to add, in order; ARGV[1] levels, ARGV[2] the
   * TTL in ms, ARGV[3..] the job ids. Returns one level per job. A job whose key exists already
   * is a duplicate BullMQ will not add again: not counted.
   */
  dhFairAssign: {
    lua: `
local levels = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], '${FAIR_LAST}') or '0')
local out = {}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i + 1], '1')
    local waiting = redis.call('HLEN', KEYS[1])
    if redis.call('HEXISTS', KEYS[1], '${FAIR_LAST}') == 1 then waiting = waiting - 1 end
    last = math.min(levels, math.max(last, waiting))
    redis.call('HSET', KEYS[1], '${FAIR_LAST}', last)
  end
  out[#out + 1] = math.max(last, 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return out`,
  },
  /**
   * Chat fairness, a reply finished: KEYS[1] the chat's hash; ARGV[1] the job id, ARGV[2] the TTL
   * in ms. Forgets the chat when nothing of it waits any more.
   */
  dhFairRelease: {
    numberOfKeys: 1,
    lua: `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local left = redis.call('HLEN', KEYS[1])
if redis.call('HEXISTS', KEYS[1], '${FAIR_LAST}') == 1 then left = left - 1 end
if left <= 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`,
  },
  /**
   * A BullMQ queue's depth for the metrics (workers/queue-metrics.ts), in one round trip: KEYS
   * the queue's wait, paused, prioritized, active, delayed and failed keys; ARGV[1] the prefix of
   * its job hashes (`<prefix>:<queue>:`). Returns {waiting, active, delayed, failed, timestamp of
   * the oldest waiting job or -1}. The oldest is looked for where jobs leave: the tail of the wait
   * lists and the head of each priority level (BullMQ scores priority * 2^32 + a counter), so it
   * costs one read per level, not per job.
   */
  dhQueueProbe: {
    numberOfKeys: 6,
    lua: `
local oldest = -1
local function consider(id)
  if not id then return end
  local t = tonumber(redis.call('HGET', ARGV[1] .. id, 'timestamp'))
  if t and (oldest < 0 or t < oldest) then oldest = t end
end
local waiting = 0
for i = 1, 2 do
  local n = redis.call('LLEN', KEYS[i])
  local last = n > 0 and redis.call('LINDEX', KEYS[i], -1)
  if last and string.sub(last, 1, 2) == '0:' then
    n = n - 1
    last = n > 0 and redis.call('LINDEX', KEYS[i], -2)
  end
  waiting = waiting + n
  if last then consider(last) end
end
local prioritized = redis.call('ZCARD', KEYS[3])
waiting = waiting + prioritized
local from = '-inf'
local levels = 0
while prioritized > 0 and levels < 64 do
  local head = redis.call('ZRANGEBYSCORE', KEYS[3], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #head == 0 then break end
  consider(head[1])
  from = string.format('%.0f', (math.floor(tonumber(head[2]) / 4294967296) + 1) * 4294967296)
  levels = levels + 1
end
return {waiting, redis.call('LLEN', KEYS[4]), redis.call('ZCARD', KEYS[5]), redis.call('ZCARD', KEYS[6]), oldest}`,
  },
} satisfies Record<string, ScriptDefinition>;

type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;

/** The scripts as typed calls on one connection. */
export interface RedisScripts {
  lockRelease(lock: string, token: string): Promise<number>;
  lockRenew(lock: string, token: string, ttlMs: number): Promise<number>;
  inboxArrive(keys: { bucket: string; list: string; lock: string }, bucket: TokenBucketArgs | undefined, event: string, maxLength: number | undefined, lock: { token: string; ttlMs: number }): Promise<InboxArrival>;
  inboxNext(keys: { lock: string; list: string; done: string }, token: string, doneTtlSeconds: number): Promise<InboxNext>;
  /** `now`: a time in ms, or undefined for Redis's clock. */
  inboundTake(bucket: string, burst: number, perMs: number, now: number | undefined): Promise<number>;
  /** `now`: a time in ms, or undefined for Redis's clock (so for the two below). */
  pacerTake(pacer: string, p: PacerLimits, now: number | undefined, ended?: number): Promise<PacerGrant>;
  pacerDone(pacer: string, send: number, now: number | undefined): Promise<number>;
  pacerHold(pacer: string, ms: number, now: number | undefined): Promise<number>;
  tallyCount(keys: { jobs: string; counts: string }, outcome: string, ttlSeconds: number, jobIds: string[]): Promise<number>;
  /** `jobs`: each job's id and BullMQ key, in the order they are added. */
  fairAssign(chat: string, jobs: { id: string; key: string }[], levels: number, ttlMs: number): Promise<number[]>;
  fairRelease(chat: string, jobId: string, ttlMs: number): Promise<number>;
  /** `keys`: the BullMQ keys of one queue; `jobPrefix`: the prefix of its job hashes. */
  queueProbe(keys: { wait: string; paused: string; prioritized: string; active: string; delayed: string; failed: string }, jobPrefix: string): Promise<QueueProbe>;
}

/** A queue's job counts and when its oldest waiting job was added (ms, undefined when none waits): see dhQueueProbe. */
export interface QueueProbe {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  oldestWaitingAt?: number;
}

/** A person's token bucket as the inbox arrival takes from it (`now` undefined: Redis's clock). */
export interface TokenBucketArgs {
  burst: number;
  perMs: number;
  now: number | undefined;
}

/** A channel's pacing: see dhPacerTake. */
export interface PacerLimits {
  spacingMs: number;
  perWindow: number;
  windowMs: number;
  /** How long a send that never reported its end counts as in flight. */
  inFlightMs: number;
}

/** A send may start (`send` is its number, to report its end), or must ask again after `waitMs`. */
export type PacerGrant = { granted: true; send: number } | { granted: false; waitMs: number };

/** What an arrival did: see dhInboxArrive. */
export type InboxArrival = { kind: 'limited' } | { kind: 'full' } | { kind: 'queued' } | { kind: 'locked'; first: string };
/** What finishing an event found: see dhInboxNext. */
export type InboxNext = { kind: 'lost' } | { kind: 'released' } | { kind: 'next'; event: string };

const registered = new WeakMap<Redis, RedisScripts>();

/** The scripts on `redis`, defining them on that connection the first time. */
export function redisScripts(redis: Redis): RedisScripts {
  const known = registered.get(redis);
  if (known) return known;
  for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  const command = redis as unknown as Record<ScriptName, (...args: Arg[]) => Promise<unknown>>;
  const run = async (name: ScriptName, ...args: Arg[]) => Number(await command[name](...args));
  const numbers = async (name: ScriptName, ...args: Arg[]) => ((await command[name](...args)) as unknown[]).map(Number);
  const scripts: RedisScripts = {
    lockRelease: (lock, token) => run('dhLockRelease', lock, token),
    lockRenew: (lock, token, ttlMs) => run('dhLockRenew', lock, token, ttlMs),
    inboxArrive: async (k, bucket, event, maxLength, lock) => {
      const b = bucket ? [bucket.burst, bucket.perMs, bucket.now ?? ''] : ['', '', ''];
      const [code, first] = (await command.dhInboxArrive(k.bucket, k.list, k.lock, ...b, event, maxLength ?? '', lock.token, lock.ttlMs)) as [number, string?];
      if (code === 0) return { kind: 'limited' };
      if (code === -1) return { kind: 'full' };
      if (code === 2) return { kind: 'queued' };
      return { kind: 'locked', first: first! };
    },
    inboxNext: async (k, token, doneTtlSeconds) => {
      const [code, event] = (await command.dhInboxNext(k.lock, k.list, k.done, token, doneTtlSeconds)) as [number, string?];
      if (code === 0) return { kind: 'lost' };
      if (code === 2) return { kind: 'released' };
      return { kind: 'next', event: event! };
    },
    inboundTake: (bucket, burst, perMs, now) => run('dhInboundTake', bucket, burst, perMs, now === undefined ? '' : now),
    pacerTake: async (pacer, p, now, ended) => {
      const [granted, value] = await numbers('dhPacerTake', pacer, p.spacingMs, p.perWindow, p.windowMs, p.inFlightMs, now ?? '', ended ?? '');
      return granted === 1 ? { granted: true, send: value! } : { granted: false, waitMs: value! };
    },
    pacerDone: (pacer, send, now) => run('dhPacerDone', pacer, send, now ?? ''),
    pacerHold: (pacer, ms, now) => run('dhPacerHold', pacer, ms, now ?? ''),
    tallyCount: (k, outcome, ttlSeconds, jobIds) => run('dhTallyCount', k.jobs, k.counts, outcome, ttlSeconds, ...jobIds),
    fairAssign: (chat, jobs, levels, ttlMs) => numbers('dhFairAssign', 1 + jobs.length, chat, ...jobs.map((j) => j.key), levels, ttlMs, ...jobs.map((j) => j.id)),
    fairRelease: (chat, jobId, ttlMs) => run('dhFairRelease', chat, jobId, ttlMs),
    queueProbe: async (k, jobPrefix) => {
      const [waiting, active, delayed, failed, oldest] = await numbers('dhQueueProbe', k.wait, k.paused, k.prioritized, k.active, k.delayed, k.failed, jobPrefix);
      return { waiting: waiting!, active: active!, delayed: delayed!, failed: failed!, ...(oldest! >= 0 ? { oldestWaitingAt: oldest } : {}) };
    },
  };
  registered.set(redis, scripts);
  return scripts;
}
