// The reliability suite: every scenario in one file so they run one after another (the suite
// shares two cores with the rest of the tests) and one summary table closes it.
import { afterAll, beforeAll, describe } from 'vitest';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { printAndWriteSummary } from './summary.js';
import { crashScenario } from './crash.js';
import { restartScenario } from './restart.js';
import { chaosScenario } from './chaos.js';
import { badInputScenario } from './bad-input.js';
import { limitsScenario } from './limits.js';
import { securityScenario } from './security.js';
import { downHostScenario, flakyHostScenario } from './flaky-host.js';
import { hostileInputScenario } from './hostile-input.js';
import { hostilePreviewsScenario } from './hostile-previews.js';
import { failoverScenario } from './failover.js';
import { databaseOutageScenarios } from './database-outage.js';

describe('reliability', () => {
  afterAll(() => printAndWriteSummary());
  crashScenario();
  restartScenario();
  chaosScenario();
  flakyHostScenario();
  downHostScenario();
  badInputScenario();
  hostileInputScenario();
  limitsScenario();
  securityScenario();
  hostilePreviewsScenario();

  describe.skipIf(!postgresAvailable('PostgreSQL reliability scenarios'))('on PostgreSQL', () => {
    let cluster: PostgresCluster;
    beforeAll(async () => {
      cluster = await startPostgres();
    });
    afterAll(async () => {
      await cluster?.stop();
    });
    failoverScenario(() => cluster);
    databaseOutageScenarios(() => cluster);
  });
});
