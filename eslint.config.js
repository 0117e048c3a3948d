// One lint configuration for the whole repository.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/coverage/**',
      'e2e/output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/\\/src\\//]',
          message: 'Import internal packages by name, never through /src/.',
        },
      ],
    },
  },
  {
    // One validated config module per app reads the environment; nothing else does.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/config.ts', '**/testing.ts', '**/testing/**', '**/*.config.ts', 'e2e/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment in config.ts only.' },
      ],
    },
  },
  {
    // Tests read loosely-typed JSON responses; asserting their shape is the test's job.
    files: ['**/*.test.ts', '**/*.test.tsx', '**/testing/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The domain package is pure: no I/O library may be imported there.
    files: ['packages/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os'],
              message: 'packages/domain performs no I/O.',
            },
            {
              group: ['drizzle-orm*', 'pg', 'express', 'bullmq', 'ioredis', '@slipway/*'],
              message: 'packages/domain depends on nothing of ours and no I/O library.',
            },
          ],
        },
      ],
    },
  },
);
