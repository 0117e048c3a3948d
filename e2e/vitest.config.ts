import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['system/**/*.test.ts', 'browser/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Whole stacks with real machines: one file at a time keeps the 2-core machine honest.
    fileParallelism: false,
  },
});
