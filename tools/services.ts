/**
 * Local development services: Debian's redis-server and FerretDB (MongoDB wire protocol on
 * SQLite), started on demand and shared by `npm start`, `npm test` and `.ci/run`.
 * A service already listening on its port is reused, never started twice.
 */
import { buildPatchedFerret, FerretBuildError, ferretBinaryPath } from './ferretdb-build.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '.data');

export const LOCAL_REDIS_PORT = Number(process.env.DEV_REDIS_PORT ?? 6381);
export const LOCAL_MONGO_PORT = Number(process.env.DEV_MONGO_PORT ?? 27018);
export const LOCAL_REDIS_URL = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
export const LOCAL_MONGODB_URI = `mongodb://127.0.0.1:${LOCAL_MONGO_PORT}/`;

/** A service problem the person can fix; the message is the one line to print. */
export class ServiceSetupError extends Error {}

export interface ServiceHandle {
  name: 'redis' | 'ferretdb';
  url: string;
  /** true when this call started the process (so the caller may stop it). */
  startedHere: boolean;
}

function say(line: string, quiet: boolean): void {
  if (!quiet) process.stderr.write(`[services] ${line}\n`);
}

/** Resolves true when something accepts TCP connections on the port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitForPort(port: number, what: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ServiceSetupError(`${what} did not start listening on 127.0.0.1:${port} within ${timeoutMs / 1000}s; see .data/${what}.log`);
}

function which(cmd: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

function installRedis(quiet: boolean): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new ServiceSetupError(
      'redis-server is not installed: install it (sudo apt-get install redis-server) or set REDIS_URL to a running Redis',
    );
  }
  say('installing redis-server with apt-get (once)…', quiet);
  const opts = { stdio: quiet ? 'ignore' : 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } } as const;
  let res = spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], opts);
  if (res.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], opts);
    res = spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], opts);
  }
  if (res.status !== 0 || !which('redis-server')) {
    throw new ServiceSetupError('apt-get could not install redis-server: install it by hand or set REDIS_URL');
  }
}

/** Starts the local Redis unless one already answers on its port. */
export async function ensureRedis(opts: { quiet?: boolean } = {}): Promise<ServiceHandle> {
  const quiet = opts.quiet ?? false;
  if (await portOpen(LOCAL_REDIS_PORT)) return { name: 'redis', url: LOCAL_REDIS_URL, startedHere: false };
  if (!which('redis-server')) installRedis(quiet);
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const res = spawnSync(
    'redis-server',
    [
      '--bind', '127.0.0.1',
      '--port', String(LOCAL_REDIS_PORT),
      '--dir', dir,
      '--appendonly', 'yes',
      '--maxmemory-policy', 'noeviction',
      '--save', '',
      '--daemonize', 'yes',
      '--pidfile', join(dir, 'redis.pid'),
      '--logfile', join(dataDir, 'redis.log'),
    ],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new ServiceSetupError(`redis-server failed to start: ${res.stderr || res.stdout}`.trim());
  await waitForPort(LOCAL_REDIS_PORT, 'redis', 10_000);
  say(`Redis started on ${LOCAL_REDIS_URL} (data in .data/redis, AOF on, noeviction)`, quiet);
  return { name: 'redis', url: LOCAL_REDIS_URL, startedHere: true };
}

const ferretSources = { dir: join(root, 'tools', 'ferretdb'), dataDir };

function buildFerret(bin: string, quiet: boolean): void {
  if (!which('go')) {
    throw new ServiceSetupError('Go is needed once to build the local FerretDB server: install Go (>= 1.24) or set MONGODB_URI to a MongoDB server');
  }
  say('building the local FerretDB server with Go, patched (once, about a minute)…', quiet);
  try {
    buildPatchedFerret(ferretSources, bin);
  } catch (err) {
    if (err instanceof FerretBuildError) throw new ServiceSetupError(`building FerretDB failed: ${err.message}`);
    throw err;
  }
}

/** Starts the local FerretDB unless something already answers on its port. */
export async function ensureFerret(opts: { quiet?: boolean } = {}): Promise<ServiceHandle> {
  const quiet = opts.quiet ?? false;
  if (await portOpen(LOCAL_MONGO_PORT)) return { name: 'ferretdb', url: LOCAL_MONGODB_URI, startedHere: false };
  const bin = ferretBinaryPath(ferretSources);
  if (!existsSync(bin)) buildFerret(bin, quiet);
  mkdirSync(join(dataDir, 'ferretdb'), { recursive: true });
  const log = openSync(join(dataDir, 'ferretdb.log'), 'a');
  const child = spawn(bin, ['-listen', `127.0.0.1:${LOCAL_MONGO_PORT}`, '-dir', join(dataDir, 'ferretdb')], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  writeFileSync(join(dataDir, 'ferretdb.pid'), String(child.pid));
  child.unref();
  await waitForPort(LOCAL_MONGO_PORT, 'ferretdb', 20_000);
  say(`FerretDB started on ${LOCAL_MONGODB_URI} (SQLite data in .data/ferretdb)`, quiet);
  return { name: 'ferretdb', url: LOCAL_MONGODB_URI, startedHere: true };
}

function killPidFile(file: string): boolean {
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, 'utf8').trim());
  rmSync(file, { force: true });
  if (!pid) return false;
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

/** Stops a local service this project started (by its pid file). */
export async function stopService(name: ServiceHandle['name']): Promise<boolean> {
  const file = name === 'redis' ? join(dataDir, 'redis', 'redis.pid') : join(dataDir, 'ferretdb.pid');
  const port = name === 'redis' ? LOCAL_REDIS_PORT : LOCAL_MONGO_PORT;
  const killed = killPidFile(file);
  if (killed) {
    const until = Date.now() + 5000;
    while (Date.now() < until && (await portOpen(port))) await new Promise((r) => setTimeout(r, 50));
  }
  return killed;
}

/** What the process should connect to: configured URLs win, else local services are started. */
export async function ensureServices(
  env: { MONGODB_URI?: string; REDIS_URL?: string },
  opts: { quiet?: boolean } = {},
): Promise<{ mongoUri: string; redisUrl: string; started: ServiceHandle[] }> {
  const started: ServiceHandle[] = [];
  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    const h = await ensureRedis(opts);
    if (h.startedHere) started.push(h);
    redisUrl = h.url;
  }
  let mongoUri = env.MONGODB_URI;
  if (!mongoUri) {
    const h = await ensureFerret(opts);
    if (h.startedHere) started.push(h);
    mongoUri = h.url;
  }
  return { mongoUri, redisUrl, started };
}
