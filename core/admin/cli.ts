/**
 * The admin CLI for operators: `npm run admin -- <command> [args]`. Each command is one entry
 * in COMMANDS; messages are in English and go to stdout (results) or stderr (problems).
 * Exit codes: 0 done, 1 failed or some rows rejected, 2 usage error.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { ensureFerret, ServiceSetupError } from '../../tools/services.js';
import { AuditLog } from '../audit/audit-log.js';
import { ConfigError, loadConfig } from '../config.js';
import { bindModels, connectMongo, DatabaseUnavailableError, type Models } from '../db.js';
import { importOrgTree, parseOrgFile } from '../org/org-import.js';

/** What a command gets: its arguments and a way to reach the database (connected on first use). */
export interface CommandContext {
  args: string[];
  models(): Promise<Models>;
}

interface Command {
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

/** A wrong invocation; the CLI prints the message and the command's usage, and exits 2. */
class UsageError extends Error {}

const COMMANDS: Record<string, Command> = {
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
        const imported = await importOrgTree(m, parsed.rows, { now: at });
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

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  npm run admin -- ${c.usage.padEnd(36)} ${c.summary}`);
  return ['usage: npm run admin -- <command> [args]', 'commands:', ...lines].join('\n');
}

/** Runs one admin command from argv (without node and script) and returns the exit code. */
export async function runAdmin(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    if (name && name !== 'help' && name !== '--help') console.error(`unknown command "${name}"`);
    console.error(usage());
    return 2;
  }

  let conn: Connection | undefined;
  let models: Models | undefined;
  const ctx: CommandContext = {
    args,
    async models() {
      if (!models) {
        const config = loadConfig(env);
        let uri = config.MONGODB_URI;
        if (!uri) {
          // Only the database is needed here, so only the local FerretDB is started (not Redis,
          // as ensureServices would); it is left running for the app, like `npm run services`.
          const ferret = await ensureFerret();
          uri = ferret.url;
        }
        conn = await connectMongo(uri, config.MONGODB_DB);
        models = bindModels(conn);
      }
      return models;
    },
  };

  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nusage: npm run admin -- ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof ServiceSetupError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await conn?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runAdmin(process.argv.slice(2));
}
