/**
 * Notices sent from outside a conversation (SLA timers, admin commands) on the real Redis and
 * MongoDB-wire server: the text, then the photos, leave in order, and each delivery record
 * is written once, with the outcome — never "queued" and then updated, which on FerretDB scans
 * the whole deliveries collection on every escalation.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addMember } from '../../test/support/concern-fixtures.js';
import { ConsoleChannel, startTestApp, type ConsoleMessage, type TestApp } from '../../test/support/test-app.js';
import { deliveryJobId, QueueOutbox } from '../../workers/delivery-queue.js';
import { RedisKeys } from '../redis-keys.js';
import { startDeliveryWorkers } from '../../workers/delivery-worker.js';
import { DeliveryLog } from '../delivery-log.js';
import { deliverNotices } from './notices.js';

let app: TestApp;
const prefix = `notices-test-${randomBytes(4).toString('hex')}`;
const redisKeys = new RedisKeys(prefix);
const u = new URL(inject('redisUrl'));
const connection = { host: u.hostname, port: Number(u.port || 6379) };

beforeAll(async () => {
  app = await startTestApp();
  await addMember(app, { id: 'm-cadre', roles: ['worker', 'cadre'], chatId: 'c-cadre' });
});
afterAll(async () => {
  const redis = new Redis(connection);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await app?.close();
});

describe('notices delivered from a job', () => {
  it('send the text and its photos in order and record the delivery only with its outcome', async () => {
    // An outbox whose lanes nobody works yet, so what is written before the send can be seen.
    const outbox = new QueueOutbox(connection, redisKeys, { console: 1, telegram: 1, zalo: 1 }, app.services.keys);
    const photos = { refs: [{ channel: 'zalo' as const, ref: 'https://photo-stal.zadn.vn/a.jpg' }, { channel: 'telegram' as const, ref: 'AgAC-file' }], captions: ['Ảnh 1/2', 'Ảnh 2/2'], unavailable: (n: number) => `${n} ảnh không xem được` };
    await deliverNotices(app.services.contacts, outbox, [{ memberId: 'm-cadre', key: 'notice-1', message: { text: 'Phản ánh mới PA-7K3M' }, photos }]);
    // The text and each photo or note leave as deliveries of their own, so one refused photo fails alone.
    const jobIds = ['notice-1', 'notice-1:m1', 'notice-1:m2'].map(deliveryJobId);
    for (const id of jobIds) expect(await app.models.Delivery.findById(id).lean()).toBeNull();

    const channel = new ConsoleChannel();
    const got: ConsoleMessage[] = [];
    channel.onMessage((m) => got.push(m));
    const workers = startDeliveryWorkers(channel, { connection, redisKeys, deliveries: new DeliveryLog(app.models), markUnreachable: async (c, id) => void (await app.services.members.markUnreachable(c, id)), log: app.log, ratePerSecond: 100, shards: 1, keys: app.services.keys });
    try {
      await expect.poll(async () => (await app.models.Delivery.find({ _id: { $in: jobIds } }).lean()).map((d) => d.status), { timeout: 10_000 }).toEqual(['sent', 'sent', 'sent']);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await outbox.close();
    }
    expect(got.map((m) => [m.chatId, m.message.text, m.message.photoUrl])).toEqual([
      ['c-cadre', 'Phản ánh mới PA-7K3M', undefined],
      ['c-cadre', 'Ảnh 1/2', 'https://photo-stal.zadn.vn/a.jpg'],
      ['c-cadre', '1 ảnh không xem được', undefined],
    ]);
    for (const id of jobIds) {
      const record = (await app.models.Delivery.findById(id).lean())!;
      expect(record).toMatchObject({ channel: 'console', chatId: 'c-cadre', memberId: 'm-cadre', attempts: 1 });
      expect(record.createdAt).toEqual(record.sentAt);
    }
  });
});
