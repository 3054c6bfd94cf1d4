// Dry runs over the API: counts by outcome with example users, a reproducible sample, an unsaved
// definition, 400 with field paths, one run at a time (503), and cancel.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { apiClient, tempDb, waitFor, type Api } from '../e2e/helpers.js';

const BODY = `{% if custom_attribute.\${score} < 10 %}{% abort_message('low score') %}{% endif %}{% if custom_attribute.\${score} == 13 %}{{ 1 | divided_by: 0 }}{% endif %}{"score": {{ custom_attribute.\${score} }}}`;
const webhook = (body = BODY) => ({ url: 'https://crm.example/leads/{{${user_id}}}', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { type: 'raw', text: body } });
const campaign = {
  name: 'Dry run test',
  enabled: false,
  trigger: { type: 'custom_attribute_changed', attribute: 'score' },
  audience: [{ attribute: 'plan', operator: 'is_any_of', values: ['pro'] }],
  webhook: webhook(),
};
/** 40 users: even ones on "pro" (the audience), scores 0..39. */
const USERS = Array.from({ length: 40 }, (_, i) => ({ external_id: `u${String(i).padStart(2, '0')}`, plan: i % 2 === 0 ? 'pro' : 'free', score: i }));

describe('dry runs', () => {
  let service: RunningService;
  let api: Api;
  /** With the response headers, which the API client leaves out. */
  const post = (path: string, body: unknown) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer e2e-test-key-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const finished = (id: string) =>
    waitFor(
      `dry run ${id}`,
      async () => {
        const res = await api.call('GET', `/dry-runs/${id}`);
        return res.json.status === 'running' ? undefined : res.json;
      },
      45_000,
    );

  beforeAll(async () => {
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: 'e2e-test-key-0123456789', LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent' }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url);
    expect((await api.call('PUT', '/campaigns/dry', campaign)).status).toBe(201);
    expect((await api.call('POST', '/users/track', { attributes: USERS })).status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('counts would-send, aborted by reason and errors by message over the audience, with examples', async () => {
    const started = await api.call('POST', '/campaigns/dry/dry-run', {});
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ campaign_id: 'dry', status: 'running', options: { connected_content: 'stub', sample: null, examples: 3 } });
    const result = await finished(started.json.id);
    expect(result).toMatchObject({ status: 'completed', profiles: 40, scanned: 40, in_audience: 20, not_in_audience: 20, rendered: 20, error: null });
    // Even scores 0..38: 0-8 abort (5 users), 12 is fine... 13 is odd (not in the audience).
    expect(result.would_send.count).toBe(15);
    expect(result.would_send.examples.map((e: { external_id: string }) => e.external_id)).toEqual(['u10', 'u12', 'u14']);
    expect(result.would_send.examples[0].request).toEqual({
      method: 'POST',
      url: 'https://crm.example/leads/u10',
      headers: { 'Content-Type': 'application/json' },
      body: '{"score": 10}',
    });
    expect(result.aborted).toEqual([{ reason: 'low score', count: 5, examples: expect.any(Array) }]);
    expect(result.aborted[0].examples.map((e: { external_id: string }) => e.external_id)).toEqual(['u00', 'u02', 'u04']);
    expect(result.errors).toEqual([]);
    expect(result.progress).toMatchObject({ phase: 'done', done: 40, of: 40, eta_seconds: null });
  });

  it('groups render errors by message, with the user and field position', async () => {
    const res = await post('/dry-run', { webhook: webhook(), audience: [{ attribute: 'plan', operator: 'equals', value: 'free' }] });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/dry-runs/${id}`);
    const result = await finished(id);
    expect(result).toMatchObject({ status: 'completed', campaign_id: null, in_audience: 20, rendered: 20 });
    expect(result.errors).toEqual([
      { message: expect.stringMatching(/^body \(line 1, column \d+\): .*divided by 0/), count: 1, examples: [expect.objectContaining({ external_id: 'u13', errors: [expect.objectContaining({ field: 'body' })] })] },
    ]);
    expect(result.aborted[0]).toMatchObject({ reason: 'low score', count: 5 });
    expect(result.would_send.count).toBe(14);
  });

  it('renders a sample picked by the seed, the same users for the same seed', async () => {
    const run = async (seed: string) => finished((await api.call('POST', '/campaigns/dry/dry-run', { sample: 6, seed, examples: 10 })).json.id);
    const ids = (r: { would_send: { examples: { external_id: string }[] }; aborted: { examples: { external_id: string }[] }[] }) =>
      [...r.would_send.examples, ...r.aborted.flatMap((g) => g.examples)].map((e) => e.external_id).sort();
    const first = await run('spring');
    const again = await run('spring');
    expect(first).toMatchObject({ rendered: 6, in_audience: 20, options: { sample: 6, seed: 'spring' } });
    expect(ids(first)).toHaveLength(6);
    expect(ids(again)).toEqual(ids(first));
    const other = await run('autumn');
    expect(ids(other)).not.toEqual(ids(first));
    for (const id of ids(first)) expect(Number(id.slice(1)) % 2).toBe(0);
    // Without a seed one is chosen and reported, so the sample can be rendered again.
    const unseeded = await finished((await api.call('POST', '/campaigns/dry/dry-run', { sample: 3 })).json.id);
    expect(unseeded.options.seed).toMatch(/^[0-9a-f]{8}$/);
  }, 90_000);

  it('refuses a bad definition or options with the field path', async () => {
    const bad = await api.call('POST', '/dry-run', { webhook: { ...webhook(), url: '', method: 'FETCH' }, audience: [{ attribute: 'plan', operator: 'resembles' }] });
    expect(bad.status).toBe(400);
    const paths = (bad.json.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['webhook.url', 'webhook.method', 'audience[0].operator']));
    const recorded = await api.call('POST', '/campaigns/dry/dry-run', { connected_content: 'recorded' });
    expect(recorded.status).toBe(400);
    expect(recorded.json.errors).toEqual([{ path: 'recorded', message: expect.stringContaining('needs the recorded answers') }]);
    expect((await api.call('POST', '/campaigns/dry/dry-run', { seed: 1 })).json.errors[0].path).toBe('seed');
    expect((await api.call('POST', '/campaigns/nope/dry-run', {})).status).toBe(404);
    expect((await api.call('GET', '/dry-runs/dry_0000000000000000')).status).toBe(404);
  });

  it('runs one at a time (503 with Retry-After) and cancels, keeping what it counted', async () => {
    // Slow enough per profile that the run is still going when it is cancelled.
    const slow = webhook("{% for i in (1..3000) %}{% assign d = 'now' | date: '%Y-%m-%d' %}{% endfor %}ok");
    const started = await api.call('POST', '/dry-run', { webhook: slow });
    expect(started.status).toBe(202);
    const busy = await post('/dry-run', { webhook: slow });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(((await busy.json()) as { message: string }).message).toMatch(/1 dry run is running already/);

    const cancelled = await api.call('DELETE', `/dry-runs/${started.json.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', finished_at: expect.any(String) });
    expect(cancelled.json.rendered).toBeLessThan(40);
    expect((await api.call('GET', `/dry-runs/${started.json.id}`)).json.status).toBe('cancelled');
    // The slot is free again.
    const next = await api.call('POST', '/campaigns/dry/dry-run', { sample: 1, seed: 'x' });
    expect(next.status).toBe(202);
    await finished(next.json.id);
  }, 60_000);
});
