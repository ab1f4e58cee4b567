/**
 * Rotating REPORTER_SEAL_KEY end to end: conversations, reporter links and kept message jobs
 * sealed under the old key are sealed again by `npm run admin -- reseal` run with the new key and
 * the old one as REPORTER_SEAL_KEY_PREVIOUS; afterwards the new key alone opens every one of them,
 * and the old key opens none. A second run finds nothing left to do.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverNotices } from '../concerns/notices.js';
import { openConversation } from '../engine/conversation-seal.js';
import { deliveryQueueName } from '../../workers/delivery-queue.js';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { addMember, assign, fastPolicy, waitForMessage } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, TEST_MARKER_KEY, TEST_SEAL_KEY, type TestApp } from '../../test/support/test-app.js';
import { Queue } from 'bullmq';
import { PrivacyKeys } from './privacy-keys.js';

const NEW_KEY = 'c3'.repeat(32);
const key = (hex: string) => Buffer.from(hex, 'hex');
const oldOnly = new PrivacyKeys(key(TEST_SEAL_KEY), key(TEST_MARKER_KEY));
const newOnly = new PrivacyKeys(key(NEW_KEY), key(TEST_MARKER_KEY));

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'sr-cadre', name: 'Anh Lực', roles: ['cadre'] });
  await assign(app, { memberId: 'sr-cadre', unit: 'vsip1', organisation: 'trade_union' });
  const worker = await addMember(app, { id: 'sr-w', name: 'Mai', orgUnitId: 'ent-hoa-sen' });
  await worker.say('menu');
  // An anonymous concern: a sealed reporter link, and a reply to the reporter sent as a sealed job (kept once sent).
  const { concern } = await app.services.concerns.submit({ memberId: 'sr-w', category: 'wages', orgUnitId: 'ent-hoa-sen', description: 'Chậm lương hai tháng liền', photos: 0, anonymous: true, intakeKey: 'sr-1', at: app.clock.now() });
  const notices = await app.services.concerns.act('sr-cadre', concern._id, { kind: 'reply', text: 'Công đoàn đang làm việc với công ty' }, app.clock.now(), 'sr-r');
  await deliverNotices(app.services.contacts, app.outbox, notices);
  await waitForMessage(worker, (m) => m.text.includes('Công đoàn đang làm việc'));
});
afterAll(async () => app?.close());

/** Every sealed value the stores keep: conversations, reporter links, message jobs in any state. */
async function sealedValues(): Promise<string[]> {
  const conversations = (await app.models.Conversation.find({ sealed: { $exists: true } }).lean()).map((c) => c.sealed!);
  const links = (await app.services.concerns.cm.ConcernReporter.find({}).lean()).map((r) => r.sealed!).filter(Boolean);
  const q = new Queue(deliveryQueueName('console', 0), { connection: { url: inject('redisUrl') }, prefix: app.outbox.redisKeys.bull });
  const jobs = (await q.getJobs(['completed', 'failed', 'waiting', 'delayed'])).map((j) => j.data.sealed as string | undefined).filter((s): s is string => !!s);
  await q.close();
  return [...conversations, ...links, ...jobs];
}

const opens = (keys: PrivacyKeys, sealed: string) => {
  try {
    keys.open(sealed);
    return true;
  } catch {
    return false;
  }
};

describe('rotating the seal key', () => {
  it('re-seals conversations, reporter links and kept message jobs; then the new key alone opens them all', async () => {
    const before = await sealedValues();
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.every((s) => opens(oldOnly, s) && !opens(newOnly, s))).toBe(true);

    const env = { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX };
    const run = await runAdminCli(['reseal'], env, { REPORTER_SEAL_KEY: NEW_KEY, REPORTER_SEAL_KEY_PREVIOUS: TEST_SEAL_KEY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^resealed 1 reporter link\(s\), [1-9]\d* conversation\(s\), [1-9]\d* message job\(s\)\n$/);

    const after = await sealedValues();
    expect(after).toHaveLength(before.length);
    expect(after.filter((s) => !opens(newOnly, s))).toEqual([]);
    expect(after.some((s) => opens(oldOnly, s))).toBe(false);
    // What was sealed is unchanged: the worker's conversation opens to the same place.
    const conv = await app.models.Conversation.findById('console:chat-sr-w').lean();
    expect(openConversation(newOnly, conv!)).toMatchObject({ flow: expect.any(String) });

    expect((await runAdminCli(['reseal'], env, { REPORTER_SEAL_KEY: NEW_KEY, REPORTER_SEAL_KEY_PREVIOUS: TEST_SEAL_KEY })).stdout).toBe('resealed 0 reporter link(s), 0 conversation(s), 0 message job(s)\n');
  });
});
