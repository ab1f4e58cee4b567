/** The shape of an admin CLI command and what it gets to work with. */
import type { Models } from '../../core/db.js';
import type { App } from '../../app/app.js';

/** What a command gets: its arguments and ways to reach the database or the whole app (connected on first use). */
export interface CommandContext {
  args: string[];
  /** The database only (starts the local FerretDB if MONGODB_URI is unset). */
  models(): Promise<Models>;
  /** The whole app: database, Redis, queues (starts local services if needed), no delivery workers. */
  app(): Promise<App>;
}

/** One `npm run admin -- <name>` command. */
export interface Command {
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

/** A wrong invocation; the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}
