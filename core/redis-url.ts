/**
 * The one reading of REDIS_URL into ioredis connection options, for the app's own connection
 * and for BullMQ's (which opens its own sockets), so both reach the same server the same way:
 * - `redis://[user:pass@]host[:port][/db]`, and `rediss://` for TLS;
 * - `redis-sentinel://[user:pass@]host1[:port],host2[:port]/master[/db]` (TLS to the servers with
 *   `rediss-sentinel://`): ioredis asks the Sentinels which server is the master and follows
 *   a failover. The password is the master's (Sentinels usually need none here).
 */
import type { RedisOptions } from 'ioredis';

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

const SENTINEL = /^(rediss?)-sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/?#]+)(?:\/(\d+))?\/?$/;

export function redisOptionsFromUrl(url: string): RedisOptions {
  const sentinel = SENTINEL.exec(url);
  if (sentinel) {
    const [, scheme, user, pass, hosts, name, db] = sentinel as unknown as [string, string, string | undefined, string | undefined, string, string, string | undefined];
    const sentinels = hosts.split(',').map((h) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h.trim());
      if (!m || !m[1]) throw new RedisUrlError(`REDIS_URL: bad Sentinel address "${h}"`);
      return { host: m[1], port: Number(m[2] ?? 26379) };
    });
    return {
      sentinels,
      name: decodeURIComponent(name),
      ...(user ? { username: decodeURIComponent(user) } : {}),
      ...(pass ? { password: decodeURIComponent(pass) } : {}),
      db: db ? Number(db) : 0,
      ...(scheme === 'rediss' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError('REDIS_URL: not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(`REDIS_URL: unsupported scheme ${u.protocol}`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Where a URL points, for messages (no password). */
export function redisUrlForDisplay(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
