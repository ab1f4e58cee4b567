/**
 * The rules of collective cases as pure functions (no storage): the window, which concerns form
 * a case, whether a case still takes new concerns, who leads it, and its id.
 */
import { createHash } from 'node:crypto';

/** The collective-case part of the concerns policy (core/concerns/policy.ts `collectiveCases`). */
export interface CaseRule {
  minConcerns: number;
  windowDays: number;
}

/** An open concern that may count towards a case (no field names its reporter). */
export interface GroupCandidate {
  code: string;
  createdAt: Date;
  assigneeId?: string;
}

const DAY = 86_400_000;

/** The earliest time a concern may have been raised and still count with one raised at `at`. */
export function windowStart(at: Date, rule: CaseRule): Date {
  return new Date(at.getTime() - rule.windowDays * DAY);
}

/**
 * The concerns that form a new case at `at`: the candidates raised within the window before `at`
 * (and not after it), oldest first, when there are at least `minConcerns` of them; else undefined.
 */
export function groupToForm<T extends GroupCandidate>(candidates: readonly T[], at: Date, rule: CaseRule): T[] | undefined {
  const from = windowStart(at, rule).getTime();
  const inWindow = candidates
    .filter((c) => c.createdAt.getTime() >= from && c.createdAt.getTime() <= at.getTime())
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.code.localeCompare(b.code));
  return inWindow.length >= Math.max(2, rule.minConcerns) ? inWindow : undefined;
}

/** Whether an open case still takes a new concern at `at`: its newest concern is within the window. */
export function takesNewConcerns(c: { status: string; lastConcernAt: Date }, at: Date, rule: CaseRule): boolean {
  return c.status === 'open' && c.lastConcernAt.getTime() >= windowStart(at, rule).getTime();
}

/**
 * The lead cadre: whoever handles the oldest concern that has a cadre (so the case stays with
 * the person who already knows it), else the routing's choice for the unit and category.
 */
export function pickLead(group: readonly GroupCandidate[], routed: string | undefined): string | undefined {
  return group.find((c) => c.assigneeId)?.assigneeId ?? routed;
}

/** No 0/O, 1/I/L: read aloud and typed on phones, like concern codes. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * The case's id, `VV-XXXXXX` (VV: vụ việc): derived from the enterprise, the category and the
 * oldest concern of the group, so two processes forming the same case write the same `_id`.
 */
export function caseIdFor(orgUnitId: string, category: string, firstCode: string): string {
  const digest = createHash('sha256').update(`case|${orgUnitId}|${category}|${firstCode}`).digest();
  let s = '';
  for (let i = 0; i < 6; i++) s += ALPHABET[digest[i]! % ALPHABET.length];
  return `VV-${s}`;
}

/** Normalises what a person typed ("vv 7k3qab", "#VV-7K3QAB") into a case id, or undefined. */
export function parseCaseId(text: string): string | undefined {
  const m = /(?:^|[^\p{L}\p{N}])vv[\s-]?([2-9a-z]{6})(?![\p{L}\p{N}])/iu.exec(` ${text.trim()}`);
  return m ? `VV-${m[1]!.toUpperCase()}` : undefined;
}
