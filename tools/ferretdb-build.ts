/**
 * Builds the local FerretDB server from its Go module with the project's patches applied
 * (tools/ferretdb/patches). The module is downloaded into Go's module cache, copied into .data/
 * (files in the cache are read-only, and `go build -overlay` refuses them), patched, and built
 * through a separate modfile whose `replace` points at the copy, so tools/ferretdb/go.mod stays
 * the stock one. The binary is cached under a hash of the sources and the patches.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The module and version the wrapper in tools/ferretdb embeds. */
const MODULE = 'github.com/FerretDB/FerretDB';

/** A step of the build failed; the message says which and what Go said. */
export class FerretBuildError extends Error {
  override name = 'FerretBuildError';
}

export interface FerretSources {
  /** tools/ferretdb: main.go, go.mod, go.sum, patches/. */
  dir: string;
  /** Where copies, modfiles and binaries go (.data). */
  dataDir: string;
}

const patchesOf = (src: FerretSources) => {
  const dir = join(src.dir, 'patches');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.patch')).sort().map((f) => join(dir, f)) : [];
};

/** The cached binary for these sources and patches (rebuilt when any of them changes). */
export function ferretBinaryPath(src: FerretSources): string {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(src.dir, f)));
  for (const p of patchesOf(src)) hash.update(p).update(readFileSync(p));
  return join(src.dataDir, 'bin', `ferretdb-${hash.digest('hex').slice(0, 12)}`);
}

const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: goEnv });
  if (res.status !== 0) {
    const said = `${res.stderr || ''}${res.stdout || ''}`.trim().split('\n').slice(-4).join(' | ');
    throw new FerretBuildError(`${what} failed (${cmd} ${args.join(' ')}): ${said || res.error?.message || `exit ${res.status}`}`);
  }
  return res.stdout;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** Downloads, copies, patches and builds FerretDB into `bin`; throws FerretBuildError naming the failed step. */
export function buildPatchedFerret(src: FerretSources, bin: string): void {
  const version = /^\s*require\s+github\.com\/FerretDB\/FerretDB\s+(v\S+)/m.exec(readFileSync(join(src.dir, 'go.mod'), 'utf8'))?.[1];
  if (!version) throw new FerretBuildError(`tools/ferretdb/go.mod does not require ${MODULE}`);
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `${MODULE}@${version}`], src.dir, 'downloading the FerretDB module')) as { Dir?: string };
  if (!info.Dir) throw new FerretBuildError(`go mod download gave no directory for ${MODULE}@${version}`);

  const work = join(src.dataDir, 'ferretdb-build');
  const copy = join(work, `FerretDB@${version}-patched`);
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(info.Dir, copy, { recursive: true });
  makeWritable(copy);
  for (const patch of patchesOf(src)) {
    // git apply works outside a repository; --check first, so a patch that no longer fits stops the build whole.
    run('git', ['apply', '--check', '-v', patch], copy, `the patch ${patch.split('/').slice(-1)[0]} does not apply to ${MODULE}@${version}`);
    run('git', ['apply', patch], copy, `applying ${patch}`);
  }

  // A modfile of its own (its go.sum sits beside it), replacing the module with the patched copy.
  const modfile = join(work, 'go.patched.mod');
  writeFileSync(modfile, `${readFileSync(join(src.dir, 'go.mod'), 'utf8').trimEnd()}\n\nreplace ${MODULE} => ${copy}\n`);
  writeFileSync(join(work, 'go.patched.sum'), readFileSync(join(src.dir, 'go.sum')));
  mkdirSync(dirname(bin), { recursive: true });
  run('go', ['build', `-modfile=${modfile}`, '-ldflags=-checklinkname=0', '-o', bin, '.'], src.dir, 'building FerretDB');
}
