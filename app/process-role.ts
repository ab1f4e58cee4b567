/**
 * What a process runs. `npm start` runs everything in one process (`all`); a production
 * deployment runs the roles apart, each as many replicas as it needs (README, "Production"):
 * - `web`: the platforms' webhooks (or long polling, one replica at a time), the conversation
 *   engine behind them, the web console, health;
 * - `worker`: the delivery lanes of every channel, broadcasts, SLA timers, reminders;
 * - `scheduler`: the jobs that run on a calendar (retention cleanup, the monthly steering report).
 * Every role serves /healthz and /readyz on PORT, for the orchestrator.
 */
import { ConfigError, type Config } from '../core/config.js';

export type ProcessRole = Config['ROLE'];

export interface RoleParts {
  /** Takes platform updates (webhooks or polling) and runs conversation turns; serves the web console. */
  chat: boolean;
  /** Sends: the delivery lanes of the platform channels. */
  delivery: boolean;
  /** Runs the queued work: broadcasts, SLA timers, reminders. */
  jobWorkers: boolean;
  /** Runs the calendar jobs (retention cleanup, the monthly steering report). */
  scheduled: boolean;
  /** The local console simulator (only when everything runs in one process). */
  console: boolean;
}

export function roleParts(role: ProcessRole): RoleParts {
  switch (role) {
    case 'all':
      return { chat: true, delivery: true, jobWorkers: true, scheduled: true, console: true };
    case 'web':
      return { chat: true, delivery: false, jobWorkers: false, scheduled: false, console: false };
    case 'worker':
      return { chat: false, delivery: true, jobWorkers: true, scheduled: false, console: false };
    case 'scheduler':
      return { chat: false, delivery: false, jobWorkers: false, scheduled: true, console: false };
  }
}

/**
 * A role of a deployment shares its stores with the other replicas: it must be told where
 * they are (only `all` starts local ones), and a role that talks to no platform has no use.
 */
export function checkRoleConfig(config: Config): void {
  if (config.ROLE === 'all') return;
  for (const name of ['MONGODB_URI', 'REDIS_URL'] as const) {
    if (!config[name]) throw new ConfigError(`Invalid configuration: ${name} — required with ROLE=${config.ROLE} (the roles share one MongoDB and one Redis; only ROLE=all starts local ones) (see .env.example)`);
  }
  if ((config.ROLE === 'web' || config.ROLE === 'worker') && !config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
    throw new ConfigError(`Invalid configuration: TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN — ROLE=${config.ROLE} serves the platforms, so at least one token is needed (see .env.example)`);
  }
}
