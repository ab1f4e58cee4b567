/**
 * Roles declared on a flow (and overridden on a step) are enforced by the engine: checked live
 * on every event before a step is shown or its answer handled; a member without the role is told
 * why, taken home, and the refusal audited once per event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { addMember } from '../../test/support/concern-fixtures.js';
import { startTestApp, storedConversation, textOf, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';
import type { Role } from '../db.js';
import { sealConversation } from './conversation-seal.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Flow } from './flow.js';

/** A small staff area: the flow is for the secretariat; one step for cadres instead, one for every member. */
const staffFlow: Flow = {
  name: 'test-staff',
  roles: ['secretariat'],
  steps: {
    desk: {
      enter(ctx) {
        ctx.ask('Desk', [
          { id: 'stay', label: 'Stay' },
          { id: 'cadres', label: 'Cadres' },
          { id: 'open', label: 'Open' },
        ]);
      },
      input(ctx, { choice }) {
        if (choice!.id === 'cadres') return ctx.go('test-staff', 'cadres');
        if (choice!.id === 'open') return ctx.go('test-staff', 'open');
        ctx.reply('Desk answered');
        return ctx.repeat();
      },
    },
    cadres: {
      roles: ['cadre'],
      enter(ctx) {
        ctx.ask('Cadres only', [{ id: 'ok', label: 'OK' }]);
      },
      input(ctx) {
        ctx.reply('Cadre answered');
        return ctx.repeat();
      },
    },
    open: {
      roles: [],
      enter(ctx) {
        ctx.ask(`Open to all; may enter the desk: ${ctx.mayEnter('test-staff') ? 'yes' : 'no'}`, [{ id: 'ok', label: 'OK' }]);
      },
      input(ctx) {
        return ctx.repeat();
      },
    },
  },
};

let app: TestApp;
let engine: Engine;
let seq = 0;
beforeAll(async () => {
  app = await startTestApp();
  const options = (app.engine as unknown as { o: EngineOptions }).o;
  engine = new Engine({ ...options, flows: [...allFlows, staffFlow] });
});
afterAll(async () => app?.close());

const vi = () => app.services.i18n.for('vi');

/** Sends one event through the engine that knows the test flow; returns its replies once delivered. */
async function say(p: ConsolePerson, text: string, eventId = `roles-${++seq}`) {
  const before = p.inbox.length;
  await engine.handle({ channel: 'console', userId: p.userId, chatId: p.userId, eventId, text, at: app.clock.now() });
  await p.waitDelivered(eventId);
  return p.inbox.slice(before);
}

/** A member whose conversation sits at a step of the test flow, its question open. */
async function at(id: string, roles: Role[], step: string, choices: { id: string; label: string }[], history = [{ flow: 'menu', step: 'main' }]): Promise<ConsolePerson> {
  const p = await addMember(app, { id, chatId: id, roles });
  const now = app.clock.now();
  await app.models.Conversation.create({
    _id: `console:${id}`,
    ...sealConversation(app.services.keys, { flow: 'test-staff', step, data: {}, history, choices, recentEvents: [], expiresAt: new Date(now.getTime() + 3600_000), updatedAt: now }),
  });
  return p;
}

const DESK = [
  { id: 'stay', label: 'Stay' },
  { id: 'cadres', label: 'Cadres' },
  { id: 'open', label: 'Open' },
];

const refusals = (actor: string) => app.models.Audit.find({ action: 'test-staff.denied', actor }).lean();

describe('roles declared on a flow', () => {
  it('lets a member holding the role in', async () => {
    const p = await at('r-sec', ['worker', 'secretariat'], 'desk', DESK);
    expect(textOf(await say(p, 'stay'))).toContain('Desk answered');
    expect(await refusals('r-sec')).toHaveLength(0);
  });

  it('refuses a role revoked mid-conversation on the next event: told why, taken home, audited once', async () => {
    const p = await at('r-revoked', ['worker', 'secretariat'], 'desk', DESK);
    await app.models.Member.updateOne({ _id: 'r-revoked' }, { $set: { roles: ['worker'] } });
    const replies = await say(p, 'stay', 'revoked-1');
    expect(textOf(replies)).not.toContain('Desk answered');
    expect(replies[0]!.text).toBe(vi()('common:not_allowed.secretariat'));
    expect(replies.filter((r) => r.text === vi()('common:not_allowed.secretariat'))).toHaveLength(1);
    expect(await storedConversation(app, 'console:r-revoked')).toMatchObject({ flow: 'menu', step: 'main', history: [] });
    // The menu offers only what the member may enter.
    expect(p.last.choices?.map((c) => c.id)).not.toContain('secretariat');
    const audit = await refusals('r-revoked');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: 'test-staff.desk', details: { required: ['secretariat'] } });
    // The same event delivered again writes no second entry.
    await say(p, 'stay', 'revoked-1');
    expect(await refusals('r-revoked')).toHaveLength(1);
  });

  it('checks a step that overrides the flow\'s roles before showing it', async () => {
    const p = await at('r-sec-only', ['secretariat'], 'desk', DESK);
    const replies = await say(p, 'cadres');
    expect(textOf(replies)).not.toContain('Cadres only');
    expect(replies[0]!.text).toBe(vi()('common:not_allowed.cadre'));
    expect(await storedConversation(app, 'console:r-sec-only')).toMatchObject({ flow: 'menu', step: 'main' });
    expect(await refusals('r-sec-only')).toEqual([expect.objectContaining({ target: 'test-staff.cadres', details: { required: ['cadre'] } })]);

    const cadre = await at('r-cadre', ['cadre'], 'cadres', [{ id: 'ok', label: 'OK' }]);
    expect(textOf(await say(cadre, 'ok'))).toContain('Cadre answered');
    expect(await refusals('r-cadre')).toHaveLength(0);
  });

  it('lets every member into a step declaring no roles; "back" into the flow is refused', async () => {
    const p = await at('r-worker', ['worker'], 'open', [{ id: 'ok', label: 'OK' }], [{ flow: 'test-staff', step: 'desk' }]);
    expect(textOf(await say(p, 'ok'))).toContain('may enter the desk: no');
    const back = await say(p, 'quay lại');
    expect(back[0]!.text).toBe(vi()('common:not_allowed.secretariat'));
    expect(p.last.choices?.map((c) => c.id)).toContain('settings');
    expect(await refusals('r-worker')).toHaveLength(1);
  });

  it('lets a global word lead out of a refused step without a refusal', async () => {
    const p = await at('r-leaving', ['worker'], 'desk', DESK);
    const replies = await say(p, 'menu');
    expect(textOf(replies)).not.toContain(vi()('common:not_allowed.secretariat'));
    expect(await storedConversation(app, 'console:r-leaving')).toMatchObject({ flow: 'menu', step: 'main' });
    expect(await refusals('r-leaving')).toHaveLength(0);
  });

  it('offers menu entries by the roles declared on their flows', async () => {
    const menuOf = async (id: string, roles: Role[]) => {
      const p = await addMember(app, { id, chatId: id, roles });
      await say(p, 'menu');
      return p.last.choices?.map((c) => c.id);
    };
    const worker = await menuOf('r-menu-worker', ['worker']);
    expect(worker).toContain('settings');
    expect(worker).not.toContain('secretariat');
    expect(worker).not.toContain('survey_results');
    expect(worker).not.toContain('cadre_inbox');
    expect(await menuOf('r-menu-cadre', ['cadre'])).toContain('cadre_inbox');
    expect(await menuOf('r-menu-sec', ['secretariat'])).toEqual(expect.arrayContaining(['secretariat', 'survey_results']));
    // The secretariat area, like the broadcast service, also admits an administrator.
    const admin = await menuOf('r-menu-admin', ['admin']);
    expect(admin).toContain('secretariat');
    expect(admin).not.toContain('survey_results');
  });
});

describe('wording on staff screens', () => {
  it('the engine speaks to a cadre on their screens as "anh/chị", and to a worker as "bạn"', async () => {
    const cadre = await addMember(app, { id: 'm-wording-cadre', roles: ['worker', 'cadre'], chatId: 'wording-cadre' });
    await cadre.say('menu');
    await cadre.say('cadre_inbox');
    const refused = await cadre.send({ media: 'sticker' });
    expect(refused[0]!.text).toBe(app.services.i18n.for('vi')('common:media_not_understood_sticker_staff'));
    expect(refused[0]!.text).toContain('anh/chị');
    await cadre.say('menu');
    const asWorker = await cadre.send({ media: 'sticker' });
    expect(asWorker[0]!.text).toBe(app.services.i18n.for('vi')('common:media_not_understood_sticker'));
    expect(asWorker[0]!.text).toContain('bạn');
  });
});
