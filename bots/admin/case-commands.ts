/**
 * Collective cases in the admin CLI: the list (of a unit's subtree, or all) and one case with its
 * concerns by code. The CLI operator acts on the whole tree, as for every other command; like
 * every staff view, a case shows concern codes, never who raised them.
 */
import { parseCaseId } from '../../core/cases/grouping.js';
import { UsageError, type Command } from './command.js';

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '—');

export const caseCommands: Record<string, Command> = {
  'case-list': {
    usage: 'case-list [--unit <unit id>]',
    summary: 'collective cases (vụ việc tập thể), newest first, of a unit and the units under it or of all',
    async run({ args, app }) {
      let unit: string | undefined;
      if (args.length) {
        if (args[0] !== '--unit' || !args[1] || args.length > 2) throw new UsageError('the only option is --unit <unit id>');
        unit = args[1];
      }
      const a = await app();
      const at = new Date();
      if (unit && !(await a.services.org.get(unit, at))) throw new UsageError(`no unit "${unit.slice(0, 60)}" in the org tree: check the unit id (as in import-org)`);
      const cases = await a.services.cases.list(unit, at);
      if (cases.length === 0) {
        console.log(unit ? `no collective cases under ${unit}` : 'no collective cases');
        return 0;
      }
      console.log(`${'case'.padEnd(10)} ${'status'.padEnd(9)} ${'category'.padEnd(17)} ${'unit'.padEnd(20)} concerns  lead                 formed`);
      for (const c of cases) console.log(`${c._id.padEnd(10)} ${c.status.padEnd(9)} ${c.category.padEnd(17)} ${c.orgUnitId.padEnd(20)} ${String(c.concernCodes.length).padStart(8)}  ${(c.leadId ?? '—').padEnd(20)} ${iso(c.createdAt)}`);
      return 0;
    },
  },
  'case-show': {
    usage: 'case-show <case id>',
    summary: 'one collective case: unit, category, lead, its concerns by code and status, its history',
    async run({ args, app }) {
      if (args.length !== 1) throw new UsageError('case-show takes one case id, like VV-ABC234');
      const id = parseCaseId(args[0]!);
      if (!id) throw new UsageError(`"${args[0]!.slice(0, 40)}" is not a case id: a case id is VV- and 6 letters or digits (see case-list)`);
      const a = await app();
      const c = await a.services.cases.get(id);
      if (!c) {
        console.error(`no collective case ${id}: see case-list`);
        return 1;
      }
      const at = new Date();
      const lead = c.leadId ? ((await a.models.Member.findById(c.leadId, { displayName: 1 }).lean())?.displayName ?? c.leadId) : '— (no eligible cadre: the secretariat assigns one)';
      console.log(`${c._id} · ${c.status}${c.resolvedAt ? ` ${iso(c.resolvedAt)}` : ''}`);
      console.log(`category: ${c.category}`);
      console.log(`unit: ${(await a.services.org.describe(c.orgUnitId, at)) ?? c.orgUnitId} (${c.orgUnitId})`);
      console.log(`lead: ${lead}`);
      console.log(`formed: ${iso(c.createdAt)} · newest concern: ${iso(c.lastConcernAt)}`);
      console.log(`concerns (${c.concernCodes.length}):`);
      for (const code of c.concernCodes) {
        const x = await a.services.concerns.get(code);
        console.log(`  ${code}  ${x ? `${x.status.padEnd(9)} level ${x.level + 1}  raised ${iso(x.createdAt)}` : 'missing'}`);
      }
      if (c.summary) console.log(`summary: ${c.summary}`);
      console.log('history:');
      for (const e of c.events) console.log(`  ${iso(e.at)}  ${e.kind.padEnd(12)} ${e.actor}${e.code ? ` ${e.code}` : ''}`);
      return 0;
    },
  },
};
