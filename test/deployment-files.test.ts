/**
 * The deployment files (Dockerfile, compose.yaml, .dockerignore; docs/operations.md) checked
 * without a container runtime, which the project's machines do not have:
 * - compose.yaml: each role's environment, as Compose would build it from a `.env` made from
 *   .env.example, passes the app's own checks for that role (loadConfig, checkRoleConfig, the
 *   privacy keys, webhook secrets and the web console's key); every role has a health check on
 *   /healthz and stops within its grace period; Redis runs with AOF and noeviction; MongoDB is a
 *   replica set that is initiated once;
 * - Dockerfile: the runtime stage is not root, installs with --omit=dev, and starts
 *   dist/app/main.js with node; the build output really has that file (a build into a temporary
 *   folder, as `npm run build` does it), it starts (and stops on a missing MONGODB_URI with the
 *   app's one line), and it imports no devDependency;
 * - the health check scripts of both files, run against a server answering /healthz.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleParts, checkRoleConfig, type ProcessRole } from '../app/process-role.js';
import { requireWebhookSecrets } from '../bots/channels.js';
import { resolveSessionKey } from '../bots/web/session-key.js';
import { loadConfig, type Config } from '../core/config.js';
import { resolvePrivacyKeys } from '../core/privacy/privacy-keys.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROLES = ['web', 'worker', 'scheduler'] as const;
type Env = Record<string, string>;
type Service = Record<string, unknown> & { environment?: Record<string, unknown> | string[]; env_file?: unknown };

const hex = (c: string) => c.repeat(64);

/** `.env` as an operator makes it: .env.example with the production values filled in. */
function sampleDotenv(overrides: Record<string, string | undefined> = {}): Env {
  const env = parseDotenv(readFileSync(join(ROOT, '.env.example'), 'utf8'));
  const filled: Record<string, string | undefined> = {
    ...env,
    TELEGRAM_BOT_TOKEN: '123456789:AAEexampleexampleexampleexample',
    ZALO_BOT_TOKEN: 'zalo-example-token-0123456789',
    PUBLIC_URL: 'https://donghanh.example.org',
    TELEGRAM_WEBHOOK_SECRET: 'tg_secret_example',
    ZALO_WEBHOOK_SECRET: 'zalo-secret-example',
    REPORTER_SEAL_KEY: hex('a'),
    MARKER_KEY: hex('b'),
    WEB_SESSION_SECRET: hex('c'),
    REDIS_PASSWORD: hex('d'),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(filled).filter((e): e is [string, string] => e[1] !== undefined));
}

/** KEY=VALUE lines, as Compose reads an env file (comments and blank lines skipped, quotes removed). */
function parseDotenv(text: string): Env {
  const env: Env = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(value: string, env: Env): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
    if (m === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const v = env[name!];
    const missing = v === undefined || (colon === ':' && v === '');
    if (op === '-') return missing ? arg! : v!;
    if (op === '?') {
      if (missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return v!;
    }
    return v ?? '';
  });
}

function interpolateAll<T>(node: T, env: Env): T {
  if (typeof node === 'string') return interpolate(node, env) as T;
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, env)) as T;
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, env)])) as T;
  return node;
}

interface Compose {
  services: Record<string, Service>;
}

/** compose.yaml as Compose reads it (merge keys resolved), interpolated from `dotenv`. */
function loadCompose(dotenv: Env, edit?: (raw: Compose) => void): Compose {
  const raw = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
  edit?.(raw);
  return interpolateAll(raw, dotenv);
}

/** A container's environment: its env files, then `environment:` over them (as Compose does). */
function containerEnv(service: Service, dotenv: Env): Env {
  const files = service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
  const env: Env = {};
  for (const f of files) {
    const path = typeof f === 'string' ? f : (f as { path: string }).path;
    // The only env file the project uses is the operator's .env (the sample stands in for it).
    expect(path).toBe('.env');
    Object.assign(env, dotenv);
  }
  const given = service.environment ?? {};
  const pairs = Array.isArray(given) ? given.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]) : Object.entries(given);
  for (const [k, v] of pairs) env[k!] = v === null || v === undefined ? (dotenv[k!] ?? '') : String(v);
  return env;
}

/** Compose durations: 35s, 1m30s, 500ms, 2h. */
function seconds(duration: unknown): number {
  const text = String(duration ?? '10s');
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)) total += Number(n) * { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 }[unit as 'h']!;
  return total;
}

/**
 * What the app checks at start-up for a role, on a container's environment; throws the app's
 * own error when something is missing. Returns the configuration.
 */
function checkRoleEnvironment(role: ProcessRole, env: Env): Config {
  const config = loadConfig(env);
  expect(config.ROLE).toBe(role);
  checkRoleConfig(config);
  // Every role opens sealed values (deliveries, conversations in the retention sweep): the keys
  // must come from the environment, never be generated into a file inside the container.
  for (const name of ['REPORTER_SEAL_KEY', 'MARKER_KEY'] as const) if (!config[name]) throw new Error(`${name} is not given to ${role}`);
  const keys = resolvePrivacyKeys(config, { keysFile: '/nonexistent/privacy-keys.json', onGenerated: () => { throw new Error('keys generated'); } });
  if (roleParts(role).chat) {
    requireWebhookSecrets(config);
    const session = resolveSessionKey(config, keys);
    if (!('source' in session) || session.source !== 'config') throw new Error(`WEB_SESSION_SECRET is not given to ${role}`);
  }
  if (config.SEED_SAMPLE_ORG) throw new Error(`SEED_SAMPLE_ORG must be false for ${role}`);
  return config;
}

describe('compose.yaml', () => {
  const dotenv = sampleDotenv();
  const compose = loadCompose(dotenv);

  it.each(ROLES)('%s: the environment Compose gives it passes the app\'s checks for the role', (role) => {
    const service = compose.services[role]!;
    expect(service, `service ${role}`).toBeDefined();
    const env = containerEnv(service, dotenv);
    const config = checkRoleEnvironment(role, env);
    // The shared stores are the compose services, not whatever .env.example says.
    const mongo = new URL(config.MONGODB_URI!);
    expect(mongo.hostname).toBe('mongo');
    expect(mongo.searchParams.get('replicaSet')).toBe('rs0');
    const redis = new URL(config.REDIS_URL!);
    expect(redis.hostname).toBe('redis');
    expect(decodeURIComponent(redis.password)).toBe(dotenv.REDIS_PASSWORD);
    expect(env.NODE_ENV).toBe('production');
  });

  it.each(ROLES)('%s: health check on /healthz, depends on healthy stores, restarts, stops within its grace period', (role) => {
    const service = compose.services[role]! as Service & {
      healthcheck: { test: string[] };
      depends_on: Record<string, { condition: string }>;
      restart: string;
      stop_grace_period: string;
      image: string;
    };
    const config = loadConfig(containerEnv(service, dotenv));
    expect(service.healthcheck.test.join(' ')).toContain('/healthz');
    expect(service.healthcheck.test.join(' ')).toContain('process.env.PORT');
    expect(service.depends_on).toEqual({
      mongo: { condition: 'service_healthy' },
      'mongo-init': { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(service.restart).toMatch(/^(always|unless-stopped|on-failure)/);
    expect(seconds(service.stop_grace_period)).toBeGreaterThan(config.SHUTDOWN_DEADLINE_SECONDS);
    // One image for every role.
    expect(service.image).toBe(compose.services.web!.image);
  });

  it('the web role publishes its PORT; the others publish nothing', () => {
    const web = compose.services.web! as Service & { ports: string[] };
    const port = loadConfig(containerEnv(web, dotenv)).PORT;
    expect(web.ports.map((p) => String(p).split(':').pop())).toEqual([String(port)]);
    for (const name of ['worker', 'scheduler', 'mongo', 'redis']) expect(compose.services[name]!.ports, name).toBeUndefined();
  });

  it('Redis runs with AOF on and maxmemory-policy noeviction, with a health check', () => {
    const redis = compose.services.redis! as Service & { command: string[]; image: string; healthcheck: { test: string[] } };
    expect(redis.image).toMatch(/^redis:7/);
    const args = redis.command.join(' ');
    expect(args).toMatch(/--appendonly yes\b/);
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
    expect(args).toContain(`--requirepass ${dotenv.REDIS_PASSWORD}`);
    expect(redis.healthcheck.test.join(' ')).toContain('ping');
  });

  it('MongoDB 7 runs as a one-node replica set, initiated once, healthy when primary', () => {
    const mongo = compose.services.mongo! as Service & { command: string[]; image: string; healthcheck: { test: string[] } };
    expect(mongo.image).toMatch(/^mongo:7/);
    expect(mongo.command.join(' ')).toMatch(/--replSet rs0\b/);
    expect(mongo.healthcheck.test.join(' ')).toContain('isWritablePrimary');
    const init = compose.services['mongo-init']! as Service & { command: string[]; restart: string };
    const script = init.command.join('\n');
    // Only when the set is not initiated yet, with the host the roles connect to.
    expect(script).toMatch(/NotYetInitialized[\s\S]*rs\.initiate\(\{ _id: "rs0", members: \[\{ _id: 0, host: "mongo:27017" \}\] \}\)/);
    expect(script).not.toContain('$$'); // $$ is Compose's escape; after interpolation the shell sees $(…)
    expect(init.restart).toBe('no');
  });

  it('fails when a role lacks MONGODB_URI, or .env lacks a required secret', () => {
    const broken = loadCompose(dotenv, (raw) => delete (raw.services.worker!.environment as Record<string, unknown>).MONGODB_URI);
    // .env.example's empty MONGODB_URI= reaches the worker through env_file: the app refuses to start.
    expect(() => checkRoleEnvironment('worker', containerEnv(broken.services.worker!, dotenv))).toThrow(/MONGODB_URI — required with ROLE=worker/);
    const noSession = loadCompose(dotenv, (raw) => delete (raw.services.web!.environment as Record<string, unknown>).WEB_SESSION_SECRET);
    const envWithout = { ...dotenv, WEB_SESSION_SECRET: '' };
    expect(() => checkRoleEnvironment('web', containerEnv(noSession.services.web!, envWithout))).toThrow(/WEB_SESSION_SECRET/);
    // Compose itself refuses to start without the keys (${VAR:?…}).
    expect(() => loadCompose(sampleDotenv({ REPORTER_SEAL_KEY: '' }))).toThrow(/REPORTER_SEAL_KEY/);
    // Webhook mode without its secret: the web role's own check.
    expect(() => checkRoleEnvironment('web', containerEnv(compose.services.web!, { ...dotenv, ZALO_WEBHOOK_SECRET: '' }))).toThrow(/ZALO_WEBHOOK_SECRET/);
  });
});

/** The Dockerfile's stages: FROM line, and instructions (continuation lines joined). */
function dockerStages(text: string): { from: string; name?: string; lines: { op: string; args: string }[] }[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: ReturnType<typeof dockerStages> = [];
  for (const line of joined) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ from: m[1]!, name: m[2], lines: [] });
    } else stages.at(-1)?.lines.push({ op: op!.toUpperCase(), args });
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;
  const build = stages[0]!;
  const of = (stage: typeof runtime, op: string) => stage.lines.filter((l) => l.op === op).map((l) => l.args);

  it('builds on Node 20 slim in a build stage: npm ci, npm run build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toBe('node:20-bookworm-slim');
    expect(of(build, 'RUN').join('\n')).toMatch(/npm ci\b[\s\S]*npm run build/);
  });

  it('runtime stage: production dependencies only, dist/ only, not root, NODE_ENV=production', () => {
    const runs = of(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci --omit=dev/);
    expect(runs).not.toMatch(/npm (run )?build|tsc/);
    const copies = of(runtime, 'COPY');
    expect(copies.filter((c) => c.startsWith('--from='))).toEqual([`--from=${build.name} /app/dist ./dist`]);
    expect(copies.some((c) => /^\. |^\.\s/.test(c))).toBe(false);
    const user = of(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    // USER comes before CMD, so the process runs as that user.
    const ops = runtime.lines.map((l) => l.op);
    expect(ops.indexOf('USER')).toBeLessThan(ops.indexOf('CMD'));
    expect(of(runtime, 'ENV').join(' ')).toMatch(/NODE_ENV=production/);
  });

  it('runtime stage: Debian\'s chromium for the steering report\'s PDF, where CHROMIUM_PATH says', () => {
    expect(of(runtime, 'RUN').join('\n')).toMatch(/apt-get install -y --no-install-recommends chromium\b/);
    const path = /CHROMIUM_PATH=(\S+)/.exec(of(runtime, 'ENV').join(' '))?.[1];
    expect(path).toBe('/usr/lib/chromium/chromium');
    expect(loadConfig({ CHROMIUM_PATH: path }).CHROMIUM_PATH).toBe(path);
  });

  it('starts node dist/app/main.js (no tsx; ROLE from the environment) with a /healthz health check', () => {
    expect(JSON.parse(of(runtime, 'CMD')[0]!)).toEqual(['node', 'dist/app/main.js']);
    expect(of(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(runtime.lines.some((l) => /\bROLE=/.test(l.args) && l.op === 'ENV')).toBe(false);
    const health = of(runtime, 'HEALTHCHECK')[0]!;
    expect(health).toContain('/healthz');
    expect(health).toContain('fetch(');
  });
});

/** Runs a health check's `node -e` script with PORT set; resolves its exit code. */
function runHealthScript(script: string, port: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
    child.on('close', (code) => done(code));
  });
}

describe('the health check scripts', () => {
  const dotenv = sampleDotenv();
  const compose = loadCompose(dotenv);
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const dockerHealth = JSON.parse(/^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  const scripts: [string, string[]][] = [['Dockerfile', dockerHealth], ...ROLES.map((r) => [`compose ${r}`, (compose.services[r]! as { healthcheck: { test: string[] } }).healthcheck.test.slice(1)] as [string, string[]])];

  it.each(scripts)('%s: exits 0 when /healthz answers 200 on PORT, 1 when it answers 503 or nothing listens', async (_name, argv) => {
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    let status = 200;
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await runHealthScript(argv[2]!, port)).toBe(0);
      status = 503;
      expect(await runHealthScript(argv[2]!, port)).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await runHealthScript(argv[2]!, port)).toBe(1);
  });
});

describe('the image\'s start command in the build output', () => {
  // Inside the repository, so the compiled code resolves node_modules as it does in /app.
  let dir = '';
  let compiled: string[] = [];

  beforeAll(() => {
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.data', 'deploy-build-'));
    // `npm run build`, into a temporary folder: tsc with tsconfig.build.json (types are checked
    // by `npm run typecheck`; here only the output matters), then tools/copy-assets.mjs.
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist'), '--noCheck', '--listFiles'], { cwd: ROOT, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    compiled = tsc.stdout.split('\n').filter((f) => f && !f.includes('/node_modules/')).map((f) => relative(ROOT, f));
    for (const d of ['locales', 'bots', 'core']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    const assets = spawnSync(process.execPath, [join(ROOT, 'tools/copy-assets.mjs')], { cwd: dir, encoding: 'utf8' });
    if (assets.status !== 0) throw new Error(`copy-assets failed: ${assets.stderr}`);
  }, 90_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has dist/app/main.js, the locales and the web console\'s stylesheet', () => {
    expect(existsSync(join(dir, 'dist/app/main.js'))).toBe(true);
    expect(readdirSync(join(dir, 'dist/locales/vi')).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(5);
    expect(readdirSync(join(dir, 'dist/locales/en')).sort()).toEqual(readdirSync(join(ROOT, 'locales/en')).sort());
    expect(existsSync(join(dir, 'dist/bots/web/assets/console.css'))).toBe(true);
  });

  it('node dist/app/main.js loads and stops with the app\'s one line when a role lacks MONGODB_URI', () => {
    const dotenv = sampleDotenv();
    const env = { ...containerEnv(loadCompose(dotenv).services.web!, dotenv), MONGODB_URI: '', PATH: process.env.PATH ?? '' };
    const run = spawnSync(process.execPath, [join(dir, 'dist/app/main.js')], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr.trim()).toBe('Invalid configuration: MONGODB_URI — required with ROLE=web (the roles share one MongoDB and one Redis; only ROLE=all starts local ones) (see .env.example)');
    expect(run.status).toBe(1);
  });

  it('the admin and webhooks CLIs that docs/operations.md names run from dist/', () => {
    const admin = spawnSync(process.execPath, [join(dir, 'dist/bots/admin/cli.js'), 'help'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(admin.stderr).toContain('reseal-reporters');
    const webhooks = spawnSync(process.execPath, [join(dir, 'dist/bots/webhooks-cli.js')], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(webhooks.stderr).toContain('set|delete|show');
    expect(webhooks.status).toBe(2);
  });

  it('imports no devDependency (the image installs with --omit=dev)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      // Static imports and re-exports (at the start of a line, as tsc writes them), bare imports, import('…').
      for (const m of code.matchAll(/^(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const spec = (m[1] ?? m[2] ?? m[3])!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (!spec.startsWith('node:') && !builtins.has(spec)) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          bare.set(name, relative(dir, file));
        }
      }
    };
    for (const entry of ['dist/app/main.js', 'dist/bots/admin/cli.js', 'dist/bots/webhooks-cli.js']) visit(join(dir, entry));
    expect(seen.size).toBeGreaterThan(50);
    const notProduction = [...bare].filter(([name]) => !(name in pkg.dependencies));
    expect(notProduction, 'imported from the build output but not in dependencies').toEqual([]);
  });

  it('.dockerignore leaves in every file the build compiles, and keeps .env and .data out', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}(/.*)?$`);
    const ignored = (path: string) => {
      let out = false;
      for (const p of patterns) if (glob(p.replace(/^!/, '')).test(path)) out = !p.startsWith('!');
      return out;
    };
    expect(compiled.length).toBeGreaterThan(100);
    expect(compiled.filter(ignored)).toEqual([]);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'tools/copy-assets.mjs', 'locales/vi/common.json']) expect(ignored(needed), needed).toBe(false);
    for (const secret of ['.env', '.env.production', '.data/privacy-keys.json', 'node_modules/x', '.git/config']) expect(ignored(secret), secret).toBe(true);
  });
});
