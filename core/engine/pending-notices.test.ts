/**
 * A turn's messages to other people survive a crash between its commit and the queue: here the
 * process "dies" (the outbox throws) right when a new concern's notice to the cadre is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, settle } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';
import type { Envelope } from './types.js';

let app: TestApp;
let worker: ConsolePerson;
let cadre: ConsolePerson;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  worker = await addMember(app, { id: 'm-nga', name: 'Trần Thị Nga', orgUnitId: 'ent-phuc-thinh', chatId: 'w-nga' });
  cadre = await addMember(app, { id: 'm-hoa', name: 'Chị Hoa', roles: ['worker', 'cadre'], chatId: 'c-hoa' });
  await assign(app, { memberId: 'm-hoa', unit: 'vsip1', organisation: 'womens_union' });
});
afterAll(async () => app?.close());

describe('notices to other people and a crash after the commit', () => {
  it('queues the cadre notice exactly once when the event is handled again after the crash', async () => {
    await worker.say('menu');
    await worker.say('concerns');
    await worker.say('new');
    await worker.say('quay roi tinh duc');
    await worker.say('1');
    await worker.say('Tổ trưởng chuyền 2 nhắn tin khiếm nhã sau giờ làm');
    await worker.say('xong');
    await worker.say('an danh');

    // The process dies right after the commit, while queueing the notice for the cadre.
    const send = app.outbox.send.bind(app.outbox);
    app.outbox.send = async (envelopes: Envelope[]) => {
      if (envelopes.some((e) => e.chatId === 'c-hoa')) throw new Error('process killed');
      return send(envelopes);
    };
    const confirm = { channel: 'console' as const, userId: 'w-nga', chatId: 'w-nga', eventId: 'confirm-1', text: 'gui di', at: app.clock.now() };
    await expect(app.engine.handle(confirm)).rejects.toThrow('process killed');
    app.outbox.send = send;
    await settle(app, 500);
    const code = (await app.services.concerns.mine('m-nga'))[0]?._id;
    expect(code).toMatch(/^PA-/);
    expect(cadre.inbox.some((m) => m.text.includes(code!))).toBe(false);
    expect((await app.models.Conversation.findById('console:w-nga').lean())?.pendingNotices?.envelopes).toHaveLength(1);

    // Restarted: the event is still first in the person's inbox and is handled again.
    await app.engine.handle(confirm);
    await app.engine.handle(confirm); // and a platform redelivery on top
    await settle(app, 800);
    expect(cadre.inbox.filter((m) => m.text.includes(code!))).toHaveLength(1);
    expect(textOf(worker.inbox.filter((m) => m.text.includes(code!)))).toContain(code);
    expect((await app.models.Conversation.findById('console:w-nga').lean())?.pendingNotices).toBeUndefined();
  });
});
