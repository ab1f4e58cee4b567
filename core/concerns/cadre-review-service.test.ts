/** The cadre-force review read from the real stores, after a history written by the real ConcernService. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCadreReview } from '../../test/support/cadre-review-seed.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
let end: Date;
beforeAll(async () => {
  app = await startTestApp();
  ({ end } = await seedCadreReview(app));
});
afterAll(async () => app?.close());

const LABOUR = ['wages', 'overtime', 'insurance', 'contract', 'safety'];

describe('cadre review from the stores', () => {
  it('gives each cadre their figures over the concerns they handled', async () => {
    const r = await app.services.concerns.review.review('hcm', end);
    const by = Object.fromEntries(r.cadres.map((c) => [c.memberId, c]));
    expect(Object.keys(by).sort()).toEqual(['cad-dung', 'cad-hoa', 'cad-son', 'cad-tu']);
    expect(by['cad-tu']!.stats).toMatchObject({ open: 1, slaMet: 1, slaTotal: 2, slaHitRate: 0.5, medianFirstResponseMinutes: 45.5, ratings: 1, averageRating: 5 });
    expect(by['cad-hoa']!.stats).toMatchObject({ open: 0, slaMet: 0, slaTotal: 1, slaHitRate: 0, medianFirstResponseMinutes: null });
    // The deadline that passed while nobody had c is not Dũng's: he answered 10 minutes after it reached him.
    expect(by['cad-dung']!.stats).toMatchObject({ open: 1, slaMet: 1, slaTotal: 1, slaHitRate: 1, medianFirstResponseMinutes: 10, averageRating: null });
    expect(by['cad-son']!.stats).toMatchObject({ open: 0, slaTotal: 0, slaHitRate: null });
    expect(r.cadres.filter((c) => c.idle).map((c) => c.memberId).sort()).toEqual(['cad-hoa', 'cad-son']);
    expect(r.byOrganisation).toEqual({ youth_union: 1, womens_union: 1, trade_union: 1, youth_federation: 1 });
  });

  it('finds the workplaces and categories routing has nobody for, with the routing rules (conflict of interest included)', async () => {
    const r = await app.services.concerns.review.review('hcm', end);
    expect(r.workplaces).toBe(3);
    const gaps = (unit: string) => r.gaps.filter((g) => g.unitId === unit).map((g) => g.category).sort();
    expect(gaps('ent-phuc-thinh')).toEqual([...LABOUR, 'harassment'].sort());
    expect(gaps('ent-det-song-than')).toEqual([...LABOUR, 'culture'].sort());
    expect(gaps('ent-hoa-sen')).toEqual([]);
    expect(r.gaps).toHaveLength(12);
    // Routing agrees: a concern about Phúc Thịnh's wages would be flagged.
    const route = await app.services.concerns.router.route({ category: 'wages', concernedUnitId: 'ent-phuc-thinh', fromUnitId: 'ent-phuc-thinh', at: end });
    expect(route.flagged).toBe(true);
  });

  it('keeps to the subtree: a zone sees its own cadres and workplaces', async () => {
    const r = await app.services.concerns.review.review('kcn-song-than-2', end);
    expect(r.cadres.map((c) => c.memberId)).toEqual(['cad-hoa']);
    expect(r.workplaces).toBe(1);
    expect(r.gaps.map((g) => g.category).sort()).toEqual([...LABOUR, 'culture'].sort());
    expect(r.categoriesWithoutCadre).toEqual(['wages', 'overtime', 'insurance', 'contract', 'safety', 'skills', 'culture']);
  });

  it('counts a cadre whose role was taken away nowhere, and names the roots of the tree', async () => {
    expect(await app.services.concerns.review.roots(end)).toEqual(['hcm']);
    await app.models.Member.updateOne({ _id: 'cad-son' }, { $set: { status: 'erased' } });
    try {
      const r = await app.services.concerns.review.review('vsip1', end);
      expect(r.cadres.find((c) => c.memberId === 'cad-son')).toMatchObject({ eligible: false });
      expect(r.byOrganisation.youth_federation).toBe(0);
      // Without Sơn, housing and culture at the VSIP I enterprises fall to nobody in the zone… and nobody above.
      expect(r.gaps.filter((g) => g.category === 'culture').map((g) => g.unitId)).toEqual(['ent-hoa-sen', 'ent-phuc-thinh']);
    } finally {
      await app.models.Member.updateOne({ _id: 'cad-son' }, { $set: { status: 'active' } });
    }
  });
});
