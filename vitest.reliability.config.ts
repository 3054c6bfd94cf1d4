// `npm run test:reliability`: only the fault and load scenarios that `npm test` leaves out.
import { defineConfig } from 'vitest/config';
import { RELIABILITY_TESTS, SHARED_TEST_OPTIONS } from './vitest.config.js';

export default defineConfig({ test: { ...SHARED_TEST_OPTIONS, include: RELIABILITY_TESTS } });
