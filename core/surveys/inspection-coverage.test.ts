import { describe, expect, it } from 'vitest';
import type { OrgUnitDoc } from '../db.js';
import { inspectionCoverage } from './inspection-coverage.js';
import type { InspectionRollup } from './results.js';

const unit = (_id: string, kind: string, ancestors: string[], extra: Partial<OrgUnitDoc> = {}): OrgUnitDoc => ({ _id, name: `Unit ${_id}`, kind, ancestors, parentId: ancestors[ancestors.length - 1], aliases: [], ...extra });
const tree = [
  unit('city', 'city', []),
  unit('z1', 'zone', ['city']),
  unit('z2', 'zone', ['city']),
  unit('b1', 'branch', ['city', 'z1']),
  unit('b2', 'branch', ['city', 'z1']),
  unit('b3', 'branch', ['city', 'z2']),
  unit('old', 'branch', ['city', 'z2'], { validTo: new Date('2020-01-01') }),
];
const units = new Map(tree.map((u) => [u._id, u]));
const subjects = tree.filter((u) => u.kind === 'branch' && !u.validTo);
const rollup = (unitId: string, inspections: number, score: number | null = 4): InspectionRollup => ({ unitId, name: units.get(unitId)!.name, kind: units.get(unitId)!.kind, inspections, branches: 1, score, questions: {} });

describe('inspection coverage', () => {
  it('lists the branches not inspected yet and counts per unit above', () => {
    const c = inspectionCoverage({ rollups: { branches: [rollup('b1', 2), rollup('old', 1), rollup('b3', 0, null)], parents: [rollup('z1', 2)] }, subjects, units });
    expect(c.totals).toEqual({ branches: 4, inspected: 2 });
    // b3 had meetings but no form (a roll-up line with no inspection): not inspected.
    expect(c.notInspected.map((b) => b.unitId).sort()).toEqual(['b2', 'b3']);
    expect(c.parents.map((p) => [p.unitId, p.branches, p.inspected])).toEqual([
      ['city', 4, 2],
      ['z1', 2, 1],
      ['z2', 2, 1],
    ]);
    expect(c.parents.find((p) => p.unitId === 'z1')!.rollup?.inspections).toBe(2);
    expect(c.branches.find((b) => b.unitId === 'b1')!.rollup?.score).toBe(4);
  });

  it('keeps to the audience units and the reader’s scope', () => {
    const rollups = { branches: [rollup('b1', 1), rollup('b3', 1)], parents: [] };
    const zone = inspectionCoverage({ rollups, subjects, units, within: new Set(['z1', 'b1', 'b2']) });
    expect(zone.branches.map((b) => b.unitId).sort()).toEqual(['b1', 'b2']);
    expect(zone.parents.map((p) => p.unitId)).toEqual(['z1']);
    expect(zone.totals).toEqual({ branches: 2, inspected: 1 });
    const audience = inspectionCoverage({ rollups, subjects, units, roots: ['z2'] });
    expect(audience.notInspected).toEqual([]);
    expect(audience.branches.map((b) => b.unitId)).toEqual(['b1', 'b3']);
  });
});
