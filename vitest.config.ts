import { configDefaults, defineConfig } from 'vitest/config';

/** The fault and load scenarios run with `npm run test:reliability` (vitest.reliability.config.ts), not `npm test`. */
export const RELIABILITY_TESTS = 'test/reliability/**';

export const SHARED_TEST_OPTIONS = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Service tests bind loopback ports and child processes; two workers match the 2-core machines we run on.
  maxWorkers: 2,
};

export default defineConfig({
  test: {
    ...SHARED_TEST_OPTIONS,
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, RELIABILITY_TESTS],
  },
});
