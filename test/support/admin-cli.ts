/** Runs `npm run admin -- …` as operators do: a real child process against a test's database. */
import { spawn } from 'node:child_process';
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

/** Runs the admin CLI with `args` on database `db` (and Redis prefix `prefix`, when the command needs queues). */
export function runAdminCli(args: string[], target: { db: string; prefix?: string }): Promise<CliRun> {
  return new Promise((done, fail) => {
    const env: Record<string, string | undefined> = { ...process.env, MONGODB_URI: inject('mongoUri'), MONGODB_DB: target.db, NODE_OPTIONS: '', REPORTER_SEAL_KEY: TEST_SEAL_KEY, MARKER_KEY: TEST_MARKER_KEY };
    if (target.prefix) Object.assign(env, { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: target.prefix });
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/admin/cli.ts', ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
