import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { RedisKeys } from './redis-keys.js';
import { redisOptionsFromUrl } from './redis-url.js';

describe('REDIS_URL', () => {
  it('redis:// and rediss:// become host, port, credentials, db and TLS', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6381')).toEqual({ host: '127.0.0.1', port: 6381, db: 0 });
    expect(redisOptionsFromUrl('rediss://app:p%40ss@redis.internal/2')).toEqual({ host: 'redis.internal', port: 6379, username: 'app', password: 'p@ss', db: 2, tls: {} });
    expect(redisOptionsFromUrl('redis://:secret@[::1]:7000')).toEqual({ host: '::1', port: 7000, password: 'secret', db: 0 });
  });

  it('redis-sentinel:// names the Sentinels and the master; ioredis follows the master through a failover', () => {
    expect(redisOptionsFromUrl('redis-sentinel://s1:26379,s2,10.0.0.3:26380/mymaster')).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '10.0.0.3', port: 26380 },
      ],
      name: 'mymaster',
      db: 0,
    });
    expect(redisOptionsFromUrl('rediss-sentinel://:pw@s1/dh/1')).toMatchObject({ sentinels: [{ host: 's1', port: 26379 }], name: 'dh', password: 'pw', db: 1, tls: {}, enableTLSForSentinelMode: true });
  });

  it('the configuration accepts the four schemes and nothing else', () => {
    expect(loadConfig({ REDIS_URL: 'redis-sentinel://s1,s2/dh' }).REDIS_URL).toBe('redis-sentinel://s1,s2/dh');
    expect(() => loadConfig({ REDIS_URL: 'http://redis' })).toThrow('REDIS_URL');
    expect(() => redisOptionsFromUrl('memcached://x')).toThrow('unsupported scheme');
  });
});

/** The Redis Cluster slot of a key (CRC16/XMODEM of the key, or of its {hash tag}, modulo 16384). */
function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe('Redis Cluster', () => {
  it('the slot function agrees with Redis (CLUSTER KEYSLOT values)', () => {
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
  });

  it('with a hash-tagged REDIS_PREFIX every key the app builds, and BullMQ prefix, lands in one slot (multi-key scripts never cross slots)', () => {
    const prefix = loadConfig({ REDIS_PREFIX: '{dh}' }).REDIS_PREFIX;
    const keys = new RedisKeys(prefix);
    const built: string[] = [keys.bull];
    for (const name of Object.getOwnPropertyNames(RedisKeys.prototype)) {
      const fn = (keys as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof fn !== 'function') continue;
      const key = (fn as (...a: string[]) => unknown).call(keys, 'a1', 'b2', 'c3');
      if (typeof key === 'string') built.push(key);
    }
    expect(built.length).toBeGreaterThan(15);
    expect(new Set(built.map(slotOf))).toEqual(new Set([slotOf('dh')]));
    // Without a tag they spread over many slots: one person's keys in a script could be split.
    const plain = new RedisKeys('dh');
    expect(new Set([plain.inbox('a1'), plain.inboxLock('a1'), plain.bull].map(slotOf)).size).toBeGreaterThan(1);
  });

  it('REDIS_PREFIX takes one {hash tag}, not a broken or doubled one', () => {
    expect(loadConfig({ REDIS_PREFIX: 'prod:{dh}' }).REDIS_PREFIX).toBe('prod:{dh}');
    expect(() => loadConfig({ REDIS_PREFIX: 'a{b' })).toThrow('REDIS_PREFIX');
    expect(() => loadConfig({ REDIS_PREFIX: '{a}{b}' })).toThrow('REDIS_PREFIX');
  });
});
