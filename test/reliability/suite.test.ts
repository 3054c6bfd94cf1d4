// The reliability suite: every scenario in one file so they run one after another (the suite
// shares two cores with the rest of the tests) and one summary table closes it.
import { afterAll, describe } from 'vitest';
import { printAndWriteSummary } from './summary.js';
import { crashScenario } from './crash.js';
import { chaosScenario } from './chaos.js';
import { badInputScenario } from './bad-input.js';
import { limitsScenario } from './limits.js';
import { securityScenario } from './security.js';
import { downHostScenario, flakyHostScenario } from './flaky-host.js';
import { hostilePreviewsScenario } from './hostile-previews.js';

describe('reliability', () => {
  afterAll(() => printAndWriteSummary());
  crashScenario();
  chaosScenario();
  flakyHostScenario();
  downHostScenario();
  badInputScenario();
  limitsScenario();
  securityScenario();
  hostilePreviewsScenario();
});
