import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.data/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Vitest's default is one file per CPU minus one: a single file at a time on a 2-core machine.
    // The files mostly wait on Redis, FerretDB and child processes, and each has its own database
    // and Redis prefix, so at least two run at once (full suite on 2 cores: 14 min → 7 min).
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
