// A route context for app-level tests: real config and metrics, a store that answers only
// what a test names (anything else fails loudly), and stubs for the parts routes do not reach.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadConfig, type ServiceConfig } from '../../src/config/index.js';
import type { RouteContext } from '../../src/server/context.js';
import { metrics } from '../../src/server/metrics.js';
import type { Store } from '../../src/store/index.js';

export const KEY = 'test-key-0123456789abcdef';

export function stubStore(methods: Partial<Store> = {}): Store {
  const target = { kind: 'sqlite', nextDueAt: async () => undefined, ...methods } as Partial<Store>;
  return new Proxy(target, {
    get: (t, prop) =>
      prop in t
        ? t[prop as keyof Store]
        : () => {
            throw new Error(`unexpected store.${String(prop)}`);
          },
  }) as Store;
}

const unreachable = <T extends object>(name: string): T =>
  new Proxy({} as T, {
    get: (_t, prop) => {
      throw new Error(`unexpected ${name}.${String(prop)}`);
    },
  });

export function testContext(overrides: { env?: Record<string, string>; store?: Store; logger?: Logger } = {}): RouteContext {
  const config: ServiceConfig = loadConfig({ LIQUIDHOOK_API_KEY: KEY, ...overrides.env });
  return {
    config,
    store: overrides.store ?? stubStore(),
    catalog: unreachable('catalog'),
    dispatcher: unreachable('dispatcher'),
    renderPool: unreachable('renderPool'),
    dryRuns: unreachable('dryRuns'),
    env: {},
    logger: overrides.logger ?? pino({ level: 'silent' }),
    metrics,
    intake: unreachable('intake'),
    programs: unreachable('programs'),
  };
}

/** A pino logger whose JSON lines are kept in memory. */
export function capturingLogger(create: (stream: Writable) => Logger): { logger: Logger; lines: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: create(stream), lines: () => text };
}

/** A context with a real SQLite store (temp file), catalog, dispatcher and render pool. */
export async function realContext(env: Record<string, string> = {}): Promise<RouteContext & { close(): Promise<void> }> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openSqliteStore } = await import('../../src/store/index.js');
  const { CampaignCatalog } = await import('../../src/deliveries/catalog.js');
  const { createIntake, ScoringProgramRegistry } = await import('../../src/intake/index.js');
  const { createRenderPool } = await import('../../src/render/pool/index.js');
  const { DryRuns } = await import('../../src/dryrun/index.js');
  const { createDispatcher } = await import('../../src/dispatch/index.js');
  const config = loadConfig({ LIQUIDHOOK_API_KEY: KEY, ...env });
  const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-ctx-')), 'db.sqlite') });
  await store.migrate();
  const logger = pino({ level: 'silent' });
  const catalog = new CampaignCatalog(store, logger, {});
  await catalog.load();
  const programs = new ScoringProgramRegistry(store, logger);
  await programs.load();
  const dispatcher = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 5000 });
  // Threads start with the first render; tests that render none start none.
  const renderPool = createRenderPool({ threads: 1, queue: 4, renderTimeMs: 5000, memoryMb: 128, allowedHosts: '127.0.0.1' });
  const dryRuns = new DryRuns({ profiles: store, allowedHosts: '127.0.0.1', renderTimeMs: 5000, memoryMb: 128, concurrent: 1, timeoutMs: 60_000 });
  return {
    config,
    store,
    catalog,
    dispatcher,
    renderPool,
    dryRuns,
    env: {},
    logger,
    metrics,
    intake: createIntake({ store, campaigns: catalog, scoring: programs }),
    programs,
    async close() {
      await dryRuns.close();
      await renderPool.close();
      await dispatcher.close();
      await store.close();
    },
  };
}
