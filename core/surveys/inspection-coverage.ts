/**
 * Which units an inspection has reached and which not yet: every unit of the inspected kinds
 * (`inspection.subjectKinds`) in force — under the survey's audience units when it names any, and
 * inside the reader's scope — is a branch to inspect in this inspection's period (its window);
 * those with no form yet are listed as not inspected, and each unit above them counts its
 * branches inspected and not. The inspected branches and the figures per unit (forms, mean
 * score, branch meetings) are the results' roll-ups (results.ts, meeting-rollup.ts), as in chat
 * and the CLI.
 */
import type { OrgUnitDoc } from '../db.js';
import type { InspectionRollup } from './results.js';

/** One unit of the coverage: a branch, or a unit above branches. */
export interface CoverageLine {
  unitId: string;
  name: string;
  kind: string;
  parentId?: string;
  /** Steps below the top of the tree (0 for the city). */
  depth: number;
  /** Branches to inspect (1 for a branch). */
  branches: number;
  /** Of them, those with at least one form. */
  inspected: number;
  /** The results' roll-up of this unit (forms, score, meetings), when it has one. */
  rollup?: InspectionRollup;
}

export interface InspectionCoverage {
  /** Every branch: inspected ones and not yet inspected ones, by unit above then name. */
  branches: CoverageLine[];
  /** The units above the branches, top first. */
  parents: CoverageLine[];
  /** Branches with no form yet. */
  notInspected: CoverageLine[];
  totals: { branches: number; inspected: number };
}

export function inspectionCoverage(o: {
  /** The results' roll-ups (already narrowed to the reader's scope). */
  rollups: { branches: InspectionRollup[]; parents: InspectionRollup[] };
  /** Units of the inspected kinds in force now (OrgDirectory.activeOfKinds). */
  subjects: readonly OrgUnitDoc[];
  /** The whole tree, for names and ancestors. */
  units: ReadonlyMap<string, OrgUnitDoc>;
  /** The survey's audience units (roots of subtrees); none: the whole tree. */
  roots?: readonly string[];
  /** The reader's units (scope); none: the whole tree. */
  within?: ReadonlySet<string>;
}): InspectionCoverage {
  const inRoots = (u: OrgUnitDoc) => !o.roots?.length || o.roots.includes(u._id) || u.ancestors.some((a) => o.roots!.includes(a));
  const inScope = (id: string) => !o.within || o.within.has(id);
  const rollupOf = new Map([...o.rollups.branches, ...o.rollups.parents].map((r) => [r.unitId, r]));
  const inspected = new Set(o.rollups.branches.filter((r) => r.inspections > 0).map((r) => r.unitId));

  // The branches: those in force under the audience and scope, and any with forms (a branch since ended still counts what it had).
  const branchIds = new Set(o.subjects.filter((u) => inRoots(u) && inScope(u._id)).map((u) => u._id));
  for (const id of inspected) if (inScope(id)) branchIds.add(id);

  const lineOf = (id: string, branches: number): CoverageLine => {
    const u = o.units.get(id);
    const r = rollupOf.get(id);
    return { unitId: id, name: u?.name ?? r?.name ?? id, kind: u?.kind ?? r?.kind ?? '?', parentId: u?.parentId ?? r?.parentId, depth: u?.ancestors.length ?? 99, branches, inspected: 0, ...(r ? { rollup: r } : {}) };
  };
  const branches: CoverageLine[] = [];
  const parents = new Map<string, CoverageLine>();
  for (const id of branchIds) {
    const line = lineOf(id, 1);
    const done = inspected.has(id);
    line.inspected = done ? 1 : 0;
    branches.push(line);
    for (const a of o.units.get(id)?.ancestors ?? []) {
      if (!inScope(a)) continue;
      let p = parents.get(a);
      if (!p) parents.set(a, (p = lineOf(a, 0)));
      p.branches++;
      if (done) p.inspected++;
    }
  }
  const parentName = (l: CoverageLine) => (l.parentId ? (o.units.get(l.parentId)?.name ?? '') : '');
  branches.sort((a, b) => parentName(a).localeCompare(parentName(b), 'vi') || a.name.localeCompare(b.name, 'vi'));
  const parentList = [...parents.values()].sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name, 'vi'));
  return {
    branches,
    parents: parentList,
    notInspected: branches.filter((b) => b.inspected === 0),
    totals: { branches: branches.length, inspected: branches.filter((b) => b.inspected > 0).length },
  };
}
