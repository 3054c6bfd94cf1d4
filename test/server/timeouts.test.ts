// HTTP server timeouts over a real socket: a client that sends its body (or its headers) too
// slowly gets 408 and is disconnected, and an idle keep-alive connection is closed.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { buildApp } from '../../src/server/app.js';
import { KEY, realContext } from './helpers.js';

interface SlowClient {
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the server closed the connection, with what it had sent. */
  closed: Promise<string>;
  write(text: string): void;
  destroy(): void;
}

function connect(port: number): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({ received: () => text, closed, write: (t) => socket.writable && socket.write(t), destroy: () => socket.destroy() }),
    );
    socket.once('error', reject);
  });
}

/** Writes one byte every `everyMs` until the connection closes (a slowloris client). */
function trickle(client: SlowClient, bytes: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => client.write(bytes[i++ % bytes.length]!), everyMs);
  void client.closed.then(() => clearInterval(timer));
}

describe('HTTP server timeouts', () => {
  let app: FastifyInstance;
  let port: number;
  let context: Awaited<ReturnType<typeof realContext>>;
  beforeAll(async () => {
    context = await realContext();
    const timeouts = loadConfig({ LIQUIDHOOK_API_KEY: KEY, LIQUIDHOOK_REQUEST_TIMEOUT_MS: '600', LIQUIDHOOK_HEADERS_TIMEOUT_MS: '400', LIQUIDHOOK_KEEP_ALIVE_TIMEOUT_MS: '300' }).http;
    app = await buildApp({ context: { ...context, config: { ...context.config, http: timeouts } }, apiKey: resolveApiKey(KEY, ':memory:') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await context?.close();
  });

  it('reads the timeouts from the environment, with defaults', () => {
    expect(loadConfig({}).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000 });
    expect(app.server.requestTimeout).toBe(600);
    expect(app.server.headersTimeout).toBe(400);
    expect(app.server.keepAliveTimeout).toBe(300);
  });

  it('a body sent a byte at a time gets 408 and the connection is closed', async () => {
    const client = await connect(port);
    // A valid change of `slow`, then spaces towards the announced length: never complete.
    client.write(`POST /users/track HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"attributes":[{"external_id":"slow","x":1}]}`);
    trickle(client, ' ', 50);
    const sent = await client.closed;
    expect(sent).toMatch(/^HTTP\/1\.1 408 /);
    expect(await context.store.getProfile('slow')).toBeUndefined();
  });

  it('headers that never end get 408 and the connection is closed', async () => {
    const client = await connect(port);
    client.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    trickle(client, 'X-Slow: 1\r\n', 50);
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const client = await connect(port);
    client.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const sent = await client.closed;
    expect(sent).toMatch(/^HTTP\/1\.1 200 /);
    expect(sent).toMatch(/keep-alive: timeout=\d/i);
  });
});
