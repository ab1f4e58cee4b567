/**
 * Property: whatever an anonymous reporter is called, whatever their ids and phone number, and
 * whatever they write, no text delivered to any cadre chat contains their name, member id or
 * phone (the platform user id) — through intake with a photo, assignment notices, the inbox,
 * the item view, accepting, asking, the relayed answer in words and in a photo, and a transfer
 * to another cadre who opens it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryIds, DEFAULT_POLICY } from '../core/concerns/policy.js';
import { addMember, assign, fastPolicy, waitForMessage } from '../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../test/support/sample-units.js';
import { startTestApp, textOf, type ConsolePerson, type TestApp } from '../test/support/test-app.js';

let app: TestApp;
const cadreChats = new Map<string, string[]>();
const cadres: Record<string, ConsolePerson> = {};

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  // Ten concerns at one enterprise group into collective cases (3 of a category within 14 days):
  // the case's lead gets the photos of the concerns handed to them with the case's notice, so the
  // same path is followed whether a concern stays single or joins a case.
  app.services.concerns.policy = fastPolicy();
  for (const org of ['trade_union', 'womens_union', 'youth_union'] as const) {
    for (const n of ['', '2']) {
      const id = `cadre${n}-${org}`;
      cadres[id] = await addMember(app, { id, name: `Cán bộ ${n} ${org}`, roles: ['cadre'], chatId: `chat-${id}` });
      await assign(app, { memberId: id, unit: 'hcm', organisation: org });
      cadreChats.set(`chat-${id}`, []);
    }
  }
  // Everything a cadre's chat shows: texts, choices, photo captions and photo addresses.
  app.console.onMessage((m) => cadreChats.get(m.chatId)?.push([m.message.text, ...(m.message.choices ?? []).map((c) => c.label), m.message.photoUrl ?? ''].join('\n')));
});
afterAll(async () => app?.close());

const safeText = (min: number) =>
  fc.string({ minLength: min, maxLength: 160, unit: 'grapheme' }).filter((s) => s.trim().length >= min && !s.trim().startsWith('/') && !/[\r\n]/.test(s));

describe('anonymity', () => {
  it('no text a cadre receives ever contains an anonymous reporter\'s name, id or phone', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          name: fc.string({ minLength: 6, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim().length >= 6),
          memberId: fc.stringMatching(/^[A-Za-z0-9_-]{10,24}$/),
          phone: fc.stringMatching(/^0[35789][0-9]{8}$/),
          category: fc.constantFrom(...categoryIds(DEFAULT_POLICY)),
          description: safeText(10),
          answer: safeText(12),
        }),
        async (r) => {
          const secrets = [r.name.trim(), r.memberId, r.phone];
          fc.pre(secrets.every((s) => !r.description.includes(s) && !r.answer.includes(s)));
          fc.pre(!(await app.models.Member.exists({ _id: r.memberId })) && !(await app.models.ChannelIdentity.exists({ _id: `console:${r.phone}` })));
          for (const list of cadreChats.values()) list.length = 0;
          run++;

          const worker = await addMember(app, { id: r.memberId, name: r.name, orgUnitId: 'ent-phuc-thinh', chatId: r.phone });
          for (const say of ['menu', 'concerns', 'new', r.category, 'workplace']) await worker.say(say);
          // Others raised the same here: join their collective case (its lead gets this concern with its photo).
          if (worker.last.choices?.some((c) => c.id === 'join')) await worker.say('join');
          await worker.say(r.description);
          await worker.send({ media: 'photo', photoRef: `https://example.org/evidence-${run}.jpg` });
          for (const say of ['done', 'anonymous']) await worker.say(say);
          const sent = await worker.say('send');
          const code = /PA-[2-9A-Z]{4,6}/.exec(textOf(sent))?.[0];
          expect(code, textOf(sent)).toBeDefined();
          const assignee = (await app.services.concerns.get(code!))!.assigneeId!;
          const cadre = cadres[assignee]!;
          await waitForMessage(cadre, (m) => m.text.includes(code!));
          await waitForMessage(cadre, (m) => m.photoUrl === `https://example.org/evidence-${run}.jpg`);

          for (const say of ['menu', 'cadre_inbox', code!, 'accept', 'ask', 'Bạn cho mình biết thêm chi tiết nhé?']) await cadre.say(say);
          await waitForMessage(worker, (m) => m.text.includes('Bạn cho mình biết thêm'));
          for (const say of ['menu', 'concerns', 'mine', code!, 'answer', r.answer]) await worker.say(say);
          await waitForMessage(cadre, (m) => m.text.includes(code!) && m.text.includes(r.answer.trim()));
          // A photo straight into the chat joins the answer, relayed the same way.
          await worker.send({ media: 'photo', photoRef: `https://example.org/answer-${run}.jpg` });
          await waitForMessage(cadre, (m) => m.photoUrl === `https://example.org/answer-${run}.jpg`);
          await cadre.say(code!);

          // Handed to a colleague, who opens it.
          await cadre.say('transfer');
          await cadre.say('1');
          const next = (await app.services.concerns.get(code!))!.assigneeId!;
          expect(next).not.toBe(assignee);
          await waitForMessage(cadres[next]!, (m) => m.text.includes(code!));
          for (const say of ['menu', 'cadre_inbox', code!, 'photos']) await cadres[next]!.say(say);

          const delivered = [...cadreChats.values()].flat();
          expect(delivered.length).toBeGreaterThan(5);
          for (const text of delivered) for (const secret of secrets) expect(text.includes(secret), `cadre saw "${secret}" in:\n${text}`).toBe(false);
        },
      ),
      { numRuns: 10, endOnFailure: true },
    );
    expect(run).toBeGreaterThan(5);
  }, 240_000);
});
