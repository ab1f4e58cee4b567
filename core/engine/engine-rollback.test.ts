/**
 * A draft taken with `ctx.draft` is changed in place: the change is committed with the step, and
 * a step that fails after changing it leaves the stored conversation as it was (the engine hands
 * each event a deep copy of the state, so nested changes cannot survive the rollback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { startTestApp, storedConversation, type TestApp } from '../../test/support/test-app.js';
import { sealConversation } from './conversation-seal.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Flow } from './flow.js';

interface Box {
  items: string[];
}
const emptyBox = (): Box => ({ items: [] });

const CHOICES = [
  { id: 'add', label: 'Add' },
  { id: 'fail', label: 'Fail' },
  { id: 'drop', label: 'Drop' },
];

const drafting: Flow = {
  name: 'test-draft',
  steps: {
    edit: {
      enter(ctx) {
        ctx.ask('Edit?', CHOICES);
      },
      input(ctx, { choice }) {
        if (choice!.id === 'drop') {
          ctx.dropDraft('box');
          return ctx.repeat();
        }
        ctx.draft('box', emptyBox).items.push(`changed in place (${choice!.id})`);
        if (choice!.id === 'fail') throw new Error('a bug after changing the draft');
        return ctx.repeat();
      },
    },
  },
};

let app: TestApp;
let engine: Engine;
beforeAll(async () => {
  app = await startTestApp();
  const options = (app.engine as unknown as { o: EngineOptions }).o;
  engine = new Engine({ ...options, flows: [...allFlows, drafting] });
});
afterAll(async () => app?.close());

/** A conversation resting at the test step, with `data` stored. */
async function storeAt(id: string, data: Record<string, unknown>): Promise<void> {
  const now = app.clock.now();
  await app.models.Conversation.create({
    _id: `console:${id}`,
    ...sealConversation(app.services.keys, { flow: 'test-draft', step: 'edit', data, history: [], choices: CHOICES, recentEvents: [], expiresAt: new Date(now.getTime() + 3600_000), updatedAt: now }),
  });
}

describe('a draft changed in place', () => {
  it('is committed with the step, and created with its init when there is none', async () => {
    const p = await addMember(app, { id: 'm-draft-commit', chatId: 'draft-commit' });
    await storeAt('draft-commit', { box: { items: ['kept'] } });
    await engine.handle({ channel: 'console', userId: 'draft-commit', chatId: 'draft-commit', eventId: 'dc-1', text: 'add', at: app.clock.now() });
    await p.waitDelivered('dc-1');
    expect(await storedConversation(app, 'console:draft-commit')).toMatchObject({ step: 'edit', data: { box: { items: ['kept', 'changed in place (add)'] } } });

    await engine.handle({ channel: 'console', userId: 'draft-commit', chatId: 'draft-commit', eventId: 'dc-2', text: 'drop', at: app.clock.now() });
    await p.waitDelivered('dc-2');
    expect((await storedConversation(app, 'console:draft-commit'))!.data).not.toHaveProperty('box');

    await engine.handle({ channel: 'console', userId: 'draft-commit', chatId: 'draft-commit', eventId: 'dc-3', text: 'add', at: app.clock.now() });
    await p.waitDelivered('dc-3');
    expect((await storedConversation(app, 'console:draft-commit'))!.data).toEqual({ box: { items: ['changed in place (add)'] } });
  });

  it('is rolled back when the step fails', async () => {
    const p = await addMember(app, { id: 'm-rollback', chatId: 'rollback' });
    await storeAt('rollback', { box: { items: ['kept'] } });
    await engine.handle({ channel: 'console', userId: 'rollback', chatId: 'rollback', eventId: 'rb-1', text: 'fail', at: app.clock.now() });
    await p.waitDelivered('rb-1');
    expect(p.last.text).toBe(app.services.i18n.for('vi')('common:error_generic'));
    const after = await storedConversation(app, 'console:rollback');
    expect(after).toMatchObject({ flow: 'test-draft', step: 'edit', data: { box: { items: ['kept'] } } });
  });
});
