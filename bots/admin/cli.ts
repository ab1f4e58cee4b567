/**
 * The admin CLI for operators: `npm run admin -- <command> [args]`. Each command is one entry
 * in COMMANDS; messages are in English and go to stdout (results) or stderr (problems).
 * Exit codes: 0 done, 1 failed or some rows rejected, 2 usage error.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { ensureFerret, ensureServices, ServiceSetupError } from '../../tools/services.js';
import { ConfigError, loadConfig } from '../../core/config.js';
import { bindModels, connectMongo, DatabaseUnavailableError, type Models } from '../../core/db.js';
import { RedisUnavailableError } from '../../core/redis.js';
import { createApp, type App } from '../../app/app.js';
import { UsageError, type Command, type CommandContext } from './command.js';
import { broadcastCommands } from './broadcast-commands.js';
import { caseCommands } from './case-commands.js';
import { concernCommands } from './concern-commands.js';
import { feedbackCommands } from './feedback-commands.js';
import { meetingCommands } from './meeting-commands.js';
import { orgCommands } from './org-commands.js';
import { reviewCommands } from './review-commands.js';
import { steeringCommands } from './steering-commands.js';
import { surveyCommands } from './survey-commands.js';
import { webCommands } from './web-commands.js';

/** Every command; each area adds its own map here. */
const COMMANDS: Record<string, Command> = { ...orgCommands, ...surveyCommands, ...broadcastCommands, ...concernCommands, ...caseCommands, ...reviewCommands, ...steeringCommands, ...webCommands, ...meetingCommands, ...feedbackCommands };

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
  let app: App | undefined;
  const ctx: CommandContext = {
    args,
    async app() {
      if (!app) {
        const config = loadConfig({ LOG_LEVEL: 'warn', ...env });
        const services = await ensureServices({ MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL });
        app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false });
      }
      return app;
    },
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
    if (err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof RedisUnavailableError || err instanceof ServiceSetupError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await conn?.close();
    await app?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runAdmin(process.argv.slice(2));
}
