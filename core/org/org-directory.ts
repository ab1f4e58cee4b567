/**
 * Read side of the org tree: find a workplace from a few letters typed without diacritics
 * ("vsip", "song than") and name units with their place in the tree.
 */
import type { Models, OrgUnitDoc } from '../db.js';
import { fold } from '../text-normalize.js';

/** Unit kinds a worker can pick as their workplace. */
export const WORKPLACE_KINDS = ['enterprise'] as const;

/** Kinds that name a place enterprises sit in; their names help find the enterprises. */
const PLACE_KINDS = ['industrial_zone', 'industrial_cluster'];

interface Indexed {
  unit: OrgUnitDoc;
  own: string;
  all: string;
  place?: string;
}

/** Whether a unit is in effect at `at` by its own dates (valid_from inclusive, valid_to exclusive). */
export function isInEffect(u: Pick<OrgUnitDoc, 'validFrom' | 'validTo'>, at: Date): boolean {
  return (!u.validFrom || u.validFrom <= at) && (!u.validTo || u.validTo > at);
}
const isActive = isInEffect;

function tokensMatch(haystack: string, tokens: string[]): boolean {
  const words = haystack.split(' ');
  return tokens.every((t) => words.some((w) => w.startsWith(t)) || haystack.includes(t));
}

export class OrgDirectory {
  private cache?: { at: number; units: Map<string, OrgUnitDoc>; children: Map<string, OrgUnitDoc[]>; workplaces: Indexed[] };

  constructor(private readonly models: Models, private readonly cacheMs = 60_000) {}

  /** Forgets the cached tree (after an import). */
  invalidate(): void {
    this.cache = undefined;
  }

  private async load(now: Date) {
    if (this.cache && Date.now() - this.cache.at < this.cacheMs) return this.cache;
    const all = await this.models.OrgUnit.find({}).lean<OrgUnitDoc[]>();
    const units = new Map(all.map((u) => [u._id, u]));
    const children = new Map<string, OrgUnitDoc[]>();
    for (const u of all) if (u.parentId) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
    for (const list of children.values()) list.sort((a, b) => a._id.localeCompare(b._id));
    const workplaces: Indexed[] = [];
    for (const unit of all) {
      if (!(WORKPLACE_KINDS as readonly string[]).includes(unit.kind) || !isActive(unit, now)) continue;
      const own = fold([unit.name, unit._id, ...unit.aliases].join(' '));
      const places = unit.ancestors.map((id) => units.get(id)).filter((a): a is OrgUnitDoc => !!a && PLACE_KINDS.includes(a.kind));
      const placeText = fold(places.flatMap((p) => [p.name, ...p.aliases]).join(' '));
      workplaces.push({ unit, own, all: `${own} ${placeText}`, place: places[0]?.name });
    }
    this.cache = { at: Date.now(), units, children, workplaces };
    return this.cache;
  }

  /** Workplaces whose name, code, aliases or industrial zone match every typed word. */
  async searchWorkplaces(query: string, now: Date, limit = 8): Promise<{ unit: OrgUnitDoc; place?: string }[]> {
    const tokens = fold(query).split(' ').filter(Boolean);
    if (tokens.length === 0) return [];
    const { workplaces } = await this.load(now);
    const hits = workplaces.filter((w) => tokensMatch(w.all, tokens));
    hits.sort((a, b) => Number(tokensMatch(b.own, tokens)) - Number(tokensMatch(a.own, tokens)) || a.unit.name.localeCompare(b.unit.name, 'vi'));
    return hits.slice(0, limit).map((h) => ({ unit: h.unit, place: h.place }));
  }

  /** The workplace with this exact code (e.g. from a poster's deep link), if active. */
  async workplaceByCode(code: string, now: Date): Promise<OrgUnitDoc | undefined> {
    const { workplaces } = await this.load(now);
    const folded = fold(code);
    return workplaces.find((w) => fold(w.unit._id) === folded)?.unit;
  }

  /**
   * Units of any kind in effect at `now` (they and every unit above them) whose name, code or
   * aliases hold every typed word: what the secretariat can address a broadcast to.
   */
  async searchUnits(query: string, now: Date, limit = 8): Promise<OrgUnitDoc[]> {
    const words = fold(query).split(' ').filter(Boolean);
    if (words.length === 0) return [];
    const { units } = await this.load(now);
    const ended = (id: string) => {
      const u = units.get(id);
      return u !== undefined && !isActive(u, now);
    };
    const hits: OrgUnitDoc[] = [];
    for (const u of units.values()) {
      if (ended(u._id) || u.ancestors.some(ended)) continue;
      const text = fold([u.name, u._id, ...u.aliases].join(' '));
      if (words.every((w) => text.includes(w))) hits.push(u);
    }
    hits.sort((a, b) => a.ancestors.length - b.ancestors.length || a.name.localeCompare(b.name, 'vi'));
    return hits.slice(0, limit);
  }

  /** Units of these kinds in force at `now` (the subjects an inspection may be about). */
  async activeOfKinds(kinds: readonly string[], now: Date): Promise<OrgUnitDoc[]> {
    const { units } = await this.load(now);
    return [...units.values()].filter((u) => kinds.includes(u.kind) && isActive(u, now));
  }

  /** The top units (no parent) in force at `now`: where the whole tree starts. */
  async roots(now: Date): Promise<OrgUnitDoc[]> {
    const { units } = await this.load(now);
    return [...units.values()].filter((u) => !u.parentId && isActive(u, now)).sort((a, b) => a._id.localeCompare(b._id));
  }

  async get(id: string, now: Date): Promise<OrgUnitDoc | undefined> {
    return (await this.load(now)).units.get(id);
  }

  /** The units under `id` that are in force at `now`, nearest first: its children, then theirs, and so on. */
  async descendantsByDepth(id: string, now: Date): Promise<OrgUnitDoc[][]> {
    const { children } = await this.load(now);
    const levels: OrgUnitDoc[][] = [];
    let level = [id];
    while (level.length) {
      const next = level.flatMap((p) => children.get(p) ?? []).filter((u) => isActive(u, now));
      if (next.length) levels.push(next);
      level = next.map((u) => u._id);
    }
    return levels;
  }

  /**
   * The ids of these units and of every unit under them, ended ones included (old concerns and
   * broadcasts still name them): the subtrees a scoped role reaches.
   */
  async idsUnder(ids: readonly string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const { units } = await this.load(now);
    return [...units.values()].filter((u) => ids.includes(u._id) || u.ancestors.some((a) => ids.includes(a))).map((u) => u._id);
  }

  /** Whether some workplace in force at `now` lies under `id`. */
  async hasWorkplaceUnder(id: string, now: Date): Promise<boolean> {
    const { workplaces } = await this.load(now);
    return workplaces.some((w) => w.unit.ancestors.includes(id));
  }

  /** "Name · industrial zone" for showing a workplace to a person. */
  async describe(id: string, now: Date): Promise<string | undefined> {
    const { units, workplaces } = await this.load(now);
    const w = workplaces.find((x) => x.unit._id === id);
    if (w) return w.place ? `${w.unit.name} · ${w.place}` : w.unit.name;
    return units.get(id)?.name;
  }

  async count(): Promise<number> {
    return this.models.OrgUnit.countDocuments({});
  }
}
