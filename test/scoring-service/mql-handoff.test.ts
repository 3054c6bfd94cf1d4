// The lead-scoring hand-off end to end over real sockets: events through /users/track, a scoring
// program adding points inside the same transaction, lead score > 100, and the guide's MQL
// campaign PATCHing a loopback fake Salesforce. The service parts are wired as the service does,
// every profile change going through the intake, which scores it.
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { createDeliveryWorker, createSendPort, type DeliveryWorker } from '../../src/deliveries/index.js';
import { RetryPolicySchema, createDispatcher, createGuardedAgent, parseAllowedHosts, type WebhookDispatcher } from '../../src/dispatch/index.js';
import { createLiquid } from '../../src/liquid/index.js';
import { CampaignCatalog, createIntake, ScoringProgramRegistry } from '../../src/intake/index.js';
import type { RouteContext, ZodApp } from '../../src/server/context.js';
import { errorHandler } from '../../src/server/errors.js';
import { registerScoringRoutes } from '../../src/server/routes/scoring.js';
import { registerUserRoutes } from '../../src/server/routes/users.js';
import { zodValidatorCompiler } from '../../src/server/validation.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { apiClient, guideCampaign, waitFor, type Api } from '../e2e/helpers.js';
import { tempDbPath } from './helpers.js';

describe('MQL hand-off from scoring (in-process, loopback)', () => {
  let fake: FakeSalesforce;
  let store: Store;
  let app: FastifyInstance;
  let worker: DeliveryWorker;
  let dispatcher: WebhookDispatcher;
  let agent: ReturnType<typeof createGuardedAgent>;
  let api: Api;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    store = openSqliteStore({ path: tempDbPath() });
    const programs = new ScoringProgramRegistry(store, logger);
    await programs.load();
    agent = createGuardedAgent({ allowedHosts: parseAllowedHosts('127.0.0.1') });
    const engine = createLiquid({ connectedContent: { dispatcher: agent } });
    dispatcher = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 5000 });
    const catalog = new CampaignCatalog(store, logger, {});
    await catalog.put('mql', guideCampaign(fake));
    const intake = createIntake({ store, campaigns: catalog, scoring: programs });
    worker = createDeliveryWorker(
      {
        store: intake.outbox,
        sender: createSendPort({ engine, dispatcher, campaigns: catalog, signingSecrets: {} }),
        deliveredUpdate: (d) => catalog.deliveredUpdate(d.campaignId, d.externalId),
        retryPolicy: RetryPolicySchema.parse({ giveUpAfterMs: 60_000 }),
        logger,
      },
      { owner: 'test', batchSize: 10, concurrency: 4, pollMs: 50, leaseMs: 30_000 },
    );
    intake.connectWorker(worker);
    const ctx = { store, catalog, intake, programs, logger, env: {}, config: { templatesDir: '/nonexistent' } } as unknown as RouteContext;
    app = Fastify({ loggerInstance: logger });
    app.setValidatorCompiler(zodValidatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(errorHandler);
    const zodApp = app as unknown as ZodApp;
    registerUserRoutes(zodApp, ctx);
    await registerScoringRoutes(zodApp, ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    api = apiClient(`http://127.0.0.1:${address.port}`, null);
    worker.start();
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop(1000);
    await dispatcher?.close();
    await agent?.close();
    await store?.close();
    await fake?.close();
  });

  const patchesFor = (id: string) => fake.leadPatches().filter((r) => r.path.endsWith(`/Lead/${id}`));
  const track = async (id: string, ...names: string[]) => {
    const res = await api.call('POST', '/users/track', {
      events: names.map((name) => ({ external_id: id, name, time: new Date().toISOString() })),
    });
    expect(res.status).toBe(201);
  };
  const settled = (id: string) =>
    waitFor(`deliveries of ${id} to finish`, async () => {
      const list = await store.listDeliveries({ externalId: id });
      return list.every((d) => d.status !== 'queued' && d.status !== 'sending') ? list : undefined;
    });

  it('validates programs with field paths', async () => {
    const res = await api.call('POST', '/scoring-programs', { name: 'x', action_groups: [{ name: 'g', events: [], points: 0 }] });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(['action_groups[0].events', 'action_groups[0].points']);
  });

  it('scores events; crossing 100 sends exactly one PATCH and marks the lead MQL', async () => {
    const created = await api.call('POST', '/scoring-programs', {
      name: 'Lead scoring',
      action_groups: [
        { name: 'requested demo', events: [{ name: 'demo_requested' }], points: 30 },
        { name: 'visited pricing', events: [{ name: 'pricing_viewed' }], points: 10 },
      ],
      inactivity: { window_days: 30, points: -10 },
      floor: 0,
    });
    expect(created.status).toBe(201);

    await track('lead-7', 'demo_requested', 'demo_requested', 'demo_requested'); // 90
    expect((await store.getProfile('lead-7'))?.attributes['lead score']).toBe(90);
    const below = await settled('lead-7');
    expect(below.map((d) => d.status)).toEqual(['aborted']);
    expect(patchesFor('lead-7')).toHaveLength(0);

    await track('lead-7', 'pricing_viewed', 'pricing_viewed'); // 110: crosses the threshold
    await waitFor('the MQL PATCH', () => (patchesFor('lead-7').length > 0 ? true : undefined));
    const after = await settled('lead-7');
    expect(after.filter((d) => d.status === 'delivered')).toHaveLength(1);
    expect(JSON.parse(patchesFor('lead-7')[0]!.body)).toEqual({ lead_status: 'MQL' });
    const profile = await waitFor('lead_status MQL', async () => {
      const p = await store.getProfile('lead-7');
      return p?.attributes.lead_status === 'MQL' ? p : undefined;
    });
    expect(profile.attributes['lead score']).toBe(110);

    // More points later do not hand the lead off again (audience excludes MQLs).
    await track('lead-7', 'demo_requested');
    await settled('lead-7');
    expect(patchesFor('lead-7')).toHaveLength(1);
    const changes = (await store.readExportEvents(0, 1000)).filter((e) => e.type === 'score_changed' && e.externalId === 'lead-7');
    expect(changes.map((e) => e.data.after)).toEqual([30, 60, 90, 100, 110, 140]);
  });

  it('backtests a stored program on an NDJSON history', async () => {
    const { json } = await api.call('GET', '/scoring-programs');
    const id = json.scoring_programs[0].id as string;
    const history = [
      { external_id: 'h1', name: 'demo_requested', time: '2025-01-01T00:00:00Z' },
      { external_id: 'h1', name: 'demo_requested', time: '2025-01-02T00:00:00Z' },
      { external_id: 'h1', name: 'demo_requested', time: '2025-01-03T00:00:00Z' },
      { external_id: 'h1', name: 'demo_requested', time: '2025-01-04T00:00:00Z' },
      { external_id: 'h2', name: 'pricing_viewed', time: '2025-01-01T00:00:00Z' },
    ];
    const asArray = await api.call('POST', `/scoring-programs/${id}/backtest`, { threshold: 100, history });
    expect(asArray.status).toBe(200);
    expect(asArray.json).toMatchObject({ users: 2, events: 5, scored_events: 5, crossed_threshold: 1, above_threshold_at_end: 1 });
    expect(asArray.json.score_distribution).toMatchObject({ bucket_width: 10 });
    const ndjson = history.map((l) => JSON.stringify(l)).join('\n');
    const asText = await api.call('POST', `/scoring-programs/${id}/backtest?threshold=100`, ndjson, { 'content-type': 'application/x-ndjson' });
    expect(asText.json).toEqual(asArray.json);
    const bad = await api.call('POST', `/scoring-programs/${id}/backtest`, { threshold: 100, history: [{ external_id: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('history[0]');
  });

  it('gets, replaces and deletes a program', async () => {
    const put = await api.call('PUT', '/scoring-programs/sp_fixed', { name: 'Fixed', action_groups: [{ name: 'g', events: [{ name: 'e' }], points: 1 }] });
    expect(put.status).toBe(201);
    expect((await api.call('GET', '/scoring-programs/sp_fixed')).json).toMatchObject({ id: 'sp_fixed', name: 'Fixed', attribute: 'lead score' });
    expect((await api.call('PUT', '/scoring-programs/sp_fixed', { name: 'Fixed 2', action_groups: [{ name: 'g', events: [{ name: 'e' }], points: 2 }] })).status).toBe(200);
    expect((await api.call('DELETE', '/scoring-programs/sp_fixed')).status).toBe(204);
    expect((await api.call('GET', '/scoring-programs/sp_fixed')).status).toBe(404);
  });
});
