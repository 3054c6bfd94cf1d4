// The running service: store, campaigns, delivery worker and HTTP API wired together, with an
// orderly shutdown (stop intake, stop claiming, finish or release sends, close the store).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ensureDbFolder, isSqliteFile, type ServiceConfig } from '../config/index.js';
import { ContentBlockRegistry } from '../content-blocks/index.js';
import { createDeliveryWorker, createSendPort, createSendThread, type CampaignCatalog, type DeliveryWorker } from '../deliveries/index.js';
import { RetryPolicySchema, createDispatcher, createGuardedAgent, parseAllowedHosts } from '../dispatch/index.js';
import { createLiquid } from '../liquid/index.js';
import { DryRuns } from '../dryrun/index.js';
import { openIntake, type Intake } from '../intake/index.js';
import { createRenderPool } from '../render/pool/index.js';
import { openStore, startInstanceHeartbeat, type Store } from '../store/index.js';
import { resolveApiKey } from './api-key.js';
import { buildApp } from './app.js';
import { createLogger } from './logger.js';
import type { RouteContext } from './context.js';
import { metrics } from './metrics.js';

export interface ServiceOptions {
  logger?: Logger;
  /** Values for template placeholders and signing secrets (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Where a newly generated API key is announced (default: stdout, once). */
  announceApiKey?: (key: string) => void;
}

export interface RunningService {
  /** Base URL such as http://127.0.0.1:3000. */
  url: string;
  port: number;
  app: FastifyInstance;
  store: Store;
  catalog: CampaignCatalog;
  /** Where profile changes enter (the API, syncs, the decay loop and the worker's delivered updates). */
  intake: Intake;
  worker: DeliveryWorker;
  /** The key generated on this start, if any (it is never shown again). */
  generatedApiKey?: string;
  close(): Promise<void>;
}

export async function startService(config: ServiceConfig, options: ServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config);
  const env = options.env ?? process.env;
  ensureDbFolder(config.db);
  const store = await openStore(
    isSqliteFile(config.db) || config.db === ':memory:'
      ? { driver: 'sqlite', path: config.db, owner: true }
      : { driver: 'postgres', url: config.db, poolSize: config.dbPoolSize },
  );
  const cleanup: (() => Promise<void>)[] = [() => store.close()];
  try {
    await store.migrate();
    const apiKey = resolveApiKey(config.apiKey, config.db);
    if (apiKey.generated) {
      (options.announceApiKey ?? printApiKey)(apiKey.generated);
    }

    const allowList = parseAllowedHosts(config.allowedHosts);
    const connectedContentAgent = createGuardedAgent({ allowedHosts: allowList });
    cleanup.unshift(() => connectedContentAgent.close());
    // Content Blocks: stored ones and the files of <templates>/content-blocks, checked before anything renders.
    const contentBlocks = new ContentBlockRegistry(store, logger);
    await contentBlocks.load(config.templatesDir);
    const engine = createLiquid({ connectedContent: { dispatcher: connectedContentAgent }, contentBlocks: contentBlocks.provider });
    const dispatcherOptions = {
      allowedHosts: config.allowedHosts ?? '',
      timeoutMs: config.webhookTimeoutMs,
      maxConcurrencyPerHost: config.maxConcurrencyPerHost,
      // One line per attempt is debug detail; the delivery log keeps every attempt anyway.
      // Without debug the dispatcher gets no logger and skips building the redacted view.
      ...(logger.isLevelEnabled('debug') ? { logger: { info: (obj: object, msg: string) => logger.debug(obj, msg) } } : {}),
    };
    // Test sends from the API go out from this thread (rendered on the render pool); the worker's
    // sends from the send thread, which has its own engine and dispatcher.
    const dispatcher = createDispatcher(dispatcherOptions);
    cleanup.unshift(() => dispatcher.close());
    const sendThread = config.dispatchThread ? createSendThread({ ...dispatcherOptions, contentBlocks }) : undefined;
    if (sendThread) cleanup.unshift(() => sendThread.close());

    // Previews and test sends render on these threads, so a hostile template cannot hold up the API.
    const renderPool = createRenderPool({
      threads: config.render.threads,
      queue: config.render.queue,
      renderTimeMs: config.render.timeoutMs,
      memoryMb: config.render.memoryMb,
      allowedHosts: config.allowedHosts ?? '',
      contentBlocks,
    });
    cleanup.unshift(() => renderPool.close());
    const dryRuns = new DryRuns({
      profiles: store,
      allowedHosts: config.allowedHosts ?? '',
      renderTimeMs: config.render.timeoutMs,
      memoryMb: config.render.memoryMb,
      concurrent: config.dryRun.concurrent,
      timeoutMs: config.dryRun.timeoutMs,
      contentBlocks,
    });
    cleanup.unshift(() => dryRuns.close());

    // Every profile change (API, syncs, decay, on-delivery updates) is scored by the programs and
    // planned by the campaigns in force.
    const { intake, catalog, programs } = await openIntake(store, {
      templatesDir: config.templatesDir,
      logger,
      placeholderValues: env,
      onScored: (scoreChanges) => metrics.scoringEvents.inc(scoreChanges),
    });

    const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const worker = createDeliveryWorker(
      {
        store: intake.outbox,
        sender: createSendPort({ campaigns: catalog, signingSecrets: env, ...(sendThread ? { thread: sendThread } : { engine, dispatcher }) }),
        deliveredUpdate: (delivery) => catalog.deliveredUpdate(delivery.campaignId, delivery.externalId),
        retryPolicy: RetryPolicySchema.parse({ giveUpAfterMs: config.retryWindowMs }),
        logger,
        onRecorded: (outcomes) => metrics.observeOutcomes(outcomes),
      },
      { owner, ...config.worker },
    );
    intake.connectWorker(worker);
    if (store.kind === 'postgres') {
      // Instances sharing the database: a heartbeat under the worker's lease owner, and the sends
      // of instances that stop beating taken over (their leases end; the worker claims them).
      const heartbeat = startInstanceHeartbeat({ url: config.db, id: owner, everyMs: config.heartbeatMs, logger, onTakeover: () => worker.wake() });
      // Runs after the worker released its sends (close stops the worker first).
      cleanup.unshift(() => heartbeat.stop());
    }
    const removeOutboxSource = metrics.addOutboxSource(async () => {
      const due = await store.nextDueAt();
      return {
        inFlight: worker.stats().inFlight,
        oldestDueSeconds: due ? Math.max(0, (Date.now() - due.getTime()) / 1000) : 0,
      };
    });
    cleanup.unshift(async () => removeOutboxSource());

    const context: RouteContext = {
      config,
      store,
      catalog,
      contentBlocks,
      dispatcher,
      renderPool,
      dryRuns,
      env,
      logger,
      metrics,
      intake,
      programs,
    };
    const app = await buildApp({ context, apiKey });
    await app.listen({ port: config.port, host: config.host });
    const port = (app.server.address() as AddressInfo).port;
    worker.start();
    const stopRefresh = startCatalogRefresh(catalog, contentBlocks, config.catalogRefreshMs, logger);
    cleanup.unshift(async () => stopRefresh());

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        logger.info('shutting down: closing intake');
        stopRefresh();
        await app.close();
        await worker.stop(config.shutdownGraceMs);
        for (const step of cleanup) await step().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
        logger.info('stopped');
      })());

    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
      port,
      app,
      store,
      catalog,
      intake,
      worker,
      ...(apiKey.generated ? { generatedApiKey: apiKey.generated } : {}),
      close,
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}

/** Picks up campaign and content block changes made by other processes on the same database. */
function startCatalogRefresh(catalog: CampaignCatalog, contentBlocks: ContentBlockRegistry, everyMs: number, logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    Promise.all([catalog.refresh(), contentBlocks.refresh()])
      .then(([changed]) => changed && logger.info('campaigns changed in the database; catalog reloaded'))
      .catch((err: unknown) => logger.error({ err }, 'reloading campaigns failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function printApiKey(key: string): void {
  process.stdout.write(
    `\nGenerated API key (shown only this once; store it now):\n\n  ${key}\n\n` +
      'Send it as "Authorization: Bearer <key>". Set LIQUIDHOOK_API_KEY to choose your own.\n\n',
  );
}
