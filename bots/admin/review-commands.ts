/** The cadre-force review in the admin CLI: `cadre-review [--unit X] [--csv out.csv]`. */
import { writeFile } from 'node:fs/promises';
import { cadreReviewToCsv, type CadreReview, type ReviewCadre } from '../../core/concerns/cadre-review.js';
import { formatVnTime } from '../../core/vn-time.js';
import { UsageError, type Command } from './command.js';

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const dash = (x: number | null | undefined, unit = '') => (x === null || x === undefined ? '—' : `${x}${unit}`);

function cadreLine(c: ReviewCadre): string {
  const s = c.stats;
  const who = `${c.idle ? '!' : ' '} ${c.name} (${c.memberId})${c.eligible ? '' : ' [not eligible]'}`;
  const sla = s.slaTotal ? `${pct(s.slaHitRate)} (${s.slaMet}/${s.slaTotal})` : '—';
  return `${who.padEnd(40)} ${c.organisations.join(',').padEnd(28)} ${String(s.open).padStart(4)} ${sla.padStart(14)} ${dash(s.medianFirstResponseMinutes, ' min').padStart(11)} ${dash(s.averageRating).padStart(6)}  ${s.lastActionAt ? formatVnTime(s.lastActionAt) : 'never'}`;
}

/** The review as operators read it in a terminal. */
export function printReview(r: CadreReview, unitName: (id: string) => string): string[] {
  const eligible = r.cadres.filter((c) => c.eligible).length;
  const out = [
    `Cadre-force review of ${unitName(r.unitId)} (${r.unitId}) and the units under it, ${formatVnTime(r.at)}`,
    `Cadres: ${r.cadres.length} (${eligible} eligible) — ${Object.entries(r.byOrganisation).map(([o, n]) => `${o} ${n}`).join(', ')}`,
    `By category: ${r.byCategory.map((c) => `${c.category} ${c.cadres}`).join(', ')}`,
    `Categories no cadre in the subtree covers: ${r.categoriesWithoutCadre.join(', ') || 'none'}`,
    `Workplaces checked: ${r.workplaces}; workplace × category routing finds nobody for: ${r.gaps.length}`,
  ];
  const byUnit = new Map<string, string[]>();
  for (const g of r.gaps) byUnit.set(g.unitId, [...(byUnit.get(g.unitId) ?? []), g.category]);
  for (const [unit, cats] of byUnit) out.push(`  ${unitName(unit)} (${unit}): ${cats.join(', ')}`);
  out.push('', `${'  cadre'.padEnd(40)} ${'organisations'.padEnd(28)} open   SLA 1st resp  median 1st rating  last action`);
  for (const c of r.cadres) out.push(cadreLine(c));
  out.push(`! = no action in ${r.idleDays} days`);
  return out;
}

export const reviewCommands: Record<string, Command> = {
  'cadre-review': {
    usage: 'cadre-review [--unit <unit id>] [--csv out.csv] [--at <ISO time>]',
    summary: 'cadre-force review: cadres by organisation and category, coverage gaps, load, SLA, response time, rating, idle cadres',
    async run({ args, app }) {
      let unit: string | undefined;
      let out: string | undefined;
      let at = new Date();
      for (let i = 0; i < args.length; i += 2) {
        const [flag, value] = [args[i], args[i + 1]];
        if (!value || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
        if (flag === '--unit') unit = value;
        else if (flag === '--csv') out = value;
        else if (flag === '--at') {
          // As of another moment (idle cadres, units in force): to reproduce a review, and for tests.
          at = new Date(value);
          if (Number.isNaN(at.getTime())) throw new UsageError(`--at "${value}" is not a time: write it like 2026-11-25T08:00:00+07:00`);
        }
        else throw new UsageError(`unknown option ${flag}`);
      }
      const a = await app();
      const { concerns, org } = a.services;
      if (unit === undefined) {
        const roots = await concerns.review.roots(at);
        if (roots.length !== 1) throw new UsageError(roots.length ? `the tree has several top units (${roots.join(', ')}): choose one with --unit` : 'there is no org tree yet: import one with import-org');
        unit = roots[0]!;
      } else if (!(await org.get(unit, at))) {
        throw new UsageError(`no org unit "${unit}" in force: use a unit id from the org tree (e.g. the city's code)`);
      }
      const review = await concerns.review.review(unit, at);
      const names = new Map<string, string>();
      for (const id of [review.unitId, ...review.gaps.map((g) => g.unitId)]) names.set(id, (await org.get(id, at))?.name ?? id);
      const unitName = (id: string) => names.get(id) ?? id;
      for (const line of printReview(review, unitName)) console.log(line);
      if (out) {
        await writeFile(out, cadreReviewToCsv(review, unitName));
        console.log(`CSV written to ${out}`);
      }
      return 0;
    },
  },
};
