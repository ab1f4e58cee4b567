/**
 * The SLA counters (core/metrics.ts) move as the concern's timers fire on the real queue: a
 * reminder before the first-response deadline, a breach that escalates to the parent unit, and
 * a breach at the top that flags the concern for the secretariat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
});
afterAll(async () => app?.close());

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = app.metrics.registry.getSingleMetric(name);
  const got = await metric!.get();
  return got.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

async function waitUntil(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SLA metrics', () => {
  it('count reminders, breaches, an escalation and a flag at the top', async () => {
    await addMember(app, { id: 'tu-vsip', name: 'Trần Công Đoàn', roles: ['cadre'] });
    await addMember(app, { id: 'tu-top', name: 'Lê Thành Phố', roles: ['cadre'] });
    await assign(app, { memberId: 'tu-vsip', unit: 'vsip1', organisation: 'trade_union' });
    await assign(app, { memberId: 'tu-top', unit: 'hcm', organisation: 'trade_union' });
    await addMember(app, { id: 'worker1', name: 'Nguyễn Thị Lan', orgUnitId: 'ent-phuc-thinh' });
    const concerns = app.services.concerns;
    concerns.policy = fastPolicy(1, 600);
    const { concern } = await concerns.submit({ memberId: 'worker1', category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty nợ lương hai tháng rồi', photos: 0, anonymous: true, intakeKey: 'k-sla-metrics', at: app.clock.now() });
    // The counter moves just after the concern is saved, so both are waited for.
    await waitUntil(async () => !!(await concerns.get(concern._id))?.flagged && (await value('donghanh_sla_breaches_total', { kind: 'first_response' })) === 2);
    expect(await value('donghanh_sla_reminders_total', { kind: 'first_response' })).toBeGreaterThanOrEqual(1);
    expect(await value('donghanh_concern_escalations_total', { reason: 'sla', outcome: 'escalated' })).toBe(1);
    expect(await value('donghanh_concern_escalations_total', { reason: 'sla', outcome: 'flagged' })).toBe(1);
    expect(await value('donghanh_sla_breaches_total', { kind: 'resolution' })).toBe(0);
  });
});
