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
  // Data access goes through stores owned by core/ (README, "Stores owned by core"): flows, the
  // engine and the workers never touch mongoose or the models. Their tests may, to set up and to
  // look underneath.
  {
    files: ['flows/**/*.ts', 'workers/**/*.ts', 'core/engine/**/*.ts'],
    ignores: ['**/*.test.ts', 'core/engine/conversation-store.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'mongoose', message: 'Flows, the engine and workers reach data through the stores in core/, not mongoose.' }],
          patterns: [
            {
              regex: '(^|/)(db|models)\\.js$',
              importNamePattern: '^(bind\\w*Models|\\w*Models|connectMongo)$',
              message: 'Flows, the engine and workers reach data through the stores in core/ (MemberService, ConversationStore, DeliveryLog, …), not the models.',
            },
          ],
        },
      ],
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
