// Hostile input against the running service with default settings: values built to make a
// backtracking regex audience take forever, bodies nested thousands deep or malformed, and
// clients that send their request a byte at a time. The service keeps answering, refuses what
// it must with a 4xx naming the place, and writes nothing for a refused request.
import { request } from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { apiClient, tempDb, waitFor, type Api } from '../e2e/helpers.js';
import { sinkCampaign, startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';

const KEY = 'reliability-key-0123456789';
const USERS = 20;
/** A backtracking engine needs about 2^n steps for `^(a+)+$` against n a's and a "!". */
const HOSTILE_VALUE = `${'a'.repeat(5_000)}!`;
const SLOW_CLIENTS = 10;
const REQUEST_TIMEOUT_MS = 1_000;

export function hostileInputScenario(): void {
  let sink: TestSink;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    sink = await startSink();
    service = await startService(
      loadConfig({
        PORT: '0',
        LIQUIDHOOK_DB: tempDb(),
        LIQUIDHOOK_API_KEY: KEY,
        LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
        LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
        LIQUIDHOOK_POLL_MS: '50',
        // Short, so the slow clients below are cut off within the scenario.
        LIQUIDHOOK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        LIQUIDHOOK_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS / 2),
      }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url, KEY);
  });
  afterAll(async () => {
    await service?.close();
    await sink?.close();
  });

  it('a catastrophic regex audience matches hostile values in linear time; intake keeps flowing', async () => {
    const campaign = sinkCampaign(sink.url, { audience: [{ attribute: 'handle', operator: 'matches_regex', value: '^(a+)+$' }] });
    expect((await api.call('PUT', '/campaigns/regex-audience', campaign)).status).toBe(201);
    const slowest: number[] = [];
    for (let i = 0; i < USERS; i++) {
      // Even users match (a's only), odd ones carry the hostile value and must not.
      const handle = i % 2 === 0 ? 'a'.repeat(5_000) : HOSTILE_VALUE;
      const t0 = performance.now();
      const res = await api.call('POST', '/users/track', { attributes: [{ external_id: `regex-${i}`, handle, score: i }] });
      slowest.push(performance.now() - t0);
      expect(res.status).toBe(201);
    }
    const matching = USERS / 2;
    await waitFor('the matching users to be delivered', () => (sink.arrivals.length >= matching ? true : undefined));
    await service.worker.idle();
    const recipients = new Set(sink.arrivals.map((a) => a.recipient));
    expect([...recipients].sort()).toEqual(Array.from({ length: matching }, (_, k) => `regex-${2 * k}`).sort());
    recordScenario({
      scenario: 'regex audience vs catastrophic values',
      sent: USERS,
      delivered: recipients.size,
      dead: 0,
      lost: matching - recipients.size,
      duplicates: sink.arrivals.length - recipients.size,
      note: `^(a+)+$ against 5,001-character values: slowest /users/track ${Math.round(Math.max(...slowest))} ms; ${USERS - matching} hostile values matched nothing`,
    });
  }, 60_000);

  it('deep, malformed and untyped bodies get 400/415 naming the place; nothing is written', async () => {
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const refusals: [string, string, string][] = [
      ['POST', '/users/track', `{"attributes":[{"external_id":"hostile","deep":${deep(5_000)}}]}`],
      ['PUT', '/campaigns/hostile', `{"name":"x","audience":${deep(5_000)}}`],
      ['POST', '/scoring-programs', `{"name":${deep(5_000)}}`],
      ['POST', '/users/track', '{"attributes":[{"external_id":"hostile",}]}'],
      // Sent without a content type at all.
      ['UNTYPED', '/users/track', '{"attributes":[{"external_id":"hostile"}]}'],
    ];
    const outbox = (await service.store.listDeliveries({ limit: 1000 })).length;
    const statuses: number[] = [];
    for (const [method, path, body] of refusals) {
      const res = method === 'UNTYPED' ? await postUntyped(`${service.url}${path}`, body) : await api.call(method, path, body);
      statuses.push(res.status);
      expect([400, 415], `${method} ${path}: ${res.text}`).toContain(res.status);
      expect(res.json.errors[0].path, res.text).toEqual(expect.any(String));
      if (res.status === 400) expect(res.text).toMatch(/nested deeper than 64 levels|line \d+, column \d+/);
    }
    expect(await service.store.getProfile('hostile')).toBeUndefined();
    expect((await service.store.listDeliveries({ limit: 1000 })).length).toBe(outbox);
    expect((await api.call('GET', '/health')).status).toBe(200);
    recordScenario({
      scenario: 'deep, malformed and untyped JSON bodies',
      sent: refusals.length,
      delivered: 0,
      dead: refusals.length,
      lost: 0,
      duplicates: 0,
      note: `answered ${statuses.join(', ')} with a path or line and column (5,000 nested arrays included); nothing written`,
    });
  });

  it(`slow clients are cut off with 408 after the request timeout; /health answers meanwhile`, async () => {
    const { port } = new URL(service.url);
    const t0 = performance.now();
    const clients = Array.from({ length: SLOW_CLIENTS }, () => slowBodyClient(Number(port)));
    expect((await api.call('GET', '/health')).status).toBe(200);
    const answers = await Promise.all(clients);
    const ms = performance.now() - t0;
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await service.store.getProfile('slowloris')).toBeUndefined();
    recordScenario({
      scenario: 'slow-body clients (slowloris)',
      sent: SLOW_CLIENTS,
      delivered: 0,
      dead: SLOW_CLIENTS,
      lost: 0,
      duplicates: 0,
      note: `all ${SLOW_CLIENTS} answered 408 and disconnected ${(ms / 1000).toFixed(1)} s after connecting (request timeout ${REQUEST_TIMEOUT_MS} ms); /health answered meanwhile`,
    });
  }, 30_000);
}

/** POST without a Content-Type header (fetch would add text/plain). */
function postUntyped(url: string, body: string): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Announces a 10,000-byte body and sends a byte every 100 ms; resolves with what the server sent when it closed. */
function slowBodyClient(port: number): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /users/track HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"attributes":[{"external_id":"slowloris","score":1}]}`);
    });
    const timer = setInterval(() => socket.writable && socket.write(' '), 100);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    });
  });
}
