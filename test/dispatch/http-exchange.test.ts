import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { AttemptTimeoutError } from '../../src/dispatch/classify-error.js';
import { exchange } from '../../src/dispatch/http-exchange.js';
import { closedPort, reply, serverPool } from './loopback.js';

const { start: server, closeAll: closeServers } = serverPool();
const agents: Agent[] = [];


function agent(connections = 4): Agent {
  const a = new Agent({ connections });
  agents.push(a);
  return a;
}

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await closeServers();
});

const options = { timeoutMs: 2_000, cap: 16 };

describe('exchange', () => {
  it('sends method, path with query, headers and body, and returns status, lower-case headers and body', async () => {
    const s = await server((_req, res) => reply(res, 201, '{"id":"00Q1"}', { 'X-Trace': 'abc' }));
    const response = await exchange(
      agent(),
      { url: new URL(`${s.origin}/leads/7?x=1`), method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
      { ...options, cap: 4096 },
    );
    expect(s.seen[0]).toMatchObject({ method: 'PATCH', url: '/leads/7?x=1', body: '{"a":1}' });
    expect(s.seen[0]!.headers['content-type']).toBe('application/json');
    expect(response).toMatchObject({ statusCode: 201, body: '{"id":"00Q1"}', truncated: false });
    expect(response.headers['x-trace']).toBe('abc');
  });

  it('keeps `cap` bytes, cut on a character boundary, and says it truncated', async () => {
    const s = await server((_req, res) => reply(res, 200, 'é'.repeat(40)));
    const response = await exchange(agent(), { url: new URL(`${s.origin}/x`), method: 'GET', headers: {} }, options);
    expect(response.body).toBe('é'.repeat(8));
    expect(response.truncated).toBe(true);
  });

  it('abandons a body far past the cap and still answers with the kept part', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Streams until the client goes away.
      const timer = setInterval(() => res.write('y'.repeat(32 * 1024)), 1);
      res.on('close', () => clearInterval(timer));
    });
    const response = await exchange(agent(), { url: new URL(`${s.origin}/endless`), method: 'GET', headers: {} }, options);
    expect(response).toMatchObject({ statusCode: 200, body: 'y'.repeat(16), truncated: true });
  });

  it('times out a request still waiting for a connection, and never sends it', async () => {
    const s = await server((req, res) => {
      if (req.url === '/slow') setTimeout(() => reply(res, 200, 'late'), 400);
      else reply(res, 200, 'ok');
    });
    const single = agent(1);
    const slow = exchange(single, { url: new URL(`${s.origin}/slow`), method: 'GET', headers: {} }, { ...options, timeoutMs: 2_000 });
    const queued = exchange(single, { url: new URL(`${s.origin}/queued`), method: 'GET', headers: {} }, { ...options, timeoutMs: 100 });
    await expect(queued).rejects.toBeInstanceOf(AttemptTimeoutError);
    expect((await slow).body).toBe('late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.seen.map((r) => r.url)).toEqual(['/slow']);
  });

  it('rejects with the network error of a refused connection', async () => {
    const port = await closedPort();
    await expect(exchange(agent(), { url: new URL(`http://127.0.0.1:${port}/x`), method: 'GET', headers: {} }, options)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
