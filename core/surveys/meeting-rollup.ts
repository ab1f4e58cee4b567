/**
 * Branch meetings in the inspection roll-ups: the meetings held and their attendance, per
 * inspected branch and per parent unit, added to what cadres entered by hand. A branch with
 * meetings but no inspection form yet appears too (no score), so a roll-up shows every active
 * branch; a form entered by hand is counted as before.
 */
import type { OrgUnitDoc } from '../db.js';
import { attendanceRate, type MeetingFigures } from '../meetings/meeting-service.js';
import type { InspectionRollup } from './results.js';

/** Meetings counted in an inspection: those held in the year before it closes. */
export const MEETING_PERIOD_MS = 365 * 24 * 3600_000;

/** The meeting figures of a roll-up line. */
export interface RollupMeetings extends MeetingFigures {
  /** present / members (0–1); null with nobody invited. */
  attendanceRate: number | null;
}

/**
 * Adds `figures` (per unit of the meetings) to the roll-ups in place: each line gets the sum over
 * its unit and the units under it. Units outside `within` (a scoped reader) are left out.
 */
export function addMeetingFigures(
  inspection: { branches: InspectionRollup[]; parents: InspectionRollup[] },
  o: { figures: Map<string, MeetingFigures>; units: Map<string, OrgUnitDoc>; subjectKinds: readonly string[]; within?: ReadonlySet<string> },
): void {
  const byUnit = new Map<string, InspectionRollup>([...inspection.branches, ...inspection.parents].map((r) => [r.unitId, r]));
  const line = (unitId: string, list: InspectionRollup[]): InspectionRollup => {
    let r = byUnit.get(unitId);
    if (!r) {
      const u = o.units.get(unitId);
      r = { unitId, name: u?.name ?? unitId, kind: u?.kind ?? '?', parentId: u?.parentId, inspections: 0, branches: 0, score: null, questions: {} };
      byUnit.set(unitId, r);
      list.push(r);
    }
    return r;
  };
  for (const [unitId, f] of o.figures) {
    if (o.within && !o.within.has(unitId)) continue;
    const u = o.units.get(unitId);
    const isBranch = !!u && o.subjectKinds.includes(u.kind);
    const targets = [isBranch ? line(unitId, inspection.branches) : line(unitId, inspection.parents), ...(u?.ancestors ?? []).filter((a) => !o.within || o.within.has(a)).map((a) => line(a, inspection.parents))];
    for (const r of targets) {
      const m = (r.meetings ??= { held: 0, present: 0, members: 0, attendanceRate: null });
      m.held += f.held;
      m.present += f.present;
      m.members += f.members;
      m.attendanceRate = attendanceRate(m);
    }
  }
  const depth = (r: InspectionRollup) => o.units.get(r.unitId)?.ancestors.length ?? 99;
  for (const list of [inspection.branches, inspection.parents]) list.sort((a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name, 'vi'));
}
