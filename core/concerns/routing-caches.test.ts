/** The caches on the escalation path never serve what changed: cadre assignments across processes, members' chats. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { RedisKeys } from '../redis-keys.js';
import { CadreDirectory } from './cadre-directory.js';
import { ContactBook } from './contact-book.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
});
afterEach(async () => app?.close());

describe('cadre directory', () => {
  it('reloads in every process once any process changes an assignment', async () => {
    const concerns = app.services.concerns;
    // Another process: its own directory on the same database and Redis.
    const other = new CadreDirectory(concerns.cm, app.redis, new RedisKeys(app.config.REDIS_PREFIX));
    expect(await other.active()).toEqual([]);
    await addMember(app, { id: 'tu1', roles: ['cadre'] });
    await assign(app, { memberId: 'tu1', unit: 'vsip1', organisation: 'trade_union' });
    expect((await other.active()).map((a) => a.memberId)).toEqual(['tu1']);
    await concerns.endAssignment('tu1:vsip1:trade_union', app.clock.now());
    expect(await other.active()).toEqual([]);
  });
});

describe('contact book', () => {
  it('re-reads the known identities, so unreachable or unlinked chats are never used', async () => {
    await addMember(app, { id: 'm1', chatId: 'first' });
    await app.models.ChannelIdentity.create({ _id: 'console:second', channel: 'console', platformUserId: 'second', chatId: 'second', memberId: 'm1', createdAt: app.clock.now() });
    const book = new ContactBook(app.models);
    expect(await book.chatOf('m1')).toEqual({ channel: 'console', chatId: 'first' });
    await app.models.ChannelIdentity.updateOne({ _id: 'console:first' }, { $set: { unreachable: true } });
    expect(await book.chatOf('m1')).toEqual({ channel: 'console', chatId: 'second' });
    await app.models.ChannelIdentity.updateOne({ _id: 'console:second' }, { $unset: { memberId: 1 } });
    expect(await book.chatOf('m1')).toBeUndefined();
    // A chat linked later is found at once when none of the known ones can be used.
    await app.models.ChannelIdentity.create({ _id: 'console:third', channel: 'console', platformUserId: 'third', chatId: 'third', memberId: 'm1', createdAt: app.clock.now() });
    expect(await book.chatOf('m1')).toEqual({ channel: 'console', chatId: 'third' });
  });

  it('finds a member who joined after the book was built', async () => {
    const book = new ContactBook(app.models);
    expect(await book.chatOf('nobody')).toBeUndefined();
    await addMember(app, { id: 'late', chatId: 'late-chat' });
    expect(await book.chatOf('late')).toEqual({ channel: 'console', chatId: 'late-chat' });
  });
});
