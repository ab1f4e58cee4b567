/** A fresh database on the real MongoDB-wire server for one test file, dropped at the end. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Connection } from 'mongoose';
import { bindModels, connectMongo, type Models } from '../../core/db.js';

export interface TestDb {
  conn: Connection;
  models: Models;
  dbName: string;
  close(): Promise<void>;
}

/** Opens `t_<random>` on the server the global setup started (FerretDB or MONGODB_URI). */
export async function openTestDb(): Promise<TestDb> {
  const dbName = `t_${randomBytes(5).toString('hex')}`;
  const conn = await connectMongo(inject('mongoUri'), dbName);
  const models = bindModels(conn);
  await Promise.all(Object.values(models).map((m) => m.init()));
  return {
    conn,
    models,
    dbName,
    async close() {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    },
  };
}
