import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fault and load scenarios run with `npm run test:reliability` (vitest.reliability.config.ts),
 * not `npm test`: the scenario suite, and the tests that SIGKILL processes or take the database
 * away (each lasts tens of seconds). CI runs both.
 */
export const RELIABILITY_TESTS = [
  'test/reliability/**/*.test.ts',
  'test/store/crash-outcomes.test.ts',
  'test/e2e/crash.test.ts',
  'test/multi-instance/**/*.test.ts',
];

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
    exclude: [...configDefaults.exclude, ...RELIABILITY_TESTS],
    // Test files of one worker share its loaded modules: loading src again for each of the 120
    // files cost more than the tests themselves. Each file builds its own stores and services.
    isolate: false,
  },
});
