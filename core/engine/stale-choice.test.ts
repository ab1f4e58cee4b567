/**
 * Stale buttons: every question asked carries a nonce, and a tap on a button of an earlier
 * question is refused instead of answering the current one. The case that mattered: the "Có"
 * of "reveal who you are for concern A?" tapped while the same question is open for concern B.
 * Through the engine's public surface (console chat; taps carry choiceId and choiceNonce as the
 * Telegram adapter parses them), on the real Redis and MongoDB-wire server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../../test/support/test-app.js';
import type { Outbound } from './types.js';

let app: TestApp;
let lan: ConsolePerson;
const vi = () => app.services.i18n.for('vi');

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy();
  lan = await addMember(app, { id: 'm-lan', name: 'Lan', orgUnitId: 'ent-phuc-thinh', chatId: 'lan-chat' });
  await addMember(app, { id: 'm-tu', name: 'Tâm', roles: ['worker', 'cadre'], chatId: 'tu-chat' });
  await assign(app, { memberId: 'm-tu', unit: 'vsip1', organisation: 'trade_union' });
});
afterAll(async () => app?.close());

/** The last question Lan was asked (a message with choices). */
const lastQuestion = (p: ConsolePerson): Outbound => [...p.inbox].reverse().find((m) => m.choices?.length)!;

/** Taps the button `id` under `question` (default: the last one asked), as a Telegram button would. */
function tap(p: ConsolePerson, id: string, question: Outbound = lastQuestion(p)): Promise<Outbound[]> {
  expect(question.choices?.map((c) => c.id)).toContain(id);
  expect(question.choiceNonce).toMatch(/^[A-Za-z0-9_-]{6}$/);
  return p.send({ choiceId: id, choiceNonce: question.choiceNonce });
}

async function raiseAnonymousConcern(p: ConsolePerson, description: string): Promise<string> {
  await p.say('menu');
  for (const id of ['concerns', 'new', 'wages', 'workplace']) await tap(p, id);
  await p.say(description);
  for (const id of ['done', 'anonymous']) await tap(p, id);
  const sent = await tap(p, 'send');
  return /PA-[2-9A-Z]{4}/.exec(textOf(sent))![0];
}

const revealConsents = async () => (await app.models.Audit.find({ action: 'concern.reporter.reveal_consent' }, { target: 1 }).lean()).map((a) => a.target);

describe('buttons of an earlier question', () => {
  let a = '';
  let b = '';

  beforeAll(async () => {
    a = await raiseAnonymousConcern(lan, 'Lương tháng 10 bị trả chậm hai tuần');
    b = await raiseAnonymousConcern(lan, 'Tiền tăng ca tháng 11 chưa được trả');
  });

  it('each question asked gets a nonce of its own, in its message and its buttons', async () => {
    await lan.say('menu');
    const first = lastQuestion(lan);
    await lan.say('menu');
    const again = lastQuestion(lan);
    expect(first.choiceNonce).toMatch(/^[A-Za-z0-9_-]{6}$/);
    expect(again.choiceNonce).toMatch(/^[A-Za-z0-9_-]{6}$/);
    expect(again.choiceNonce).not.toBe(first.choiceNonce);
  });

  it('an old "Có" tapped while another question is open is refused, changes nothing, and the current question is asked again', async () => {
    await lan.say('menu');
    for (const id of ['concerns', 'mine', a, 'reveal']) await tap(lan, id);
    const revealA = lastQuestion(lan);
    expect(revealA.text).toContain(a);
    // Lan does not answer; she goes back to her list and opens the same question for B.
    await lan.say('quay lại');
    await lan.say('quay lại');
    for (const id of [b, 'reveal']) await tap(lan, id);
    const revealB = lastQuestion(lan);
    expect(revealB.text).toContain(b);
    expect(revealB.choices).toEqual(revealA.choices);

    const refused = await tap(lan, 'yes', revealA);
    expect(refused[0]!.text).toBe(vi()('common:stale_choice'));
    expect(refused.at(-1)!.text).toContain(b);
    expect(refused.at(-1)!.choices?.map((c) => c.id)).toEqual(['yes', 'no']);
    // Nobody was revealed: neither B (the open question) nor A (the button's question).
    expect(await revealConsents()).toEqual([]);
    expect(await app.services.concerns.vault.isSealed(a)).toBe(true);
    expect(await app.services.concerns.vault.isSealed(b)).toBe(true);

    // The refusal asked again under a new nonce: the buttons shown before it are stale too.
    const current = lastQuestion(lan);
    expect(current.choiceNonce).not.toBe(revealB.choiceNonce);
    expect((await tap(lan, 'yes', revealB))[0]!.text).toBe(vi()('common:stale_choice'));
    expect(await revealConsents()).toEqual([]);

    // The current question's "Có" works, for B only.
    const done = await tap(lan, 'yes');
    expect(textOf(done)).toContain(vi()('concern:revealed'));
    expect(await revealConsents()).toEqual([b]);
  });

  it('a button of a step that asks nothing now is stale too', async () => {
    await lan.say('menu');
    await tap(lan, 'concerns');
    const concernsHome = lastQuestion(lan);
    await tap(lan, 'new');
    await tap(lan, 'wages');
    await tap(lan, 'workplace');
    // The description step asks for text and offers no buttons.
    const refused = await tap(lan, 'mine', concernsHome);
    expect(refused[0]!.text).toBe(vi()('common:stale_choice'));
    expect(refused.at(-1)!.text).toBe(vi()('concern:ask_description'));
    await lan.say('hủy');
  });

  it('typed answers and buttons sent before nonces existed are matched as before', async () => {
    await lan.say('menu');
    // A button without a nonce (already in a chat before this version): taken as today.
    await lan.send({ choiceId: 'concerns' });
    expect(lastQuestion(lan).choices?.map((c) => c.id)).toEqual(['new', 'mine', 'back']);
    // Typed: the number, then words (Zalo has no buttons).
    await lan.say('2');
    expect(lastQuestion(lan).choices?.map((c) => c.id)).toContain(a);
    await lan.say('quay lai');
    expect(lastQuestion(lan).choices?.map((c) => c.id)).toEqual(['new', 'mine', 'back']);
  });
});
