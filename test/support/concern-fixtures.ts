/**
 * Fixtures for concerns tests: members created directly (a worker with a workplace, cadres,
 * secretariat) with a console chat each, cadre assignments, and waiting for notifications.
 */
import type { Role } from '../../core/db.js';
import type { Organisation } from '../../core/concerns/models.js';
import { withPolicy, type ConcernPolicy } from '../../core/concerns/policy.js';
import type { Outbound } from '../../core/engine/types.js';
import { ConsolePerson, type TestApp } from './test-app.js';

/** Creates an active member with a console chat `chatId` (the platform user id). */
export async function addMember(app: TestApp, o: { id: string; name?: string; roles?: Role[]; orgUnitId?: string; chatId?: string; locale?: string }): Promise<ConsolePerson> {
  const at = app.clock.now();
  const chatId = o.chatId ?? `chat-${o.id}`;
  await app.models.Member.create({
    _id: o.id,
    roles: o.roles ?? ['worker'],
    orgUnitId: o.orgUnitId,
    locale: o.locale ?? 'vi',
    consent: { version: 'test', givenAt: at, channel: 'console' },
    status: 'active',
    broadcastsOptOut: false,
    displayName: o.name,
    createdAt: at,
  });
  await app.models.ChannelIdentity.create({ _id: `console:${chatId}`, channel: 'console', platformUserId: chatId, chatId, memberId: o.id, createdAt: at });
  return new ConsolePerson(app, chatId);
}

/** Gives a member a cadre assignment (active). */
export async function assign(app: TestApp, o: { memberId: string; unit: string; organisation: Organisation; categories?: string[]; conflicts?: string[] }): Promise<string> {
  const _id = `${o.memberId}:${o.unit}:${o.organisation}`;
  await app.services.concerns.upsertAssignment({ _id, memberId: o.memberId, orgUnitId: o.unit, organisation: o.organisation, categories: o.categories ?? [], conflictUnitIds: o.conflicts ?? [], active: true }, app.clock.now());
  return _id;
}

/** A policy for tests: always open, with SLA windows in seconds for every category. */
export function fastPolicy(firstResponseSeconds = 3600, resolutionSeconds = 7200, over: Partial<ConcernPolicy> = {}): ConcernPolicy {
  const base = withPolicy({ businessHours: { alwaysOpen: true } });
  const categories = Object.fromEntries(
    Object.entries(base.categories).map(([id, rule]) => [id, { ...rule, firstResponseSeconds: [firstResponseSeconds], resolutionSeconds: [resolutionSeconds] }]),
  );
  return { ...base, categories, ...over };
}

/** Waits until a message matching `test` has arrived in the person's chat; returns it. */
export async function waitForMessage(p: ConsolePerson, test: (m: Outbound) => boolean, timeoutMs = 10_000): Promise<Outbound> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const hit = p.inbox.find(test);
    if (hit) return hit;
    if (Date.now() > until) throw new Error(`no matching message within ${timeoutMs} ms; got:\n${p.inbox.map((m) => m.text).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets pending deliveries arrive (queues are asynchronous). */
export async function settle(app: TestApp, ms = 300): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  void app;
}
