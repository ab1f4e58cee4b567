/**
 * Per-person limits on inbound events, checked before anything touches MongoDB: a token bucket
 * per platform identity (a burst, then a steady refill), and a "please slow down" answer given at
 * most once per window however many events are dropped. Keys are keyed HMACs of the identity
 * (PrivacyKeys.marker), so Redis key names carry no platform id.
 */
import type { Redis } from 'ioredis';

/**
 * Token bucket in one Redis hash {tokens, at}. Time is Redis's own (TIME), so every process
 * shares one clock; ARGV[3] may pass a time in ms instead (tests). Returns 1 when a token was
 * taken, 0 when the bucket is empty. The hash expires once it would be full again.
 */
const TAKE = `
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local now
if ARGV[3] ~= '' then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
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
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / perMs) + 1000)
return taken`;

export interface InboundLimitOptions {
  /** Redis key prefix (REDIS_PREFIX). */
  prefix: string;
  /** Events a person may send at once (the bucket's size). */
  burst: number;
  /** Events per second the bucket refills with (may be fractional). */
  refillPerSecond: number;
  /** The "slow down" answer is given at most once per this many seconds per person. */
  noticeSeconds: number;
  /** Time in ms instead of Redis's clock (tests of the bucket itself). */
  now?: () => number;
}

/** A token bucket per identity, and the once-per-window gate of the polite refusal. */
export class InboundLimits {
  constructor(private readonly redis: Redis, readonly o: InboundLimitOptions) {}

  /**
   * Takes one token from the bucket of `who` (a keyed marker of the identity); false when the
   * bucket is empty and the event is to be dropped.
   */
  async take(who: string): Promise<boolean> {
    const taken = await this.redis.eval(TAKE, 1, `${this.o.prefix}:bucket:${who}`, String(this.o.burst), String(this.o.refillPerSecond / 1000), this.o.now ? String(this.o.now()) : '');
    return Number(taken) === 1;
  }

  /**
   * True for the first refusal of `who` in a window (the person is told once), false for the
   * rest (dropped without a word, so a flood does not become a flood of answers).
   */
  async firstRefusalInWindow(who: string): Promise<boolean> {
    const set = await this.redis.set(`${this.o.prefix}:limit-notice:${who}`, '1', 'PX', this.o.noticeSeconds * 1000, 'NX');
    return set === 'OK';
  }
}
