/**
 * Seeds benchmark members in a process of its own (as an earlier import would have), so the
 * benchmark's memory figures are the broadcast's, not the setup's.
 * Usage: tsx tools/seed-bench-members.ts <mongoUri> <db> <count> <firstUserId>
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bindModels, connectMongo } from '../core/db.js';
import { seedMembers } from '../test/support/broadcast-members.js';

/** Seeds `count` Telegram members of unit `hcm` with user ids from `firstUserId`, in a child process. */
export async function seedInChild(mongoUri: string, db: string, count: number, firstUserId: number): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mongoUri, db, String(count), String(firstUserId)]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [uri, db, count, first] = process.argv.slice(2);
  const conn = await connectMongo(uri!, db!);
  await seedMembers(bindModels(conn), Number(count), { channel: 'telegram', unit: () => 'hcm', userId: (i) => String(Number(first) + i) });
  await conn.close();
}
