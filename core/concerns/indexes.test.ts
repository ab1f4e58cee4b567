/**
 * The concerns area's lookups that are not by `_id` — a member's chats, a member's concerns, a
 * cadre's concerns — have an index, so on MongoDB (production) they stay fast as the
 * collections grow. (FerretDB accepts the indexes and scans anyway; see README.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { bindConcernModels } from './models.js';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
  await Promise.all(Object.values(bindConcernModels(db.conn)).map((m) => m.init()));
});
afterAll(async () => db?.close());

const keysOf = async (collection: string) => (await db.conn.db!.collection(collection).indexes()).map((i) => i.key);

describe('indexes of the concerns lookups', () => {
  it('has them on chats by member, reporters by member and concerns by assignee', async () => {
    expect(await keysOf('channel_identities')).toContainEqual({ memberId: 1 });
    expect(await keysOf('concern_reporters')).toContainEqual({ memberId: 1 });
    expect(await keysOf('concerns')).toContainEqual({ assigneeId: 1 });
  });
});
