/** Concerns commands of the admin CLI: cadre assignments and the secretariat's report. */
import { readFile, writeFile } from 'node:fs/promises';
import { importCadres, parseCadreCsv } from '../../core/concerns/cadre-import.js';
import { deliverNotices } from '../../core/concerns/notices.js';
import { categoryIds } from '../../core/concerns/policy.js';
import { buildConcernReport, reportToCsv, type ReportRow } from '../../core/concerns/reports.js';
import { UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const mins = (m: number | null) => (m === null ? '—' : `${m} min`);

function line(r: ReportRow): string {
  return `${r.category.padEnd(17)} ${r.orgUnitId.padEnd(20)} ${String(r.level < 0 ? '*' : r.level).padStart(5)} ${String(r.open).padStart(5)} ${String(r.resolved).padStart(8)} ${String(r.flagged).padStart(7)} ${pct(r.slaHitRate).padStart(7)} ${mins(r.medianFirstResponseMinutes).padStart(12)} ${mins(r.medianResolutionMinutes).padStart(12)}`;
}

export const concernCommands: Record<string, Command> = {
  'import-cadres': {
    usage: 'import-cadres <file.csv>',
    summary: 'add, update or end cadre assignments (columns member_id,org_unit,organisation,categories,conflict_units,active)',
    async run({ args, app }) {
      const [file, ...extra] = args;
      if (!file || extra.length) throw new UsageError(file ? 'import-cadres takes exactly one file' : 'import-cadres needs the CSV file to import');
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path`);
      }
      const a = await app();
      const concerns = a.services.concerns;
      const parsed = parseCadreCsv(content, categoryIds(concerns.policy));
      const at = new Date();
      const result = await importCadres(a.models, concerns, parsed.rows, at, progressBar('rows'));
      await deliverNotices(a.services.contacts, a.outbox, result.notices);
      const rejected = [...parsed.rejected, ...result.rejected].sort((x, y) => x.line - y.line);
      await a.services.audit.record({ actor: 'admin-cli', action: 'concern.cadres_import', target: file, details: { created: result.created, updated: result.updated, ended: result.ended, rerouted: result.rerouted, rejected: rejected.length, warnings: result.warnings.length }, at });
      console.log(`created ${result.created}, updated ${result.updated}, ended ${result.ended}, concerns re-routed ${result.rerouted}, rejected ${rejected.length}`);
      // Imported all the same: the operator may be preparing the org tree or the policy next.
      for (const w of result.warnings) console.error(`line ${w.line}: warning: ${w.reason}`);
      for (const r of rejected) console.error(`line ${r.line}: ${r.reason}`);
      if (rejected.length) console.error('Fix the rejected rows and import the file again; the other rows are already imported.');
      return rejected.length ? 1 : 0;
    },
  },
  'reseal-reporters': {
    usage: 'reseal-reporters',
    summary: 'seal reporter links written before sealing, and re-seal those under REPORTER_SEAL_KEY_PREVIOUS with the current key',
    async run({ args, app }) {
      if (args.length) throw new UsageError('reseal-reporters takes no arguments');
      const changed = await (await app()).services.concerns.vault.reseal();
      console.log(`resealed ${changed} reporter link(s)`);
      return 0;
    },
  },
  reseal: {
    usage: 'reseal',
    summary: 'after rotating REPORTER_SEAL_KEY: re-seal reporter links, conversations and kept message jobs still under REPORTER_SEAL_KEY_PREVIOUS (then the old key can go)',
    async run({ args, app }) {
      if (args.length) throw new UsageError('reseal takes no arguments');
      const a = await app();
      const links = await a.services.concerns.vault.reseal();
      const conversations = await a.services.conversations.reseal();
      const jobs = await a.outbox.reseal();
      console.log(`resealed ${links} reporter link(s), ${conversations} conversation(s), ${jobs} message job(s)`);
      return 0;
    },
  },
  'concern-report': {
    usage: 'concern-report [--csv out.csv]',
    summary: 'open/resolved concerns by category, unit and level; SLA hit rate; median times',
    async run({ args, app }) {
      let out: string | undefined;
      if (args.length) {
        if (args[0] !== '--csv' || !args[1] || args.length > 2) throw new UsageError('the only option is --csv <out.csv>');
        out = args[1];
      }
      const a = await app();
      const report = await buildConcernReport(a.services.concerns.cm);
      console.log(`${'category'.padEnd(17)} ${'unit'.padEnd(20)} level  open resolved flagged     SLA  median 1st  median done`);
      for (const r of [...report.rows, report.total]) console.log(line(r));
      // Collective cases are counted apart: their concerns are in the rows above too.
      const cases = await a.services.cases.report();
      console.log('');
      console.log(`collective cases: ${cases.total.cases} (open ${cases.total.open}, resolved ${cases.total.resolved}) holding ${cases.total.concerns} concerns`);
      for (const r of cases.rows) console.log(`  ${r.category.padEnd(17)} cases ${String(r.cases).padStart(4)}  open ${String(r.open).padStart(4)}  resolved ${String(r.resolved).padStart(4)}  concerns ${String(r.concerns).padStart(5)}`);
      if (out) {
        await writeFile(out, reportToCsv(report));
        console.log(`CSV written to ${out}`);
      }
      return 0;
    },
  },
};
