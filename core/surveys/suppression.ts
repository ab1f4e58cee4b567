/**
 * Small-cell suppression of one breakdown (by org subtree, by age band, by gender), including
 * complementary suppression, so that no figure about 1 to `min`-1 people can be read — neither
 * shown nor worked out by subtracting shown figures from each other or from the overall totals.
 *
 * A breakdown is a tree of groups under the root (everyone who answered): a group's people are
 * a subset of its parent's (an org unit's subtree inside its parent's; an age band inside
 * everyone). What a reader can subtract is a shown figure minus the same figure of its shown
 * groups below it; whatever is left belongs to the people not in any of those — the group's own
 * members and those of hidden groups. So, for the group sizes and then for each question's tally
 * (how many answered, how many chose each option; the mean rides along):
 * - primary: a group of 1 to min-1 people is hidden; so is a tally with any figure of 1 to min-1
 *   in it (the whole tally, not one cell: hiding one cell of a tally that adds up leaves it
 *   computable, e.g. 8 answered, 7 "nhà trọ" → 1 "ký túc xá");
 * - complementary: wherever a shown figure minus its shown groups below leaves 1 to min-1, the
 *   smallest of those groups is hidden too, until what is left is 0 or at least min;
 * - a question asked only after some answers (a skip rule) is hidden in a group wherever the
 *   question it depends on is: how many answered it would tell how many gave those answers.
 * Every figure that can then be worked out is a sum over pieces of 0 or at least min people.
 * Each breakdown is protected on its own; the root's figures are the survey's overall results.
 */

/** A question's tally in one group: `answered` and the count of each option (any keys). */
export type Cells = Record<string, number>;

/** One group of a breakdown. */
export interface SuppressionGroup {
  key: string;
  /** The group this one lies within; none: directly under the root. */
  parent?: string;
  respondents: number;
  /** Per question id, the tally's figures. A missing question counts as all zeros. */
  cells: Record<string, Cells>;
}

export interface SuppressionInput {
  /** Everyone who answered: its figures are shown whatever their size (the overall results). */
  root: { respondents: number; cells: Record<string, Cells> };
  groups: SuppressionGroup[];
  /** The questions with tallies, in order; `dependsOn`: the earlier question of its skip rule. */
  questions: { id: string; dependsOn?: string }[];
  /** Fewest people a shown figure may be about. */
  min: number;
}

export interface Suppression {
  /** Groups hidden whole (size and every tally). */
  groups: Set<string>;
  /** Tallies hidden in groups that are shown, as `tallyKey(group, question)`. */
  tallies: Set<string>;
}

/** The key of a group's tally of a question in `Suppression.tallies`. */
export const tallyKey = (group: string, question: string) => `${group}\u0000${question}`;

const ROOT = '\u0000root';

/** Decides what of a breakdown is hidden. Deterministic: ties go by group key. */
export function suppress(input: SuppressionInput): Suppression {
  const { root, groups, questions, min } = input;
  const small = (v: number) => v > 0 && v < min;
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const children = new Map<string, string[]>();
  for (const g of groups) {
    const parent = g.parent !== undefined && byKey.has(g.parent) ? g.parent : ROOT;
    const list = children.get(parent) ?? [];
    list.push(g.key);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort();
  const depth = (key: string): number => {
    let d = 0;
    for (let g = byKey.get(key); g?.parent !== undefined && byKey.has(g.parent); g = byKey.get(g.parent)) d++;
    return d;
  };
  // Deepest groups first, the root last: a group is settled before the one above it.
  const order = [...groups.map((g) => ({ key: g.key, depth: depth(g.key) })).sort((a, b) => b.depth - a.depth || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.key), ROOT];

  /** The shown groups right below `key`, looking through hidden ones. */
  const shownBelow = (key: string, shown: (k: string) => boolean): string[] => {
    const out: string[] = [];
    const walk = (k: string) => {
      for (const c of children.get(k) ?? []) {
        if (shown(c)) out.push(c);
        else walk(c);
      }
    };
    walk(key);
    return out;
  };

  /**
   * Hides groups below shown ones until every shown figure minus the same figure of its shown
   * groups below leaves 0 or at least `min`. `figures(key)` are a group's figures.
   */
  const complement = (isShown: (k: string) => boolean, hide: (k: string) => void, figures: (k: string) => Cells, size: (k: string) => number) => {
    // One pass is enough: hiding a group changes only what is left under its nearest shown
    // group above — the one being settled — and groups below were settled before.
    for (const p of order) {
      if (p !== ROOT && !isShown(p)) continue;
      for (;;) {
        const below = shownBelow(p, isShown);
        if (below.length === 0) break;
        const left = { ...figures(p) };
        for (const c of below) for (const [name, v] of Object.entries(figures(c))) left[name] = (left[name] ?? 0) - v;
        if (!Object.values(left).some(small)) break;
        hide(below.reduce((a, b) => (size(b) < size(a) || (size(b) === size(a) && b < a) ? b : a)));
      }
    }
  };

  const respondentsOf = (k: string) => (k === ROOT ? root.respondents : byKey.get(k)!.respondents);
  const hiddenGroups = new Set(groups.filter((g) => g.respondents < min).map((g) => g.key));
  complement(
    (k) => !hiddenGroups.has(k),
    (k) => hiddenGroups.add(k),
    (k) => ({ respondents: respondentsOf(k) }),
    respondentsOf,
  );

  const hiddenTallies = new Set<string>();
  for (const q of questions) {
    const cellsOf = (k: string): Cells => (k === ROOT ? root.cells[q.id] : byKey.get(k)!.cells[q.id]) ?? { answered: 0 };
    const shown = (k: string) => !hiddenGroups.has(k) && !hiddenTallies.has(tallyKey(k, q.id));
    for (const g of groups) {
      if (hiddenGroups.has(g.key)) continue;
      const dependencyHidden = q.dependsOn !== undefined && hiddenTallies.has(tallyKey(g.key, q.dependsOn));
      if (dependencyHidden || Object.values(cellsOf(g.key)).some(small)) hiddenTallies.add(tallyKey(g.key, q.id));
    }
    complement(
      (k) => k === ROOT || shown(k),
      (k) => hiddenTallies.add(tallyKey(k, q.id)),
      cellsOf,
      (k) => (cellsOf(k).answered ?? 0) * 1e6 + respondentsOf(k),
    );
  }
  return { groups: hiddenGroups, tallies: hiddenTallies };
}
