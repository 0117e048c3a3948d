import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Property tests are CPU-bound: under 1 s alone, several seconds when turbo runs every
    // package's tests at once on two cores.
    testTimeout: 30_000,
  },
});
