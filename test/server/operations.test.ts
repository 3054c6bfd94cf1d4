// Operations over a real socket: a send shows up in /metrics, logs carry request ids and never
// the OAuth token or client secret, /metrics needs the key unless configured public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/server/logger.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { API_KEY, apiClient, guideCampaign, startLoopbackService, tempDb, waitFor, type Api } from '../e2e/helpers.js';
import { capturingLogger } from './helpers.js';

/** The value of one sample line of the Prometheus text, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics, request ids and log redaction during a send', () => {
  let fake: FakeSalesforce;
  let service: RunningService;
  let api: Api;
  const logs = capturingLogger((stream) => createLogger({ logLevel: 'trace' }, [], stream));

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    ({ service, api } = await startLoopbackService(logs.logger));
  });
  afterAll(async () => {
    await service?.close();
    await fake?.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await api.call('GET', '/metrics');
    expect(res.status).toBe(200);
    return res.text;
  };

  it('counts a delivered send, its latency, its connected_content call and the HTTP request', async () => {
    const before = await scrape();
    expect((await api.call('POST', '/campaigns', guideCampaign(fake))).status).toBe(201);
    const track = await api.call('POST', '/users/track', { attributes: [{ external_id: 'm-lead', 'lead score': 150 }] }, { 'x-request-id': 'trace-me-42' });
    expect(track.status).toBe(201);
    await waitFor('the delivery', async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=m-lead')).json.deliveries;
      return d?.status === 'delivered' ? d : undefined;
    });
    const after = await waitFor('the recorded outcome in /metrics', async () => {
      const text = await scrape();
      return sample(text, 'liquidhook_sends_total{status="delivered"}') > sample(before, 'liquidhook_sends_total{status="delivered"}') ? text : undefined;
    });
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('liquidhook_sends_total{status="delivered"}')).toBe(1);
    expect(delta('liquidhook_send_duration_seconds_count')).toBe(1);
    expect(delta('liquidhook_connected_content_calls_total{outcome="ok"}')).toBe(1);
    expect(after).toMatch(/liquidhook_http_request_duration_seconds_count\{method="POST",route="\/users\/track",status_code="201"\} \d+/);
    expect(after).toContain('liquidhook_outbox_in_flight 0');
    expect(after).toContain('liquidhook_scoring_events_total');
  });

  it('returns and logs the caller\'s request id, and makes one when none (or a bad one) is given', async () => {
    const given = await fetch(`${service.url}/health`, { headers: { 'x-request-id': 'trace-me-43' } });
    expect(given.headers.get('x-request-id')).toBe('trace-me-43');
    const made = await fetch(`${service.url}/health`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logs.lines().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.reqId === 'trace-me-42' && l.msg === 'request completed')).toBe(true);
  });

  it('never writes the OAuth token, the client secret or the API key to the log', () => {
    const text = logs.lines();
    expect(text.length).toBeGreaterThan(1000);
    expect(fake.tokens.length).toBeGreaterThan(0);
    for (const token of fake.tokens) expect(text).not.toContain(token);
    expect(text).not.toContain(fake.clientSecret);
    expect(text).not.toContain(API_KEY);
    // The attempt line was written, with the token-carrying header censored.
    const attempt = text.split('\n').find((l) => l.includes('"webhook attempt"'));
    expect(attempt).toContain('"Authorization":"Bearer [REDACTED]"');
  });

  it('censors secrets under known paths whatever logs them', () => {
    const secret = 'sk_live_0123456789abcdef';
    logs.logger.warn({ headers: { Authorization: `Bearer ${secret}` }, token: secret, delivery: { client_secret: secret } }, 'stray object');
    logs.logger.warn({ request: { url: `https://example.com/x?access_token=${secret}`, body: `client_secret=${secret}&grant_type=client_credentials` } }, 'stray request');
    const lines = logs.lines().split('\n').filter((l) => l.includes('stray'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain(secret);
  });

  it('refuses /metrics without the API key', async () => {
    expect((await apiClient(service.url, null).call('GET', '/metrics')).status).toBe(401);
  });
});

describe('/metrics with LIQUIDHOOK_METRICS_PUBLIC=true', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: API_KEY, LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir', LIQUIDHOOK_METRICS_PUBLIC: 'true' }),
      { logger: createLogger({ logLevel: 'silent' }), env: {} },
    );
  });
  afterAll(() => service?.close());

  it('serves metrics without a key but still guards the API', async () => {
    const open = apiClient(service.url, null);
    const res = await open.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('liquidhook_sends_total');
    expect((await open.call('GET', '/campaigns')).status).toBe(401);
  });
});
