/** The reporter records are sealed: only the vault reads them (a code review rule made a test). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'node_modules' || n.startsWith('.')) return [];
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('sealed reporter records', () => {
  it('are touched only by reporter-vault.ts (and declared in models.ts)', () => {
    // The model, or the collection by name through the driver (naming the collection in a
    // declaration, as the erasure steps do, is not access).
    const users = ['app', 'bots', 'core', 'flows', 'workers', 'tools']
      .flatMap((d) => files(join(root, d)))
      .filter((f) => /ConcernReporter\b|collection\(\s*['"`]concern_reporters/.test(readFileSync(f, 'utf8').replace(/ConcernReporterDoc/g, '')))
      .map((f) => relative(root, f))
      .sort();
    expect(users).toEqual(['core/concerns/models.ts', 'core/concerns/reporter-vault.ts']);
  });
});
