// Bad input: fuzzed /users/track bodies, campaign payloads and templates. The service never
// crashes or answers 500; a refusal is a 400 naming the field path (or template line/column),
// and a refused request leaves profiles and the outbox exactly as they were.
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { apiClient, tempDb, type Api } from '../e2e/helpers.js';
import { sinkCampaign, startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';

const KEY = 'reliability-key-0123456789';
const RUNS = 60;

export function badInputScenario(): void {
  let sink: TestSink;
  let service: RunningService;
  let api: Api;
  let requests = 0;
  let refused = 0;

  beforeAll(async () => {
    sink = await startSink();
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: KEY, LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1', LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir' }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url, KEY);
    expect((await api.call('PUT', '/campaigns/fuzz-target', sinkCampaign(sink.url))).status).toBe(201);
    // A stored profile the fuzzed requests name, to prove a refused request leaves it alone.
    expect((await api.call('POST', '/users/track', { attributes: [{ external_id: 'known', score: 1, email: 'k@example.com' }] })).status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
    await sink?.close();
    recordScenario({ scenario: 'bad input (fuzzed requests)', sent: requests, delivered: requests - refused, dead: 0, lost: 0, duplicates: 0, note: `${refused} refused with 400, none answered 500` });
  });

  const snapshot = async () => ({
    known: await service.store.getProfile('known'),
    outbox: (await service.store.listDeliveries({ limit: 1000 })).length,
  });
  const expectRefusal = (res: { status: number; json: any }) => {
    expect(res.status, JSON.stringify(res.json)).not.toBe(500);
    expect([200, 201, 204, 400, 404, 413, 415]).toContain(res.status);
    if (res.status === 400) {
      refused++;
      expect(typeof res.json?.message).toBe('string');
    }
  };

  const attributeValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom({ inc: 'x' }, { add: 5 }, { remove: 1 }, '\u0000', -0, 1e308));
  const userEntry = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 12 }), attributeValue, { maxKeys: 4 }),
    fc.record({ external_id: fc.oneof(fc.constant('known'), fc.string({ maxLength: 600 }), fc.integer()), score: attributeValue }, { requiredKeys: [] }),
  );
  const trackBody = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ attributes: fc.array(userEntry, { maxLength: 4 }), events: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }) }, { requiredKeys: [] }),
  );

  it('fuzzed /users/track: 201 or 400 with a field path; a refused batch writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(trackBody, async (body) => {
        // Every refused batch also carries a valid change of `known`: all-or-nothing means it stays.
        const withValid = body && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as any).attributes)
          ? { ...(body as object), attributes: [{ external_id: 'known', score: 999, email: 'changed@example.com' }, ...(body as any).attributes] }
          : body;
        const before = await snapshot();
        requests++;
        const res = await api.call('POST', '/users/track', JSON.stringify(withValid) ?? 'null');
        expectRefusal(res);
        if (res.status === 400) {
          expect(Array.isArray(res.json.errors) ? res.json.errors.every((e: any) => typeof e.path === 'string') : true).toBe(true);
          expect(await snapshot()).toEqual(before);
        } else {
          // Accepted: put `known` back for the next run.
          await api.call('POST', '/users/track', { attributes: [{ external_id: 'known', score: 1, email: 'k@example.com' }] });
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.RELIABILITY_SEED ?? 42) },
    );
  }, 60_000);

  it('a batch with one bad entry is refused whole, naming that entry', async () => {
    const before = await snapshot();
    requests++;
    const res = await api.call('POST', '/users/track', {
      attributes: [{ external_id: 'known', score: 500 }, { external_id: 'new-user', score: 2 }, { external_id: '', score: 3 }],
    });
    expectRefusal(res);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.path).join(' ')).toMatch(/attributes\[2\]/);
    expect(await snapshot()).toEqual(before);
    expect(await service.store.getProfile('new-user')).toBeUndefined();
  });

  it('fuzzed campaign payloads: 201 or 400 with a field path, never 500', async () => {
    const base = sinkCampaign(sink.url);
    const paths = ['name', 'trigger', 'trigger.type', 'trigger.attribute', 'audience', 'webhook', 'webhook.url', 'webhook.method', 'webhook.headers', 'webhook.body', 'webhook.body.type', 'reeligible_after_seconds', 'on_delivered_update'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }), async (path, value) => {
        const campaign = structuredClone(base) as any;
        const keys = path.split('.');
        let node = campaign;
        for (const k of keys.slice(0, -1)) node = node[k] = typeof node[k] === 'object' && node[k] !== null ? node[k] : {};
        node[keys.at(-1)!] = value;
        requests++;
        const res = await api.call('PUT', '/campaigns/fuzzed', campaign);
        expectRefusal(res);
        if (res.status === 400) expect(res.json.errors.length).toBeGreaterThan(0);
        await api.call('DELETE', '/campaigns/fuzzed');
      }),
      { numRuns: RUNS, seed: Number(process.env.RELIABILITY_SEED ?? 43) },
    );
  }, 60_000);

  it('fuzzed templates: a broken template is refused with its line and column', async () => {
    const fragment = fc.constantFrom('{% if', '{{', '}}', '{% endif %}', '{% for x in', '{{ x | }}', '{% assign = %}', '${', '{% connected_content %}', '\n', 'text', '{% raw %}');
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 6 }), async (parts) => {
        const campaign = sinkCampaign(sink.url) as any;
        campaign.webhook.body.text = parts.join(' ');
        requests++;
        const res = await api.call('POST', '/campaigns/fuzz-target/preview', { external_id: 'known' });
        const put = await api.call('PUT', '/campaigns/fuzzed-template', campaign);
        expectRefusal(res);
        expectRefusal(put);
        if (put.status === 400) expect(JSON.stringify(put.json)).toMatch(/line \d+|column|"line":/);
        const preview = put.status < 300 ? await api.call('POST', '/campaigns/fuzzed-template/preview', { external_id: 'known' }) : undefined;
        if (preview) {
          expectRefusal(preview);
          if (preview.status === 400) expect(JSON.stringify(preview.json)).toMatch(/line \d+|column|"line":/);
        }
        await api.call('DELETE', '/campaigns/fuzzed-template');
      }),
      { numRuns: 40, seed: Number(process.env.RELIABILITY_SEED ?? 44) },
    );
  }, 60_000);
}
