/**
 * Runs `npm run admin -- …` against a test's database: in this process by default (the CLI's own
 * `runAdmin`, its console output captured), or as a real child process as operators run it
 * (`runAdminCliProcess`; bots/admin/cli.test.ts keeps one, so the entry point itself is tested).
 * A child process costs seconds of start-up and TypeScript loading; in-process, a command costs
 * only its own work, which keeps the CLI tests fast and free of load-dependent timeouts.
 */
import { spawn } from 'node:child_process';
import { format } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { TEST_MARKER_KEY, TEST_SEAL_KEY } from './test-app.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment the CLI runs with: the test's database (and Redis, when the command needs queues), the test keys. */
function cliEnv(target: { db: string; prefix?: string }): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, MONGODB_URI: inject('mongoUri'), MONGODB_DB: target.db, NODE_OPTIONS: '', REPORTER_SEAL_KEY: TEST_SEAL_KEY, MARKER_KEY: TEST_MARKER_KEY };
  if (target.prefix) Object.assign(env, { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: target.prefix });
  return env;
}

/** Commands run one at a time in a process: the console is captured while one runs. */
let running: Promise<unknown> = Promise.resolve();

/** Runs the admin CLI with `args` on database `db` (and Redis prefix `prefix`) in this process; what it prints is captured. */
export function runAdminCli(args: string[], target: { db: string; prefix?: string }, extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const run = running.then(() => runCaptured(args, { ...cliEnv(target), ...extraEnv }));
  running = run.catch(() => undefined);
  return run;
}

async function runCaptured(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, out: process.stdout.write, err: process.stderr.write };
  const toOut = (...a: unknown[]) => void (stdout += format(...a) + '\n');
  const toErr = (...a: unknown[]) => void (stderr += format(...a) + '\n');
  console.log = console.info = toOut;
  console.warn = console.error = toErr;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    // The CLI's own default (warn) would print the app's log lines; a child process keeps them apart, here they are quiet.
    const { runAdmin } = await import('../../bots/admin/cli.js');
    code = await runAdmin(args, { LOG_LEVEL: 'silent', ...env });
  } catch (err) {
    // What an uncaught error does to the real CLI: a stack on stderr, exit code 1.
    stderr += `${(err as Error).stack ?? String(err)}\n`;
    code = 1;
  } finally {
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error });
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
  return { code, stdout, stderr };
}

/** Runs the admin CLI as a real child process (`node --import tsx bots/admin/cli.ts …`), as operators do. */
export function runAdminCliProcess(args: string[], target: { db: string; prefix?: string }): Promise<CliRun> {
  return new Promise((done, fail) => {
    const env = cliEnv(target);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/admin/cli.ts', ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
