/**
 * The units a web console form offers: those of the person's scope, each followed by the units
 * under it (in force now, names sorted), indented by depth; and the `<option>`s that show them.
 * One reading for every page with a unit to choose (concerns, cases, broadcasts, people).
 */
import type { App } from '../../app/app.js';
import type { OrgUnitDoc } from '../../core/db.js';
import { html, type SafeHtml } from './html.js';
import type { WebContext } from './web-context.js';

/** Enough for a city's wards, zones and enterprises; a longer list would not be read anyway. */
const MAX_UNIT_OPTIONS = 3000;

/** A unit to choose, indented by its depth under the scope's top units. */
export interface UnitOption {
  id: string;
  name: string;
  depth: number;
}

/** The units of the person's scope, each followed by the units under it. */
export async function scopeUnitOptions(app: App, ctx: WebContext): Promise<UnitOption[]> {
  const { org } = app.services;
  const scope = ctx.staff!.scope;
  const tops = scope.whole ? await org.roots(ctx.now) : (await Promise.all(scope.units.map((u) => org.get(u, ctx.now)))).filter((u): u is OrgUnitDoc => !!u);
  // A granted unit under another granted unit is listed once, under it.
  const topIds = new Set(tops.map((u) => u._id));
  const out: UnitOption[] = [];
  for (const top of tops.filter((u) => !u.ancestors.some((a) => topIds.has(a)))) {
    const children = new Map<string, OrgUnitDoc[]>();
    for (const level of await org.descendantsByDepth(top._id, ctx.now)) for (const u of level) children.set(u.parentId!, [...(children.get(u.parentId!) ?? []), u]);
    const walk = (u: OrgUnitDoc, depth: number) => {
      if (out.length >= MAX_UNIT_OPTIONS) return;
      out.push({ id: u._id, name: u.name, depth });
      for (const c of [...(children.get(u._id) ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'vi'))) walk(c, depth + 1);
    };
    walk(top, 0);
  }
  return out;
}

/** A unit's name indented by its depth (non-breaking spaces: a select keeps them). */
export const indentedName = (u: UnitOption) => '\u00a0\u00a0'.repeat(u.depth) + u.name;

/** `<option>`s of units, `selected` chosen. */
export const unitSelectOptions = (units: UnitOption[], selected: string): SafeHtml[] =>
  units.map((u) => html`<option value="${u.id}"${u.id === selected ? html` selected` : ''}>${indentedName(u)}</option>`);
