/** Org-tree commands of the admin CLI. */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { AuditLog } from '../../core/audit/audit-log.js';
import { importOrgTree, parseOrgFile } from '../../core/org/org-import.js';
import { UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';

export const orgCommands: Record<string, Command> = {
  'import-org': {
    usage: 'import-org <file.json|file.csv>',
    summary: 'import or update the org tree from a JSON or CSV file',
    async run({ args, models }) {
      const [file, ...extra] = args;
      if (!file || extra.length > 0) throw new UsageError(file ? 'import-org takes exactly one file' : 'import-org needs the file to import');
      const ext = extname(file).toLowerCase();
      if (ext !== '.json' && ext !== '.csv') throw new UsageError(`cannot tell the format of ${file}: name it *.json or *.csv`);
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path`);
      }

      const parsed = parseOrgFile(content, ext === '.json' ? 'json' : 'csv');
      const result = { created: 0, updated: 0, unchanged: 0, rejected: parsed.rejected };
      // A file with no usable row needs no database (and no local server started for it).
      if (parsed.rows.length > 0) {
        const m = await models();
        const at = new Date();
        const imported = await importOrgTree(m, parsed.rows, { now: at, onProgress: progressBar('units written') });
        Object.assign(result, imported, { rejected: [...parsed.rejected, ...imported.rejected].sort((a, b) => a.line - b.line) });
        const { rejected, ...counts } = result;
        await new AuditLog(m).record({ actor: 'admin-cli', action: 'org.import', target: resolve(file), details: { ...counts, rejected: rejected.length }, at });
      }

      console.log(`created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, rejected ${result.rejected.length}`);
      for (const r of result.rejected) console.error(`line ${r.line}: ${r.reason}`);
      if (result.rejected.length > 0) console.error('Fix the rejected rows and import the file again; the other rows are already imported.');
      return result.rejected.length > 0 ? 1 : 0;
    },
  },
};
