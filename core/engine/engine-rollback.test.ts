/**
 * A step that fails after changing a draft in place leaves the stored conversation as it was:
 * the engine hands each event a deep copy of the state, so nested changes cannot survive the
 * rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { startTestApp, storedConversation, type TestApp } from '../../test/support/test-app.js';
import { sealConversation } from './conversation-seal.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Flow } from './flow.js';

const failing: Flow = {
  name: 'test-failing',
  steps: {
    edit: {
      enter(ctx) {
        ctx.ask('Edit?', [{ id: 'go', label: 'Go' }]);
      },
      input(ctx) {
        (ctx.state.data.box as { items: string[] }).items.push('changed in place');
        throw new Error('a bug after changing the draft');
      },
    },
  },
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

describe('a failing step', () => {
  it('rolls back nested changes of the draft', async () => {
    const p = await addMember(app, { id: 'm-rollback', chatId: 'rollback' });
    const now = app.clock.now();
    await app.models.Conversation.create({
      _id: 'console:rollback',
      ...sealConversation(app.services.keys, { flow: 'test-failing', step: 'edit', data: { box: { items: ['kept'] } }, history: [], choices: [{ id: 'go', label: 'Go' }], recentEvents: [], expiresAt: new Date(now.getTime() + 3600_000), updatedAt: now }),
    });
    const options = (app.engine as unknown as { o: EngineOptions }).o;
    const engine = new Engine({ ...options, flows: [...allFlows, failing] });
    await engine.handle({ channel: 'console', userId: 'rollback', chatId: 'rollback', eventId: 'rb-1', text: 'go', at: now });
    await p.waitDelivered('rb-1');
    expect(p.last.text).toBe(app.services.i18n.for('vi')('common:error_generic'));
    const after = await storedConversation(app, 'console:rollback');
    expect(after).toMatchObject({ flow: 'test-failing', step: 'edit', data: { box: { items: ['kept'] } } });
  });
});
