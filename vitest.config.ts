import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Service tests bind loopback ports and child processes; two workers match the 2-core machines we run on.
    maxWorkers: 2,
  },
});
