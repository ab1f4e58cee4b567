// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Layers: core/, flows/ and workers/ know neither the platforms (bots/) nor the wiring (app/,
  // the composition root, which imports them all). Their tests may build an app through app/ or
  // test/support, but never import bots/. A later block setting no-restricted-imports on these
  // files would replace these patterns, so add further patterns here.
  {
    files: ['core/**/*.ts', 'flows/**/*.ts', 'workers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(bots|app)(/|$)', message: 'core/, flows/ and workers/ may not import bots/ (platform adapters) or app/ (the composition root).' }] }],
    },
  },
  {
    files: ['core/**/*.test.ts', 'flows/**/*.test.ts', 'workers/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+bots(/|$)', message: 'Tests under core/, flows/ and workers/ may not import bots/: take the app from app/ or test/support.' }] }],
    },
  },
);
