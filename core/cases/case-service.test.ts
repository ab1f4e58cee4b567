/**
 * Grouping under concurrency, on the real Redis and MongoDB-wire server: concerns submitted at the
 * same moment (as by several processes) form exactly one case, a replay forms nothing new, a
 * concern about a unit that is not an enterprise is never grouped, and "separate" stays apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { summariseCases } from './case-service.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, { concernPolicy: fastPolicy() });
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-tu-a', roles: ['worker', 'cadre'] });
  await addMember(app, { id: 'm-tu-b', roles: ['worker', 'cadre'] });
  // Two eligible cadres: routing spreads the concerns, the case still gets one lead.
  await assign(app, { memberId: 'm-tu-a', unit: 'vsip1', organisation: 'trade_union' });
  await assign(app, { memberId: 'm-tu-b', unit: 'vsip1', organisation: 'trade_union' });
  for (let i = 0; i < 8; i++) await addMember(app, { id: `m-w${i}`, orgUnitId: 'ent-phuc-thinh' });
});
afterAll(async () => app?.close());

const intake = (i: number, o: { unit?: string; category?: string; key?: string } = {}) => ({
  memberId: `m-w${i}`,
  category: o.category ?? 'overtime',
  orgUnitId: o.unit ?? 'ent-phuc-thinh',
  description: `Bị ép tăng ca đến 22 giờ, người số ${i}`,
  photos: 0,
  anonymous: true,
  intakeKey: o.key ?? `k-${o.category ?? 'overtime'}-${i}`,
  at: app.clock.now(),
});

describe('collective cases under concurrency', () => {
  it('concerns submitted concurrently form exactly one case, with one lead handling all of them', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => app.services.cases.submit(intake(i))));
    const cases = (await app.services.cases.list(undefined, app.clock.now())).filter((c) => c.category === 'overtime');
    expect(cases).toHaveLength(1);
    const c = cases[0]!;
    expect([...c.concernCodes].sort()).toEqual(results.map((r) => r.concern._id).sort());
    expect(results.filter((r) => r.formed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.caseId))).toEqual(new Set([c._id]));
    for (const code of c.concernCodes) expect((await app.services.concerns.get(code))!.assigneeId).toBe(c.leadId);
    expect(await app.models.Audit.countDocuments({ action: 'case.formed' })).toBe(1);

    // Replays (the same intake keys, all at once) change nothing.
    await Promise.all([0, 1, 2, 3, 4].map((i) => app.services.cases.submit(intake(i))));
    const again = (await app.services.cases.list(undefined, app.clock.now())).filter((x) => x.category === 'overtime');
    expect(again).toHaveLength(1);
    expect(again[0]!.concernCodes).toHaveLength(5);
  });

  it('keeps a concern the worker sent separately out of the case, and never groups a unit that is not an enterprise', async () => {
    const separate = await app.services.cases.submit(intake(5), 'separate');
    expect(separate.caseId).toBeUndefined();
    const [c] = (await app.services.cases.list(undefined, app.clock.now())).filter((x) => x.category === 'overtime');
    expect(c!.concernCodes).not.toContain(separate.concern._id);

    await Promise.all([5, 6, 7].map((i) => app.services.cases.submit(intake(i, { unit: 'vsip1', category: 'wages' }))));
    expect((await app.services.cases.list(undefined, app.clock.now())).filter((x) => x.category === 'wages')).toHaveLength(0);
  });

  it('forms no case from concerns further apart than the window', async () => {
    await app.services.cases.submit(intake(5, { category: 'contract' }));
    app.clock.advance(15 * 86_400_000);
    await app.services.cases.submit(intake(6, { category: 'contract' }));
    await app.services.cases.submit(intake(7, { category: 'contract' }));
    expect((await app.services.cases.list(undefined, app.clock.now())).filter((x) => x.category === 'contract')).toHaveLength(0);
  });

  it('counts cases apart from concerns in the report', async () => {
    const r = await app.services.cases.report();
    expect(r.total).toMatchObject({ category: '*', cases: 1, open: 1, resolved: 0, concerns: 5 });
    expect(summariseCases([{ category: 'wages', status: 'resolved', concernCodes: ['PA-AAAA', 'PA-BBBB', 'PA-CCCC'] }]).rows).toEqual([{ category: 'wages', cases: 1, open: 0, resolved: 1, concerns: 3 }]);
  });

  it('gives the lead the photos of the concerns another cadre had, when the case forms and when one joins', async () => {
    // Two cadres of their own at Hoa Sen, both without concerns: routing alternates between them (fewest open, then smallest id).
    for (const id of ['m-hs-a', 'm-hs-b']) {
      await addMember(app, { id, roles: ['worker', 'cadre'] });
      await assign(app, { memberId: id, unit: 'ent-hoa-sen', organisation: 'trade_union' });
    }
    const withPhoto = (i: number) => ({ ...intake(i, { category: 'wages', unit: 'ent-hoa-sen', key: `k-photo-${i}` }), photos: 1, photoRefs: [{ channel: 'telegram' as const, ref: `payslip-${i}` }] });
    const results: Awaited<ReturnType<typeof app.services.cases.submit>>[] = [];
    for (const i of [0, 1, 2]) results.push(await app.services.cases.submit(withPhoto(i)));
    const formed = results.find((r) => r.formed)!;
    const c = (await app.services.cases.get(formed.caseId!))!;
    expect(results.map((r) => r.concern.assigneeId)).toEqual(['m-hs-a', 'm-hs-b', 'm-hs-a']);
    const notTheLeads = results.filter((r) => r.concern.assigneeId !== c.leadId).map((r) => `payslip-${results.indexOf(r)}`);
    expect(notTheLeads.length).toBeGreaterThan(0);
    const told = formed.notices.find((n) => n.memberId === c.leadId && n.key.endsWith(':formed:lead'))!;
    expect(told.photos?.refs.map((r) => r.ref).sort()).toEqual(notTheLeads.sort());
    expect(told.photos?.captions.every((caption) => caption.includes('PA-'))).toBe(true);

    const joined = await app.services.cases.submit(withPhoto(3));
    expect(joined.caseId).toBe(c._id);
    const joinNotice = joined.notices.find((n) => n.key === `case:${c._id}:joined:${joined.concern._id}`)!;
    // Routed first to the cadre with fewer open concerns (not the lead, who holds the case's), then handed to the lead.
    expect(joined.concern.assigneeId).not.toBe(c.leadId);
    expect(joinNotice.photos?.refs).toEqual([{ channel: 'telegram', ref: 'payslip-3' }]);
  });
});
