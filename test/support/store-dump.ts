/** Everything the app stored, read the way someone with the database and Redis would: for privacy scans. */
import type { App } from '../../app/app.js';

/** Every document of every collection, as JSON, with where it was found. */
export async function mongoDump(app: App): Promise<{ where: string; json: string; doc: Record<string, unknown> }[]> {
  const db = app.conn.db!;
  const out: { where: string; json: string; doc: Record<string, unknown> }[] = [];
  for (const c of await db.listCollections().toArray()) {
    for (const doc of await db.collection(c.name).find({}).toArray()) out.push({ where: `${c.name}/${String(doc._id)}`, json: JSON.stringify(doc), doc });
  }
  return out;
}

/** Every Redis key under the app's prefix with its value, whatever the type. */
export async function redisDump(app: App): Promise<{ key: string; value: string }[]> {
  const r = app.redis;
  const out: { key: string; value: string }[] = [];
  const prefix = app.config.REDIS_PREFIX;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await r.type(key);
      let value: unknown;
      if (type === 'string') value = await r.get(key);
      else if (type === 'hash') value = await r.hgetall(key);
      else if (type === 'list') value = await r.lrange(key, 0, -1);
      else if (type === 'set') value = await r.smembers(key);
      else if (type === 'zset') value = await r.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await r.xrange(key, '-', '+');
      out.push({ key, value: JSON.stringify(value) });
    }
  } while (cursor !== '0');
  return out;
}

