/**
 * The app as a deployment runs it: `app/main.ts` in a child process with a ROLE, against the
 * test's Redis, MongoDB-wire server, database and key prefix (and the test privacy keys), so
 * the test process can read what it did. Used by the multi-process and shutdown tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { TEST_MARKER_KEY, TEST_SEAL_KEY } from './test-app.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AppProcess {
  child: ChildProcess;
  /** Where its HTTP server listens (http://127.0.0.1:PORT). */
  address: string;
  /** Everything it wrote to stderr so far. */
  readonly stderr: string;
  /** Resolves with the exit code (or the signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGTERM for a graceful stop) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A free TCP port on this machine (so a restarted process can take the same address). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** Starts `app/main.ts` and resolves once it says where its HTTP server listens. */
export async function startAppProcess(target: { db: string; prefix: string }, env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MONGODB_URI: inject('mongoUri'),
      REDIS_URL: inject('redisUrl'),
      MONGODB_DB: target.db,
      REDIS_PREFIX: target.prefix,
      REPORTER_SEAL_KEY: TEST_SEAL_KEY,
      MARKER_KEY: TEST_MARKER_KEY,
      WEB_SESSION_SECRET: '3c'.repeat(32),
      SEED_SAMPLE_ORG: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let stderr = '';
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const address = await new Promise<string>((done, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /HTTP on (http:\/\/[^\s;,)]+)/.exec(stderr);
      if (m) done(m[1]!);
    });
    void exited.then(({ code }) => fail(new Error(`app process (${env.ROLE ?? 'all'}) exited (${code}) before it listened:\n${stderr.slice(-3000)}`)));
  });
  return {
    child,
    address,
    get stderr() {
      return stderr;
    },
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
