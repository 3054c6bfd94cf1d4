// Security: SSRF attempts blocked for webhooks and connected_content (metadata address, loopback,
// a name resolving to loopback, IPv6 forms embedding either, redirects to private addresses); no
// or wrong API key is a 401; secrets stay out of the logs and the delivery log.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { createDispatcher, createGuardedAgent, parseAllowedHosts } from '../../src/dispatch/index.js';
import { createLiquid } from '../../src/liquid/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { apiClient, guideCampaign, tempDb, waitFor } from '../e2e/helpers.js';
import { startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const KEY = 'reliability-key-0123456789';

export function securityScenario(): void {
  let sink: TestSink;
  let redirector: Server;
  let redirectUrl: string;
  let fake: FakeSalesforce;
  let service: RunningService;
  let logs = '';
  let blocked = 0;
  let attempts = 0;

  beforeAll(async () => {
    sink = await startSink();
    // Answers every request with a redirect to the cloud metadata address.
    redirector = createServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
    fake = await startFakeSalesforce();
    const capture = new Writable({ write: (chunk, _enc, done) => void ((logs += chunk.toString()), done()) });
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: KEY, LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1', LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir', LIQUIDHOOK_POLL_MS: '50' }),
      // Debug level: every attempt is logged, the most a log could leak.
      { logger: pino({ level: 'debug' }, capture), env: {} },
    );
  });
  afterAll(async () => {
    await service?.close();
    await fake?.close();
    await sink?.close();
    await new Promise((r) => redirector?.close(r));
    recordScenario({ scenario: 'security (SSRF, auth, secrets)', sent: attempts, delivered: 0, dead: blocked, lost: 0, duplicates: 0, note: `${blocked} of ${attempts} SSRF attempts blocked` });
  });

  const targets = (port: number) => [
    'http://169.254.169.254/latest/meta-data/',
    `http://127.0.0.1:${port}/hook`,
    `http://localhost:${port}/hook`,
    `http://[::1]:${port}/hook`,
    'http://10.0.0.1/hook',
    // IPv6 forms that embed a loopback or metadata IPv4 address.
    `http://[::127.0.0.1]:${port}/hook`,
    'http://[::a9fe:a9fe]/latest/meta-data/',
    'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    `http://[2002:7f00:1::1]:${port}/hook`,
  ];

  it('webhooks: private and loopback destinations are blocked; redirects are never followed', async () => {
    const dispatcher = createDispatcher({ allowedHosts: '', timeoutMs: 2000 });
    try {
      const port = Number(new URL(sink.url).port);
      for (const url of targets(port)) {
        attempts++;
        const result = await dispatcher.send({ url, method: 'POST', body: '{}', idempotencyKey: `ssrf-${attempts}` });
        expect(result.error?.kind, url).toBe('ssrf_blocked');
        blocked++;
      }
      expect(sink.arrivals).toEqual([]);
    } finally {
      await dispatcher.close();
    }
    // Loopback allowed for the redirector only: its 302 to the metadata address is not followed.
    const allowed = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 2000 });
    try {
      attempts++;
      const result = await allowed.send({ url: redirectUrl, method: 'POST', body: '{}', idempotencyKey: 'redirect-1' });
      expect(result.status).toBe(302);
      expect(result.ok).toBe(false);
      blocked++;
    } finally {
      await allowed.close();
    }
  });

  it('connected_content: private and loopback destinations and redirects to them are blocked', async () => {
    const agent = createGuardedAgent({ allowedHosts: parseAllowedHosts('') });
    const engine = createLiquid({ connectedContent: { dispatcher: agent, timeoutMs: 2000 } });
    try {
      const port = Number(new URL(sink.url).port);
      for (const url of targets(port)) {
        attempts++;
        const result = await engine.render(`{% connected_content ${url} :save r %}{{ r.x }}`, {});
        expect(result.connectedContent[0]!.status, url).toBeUndefined();
        expect(result.connectedContent[0]!.error, url).toMatch(/block|not allowed|private|loopback|reserved/i);
        blocked++;
      }
      expect(sink.arrivals).toEqual([]);
    } finally {
      await agent.close();
    }
    const loopbackAgent = createGuardedAgent({ allowedHosts: parseAllowedHosts('127.0.0.1') });
    const redirecting = createLiquid({ connectedContent: { dispatcher: loopbackAgent, timeoutMs: 2000 } });
    try {
      attempts++;
      const result = await redirecting.render(`{% connected_content ${redirectUrl} :save r %}[{{ r }}]`, {});
      const call = result.connectedContent[0]!;
      // Either the 302 itself comes back, or the follow-up to the metadata address is refused.
      expect(call.status === 302 || /block|not allowed|redirect/i.test(call.error ?? '')).toBe(true);
      expect(result.output).toBe('[]');
      blocked++;
    } finally {
      await loopbackAgent.close();
    }
  });

  it('answers 401 without an API key or with a wrong one', async () => {
    for (const key of [null, 'wrong-key-0123456789']) {
      const api = apiClient(service.url, key);
      for (const [method, path, body] of [['POST', '/users/track', { attributes: [{ external_id: 'x', score: 1 }] }], ['GET', '/campaigns'], ['GET', '/deliveries'], ['POST', '/campaigns', {}]] as const) {
        expect((await api.call(method, path, body)).status, `${method} ${path} with key ${key}`).toBe(401);
      }
    }
  });

  it('keeps the client secret and access tokens out of the logs and the delivery log', async () => {
    const api = apiClient(service.url, KEY);
    expect((await api.call('POST', '/campaigns', guideCampaign(fake))).status).toBe(201);
    expect((await api.call('POST', '/users/track', { attributes: [{ external_id: '00Qsecret1', 'lead score': 150 }] })).status).toBe(201);
    const delivered = await waitFor('the hand-off to be delivered', async () => {
      const res = await api.call('GET', '/deliveries?status=delivered');
      return res.json.deliveries.length > 0 ? res.text : undefined;
    });
    await service.worker.idle();
    expect(fake.tokens.length).toBeGreaterThan(0);
    const secrets = [fake.clientSecret, ...fake.tokens];
    for (const secret of secrets) {
      expect(logs.includes(secret), 'secret in logs').toBe(false);
      expect(delivered.includes(secret), 'secret in the delivery log').toBe(false);
    }
    // The request did carry the token: redaction is not an empty request.
    expect(fake.leadPatches()[0]!.headers.authorization).toBe(`Bearer ${fake.tokens[0]}`);
  });
}
