// A loopback webhook receiver in its own process, so it does not share the event loop being
// measured. It answers every request at once and remembers when each one arrived.
// Started by startSink(); talks to its parent over IPC ('report' -> the arrivals so far).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One arrival: last path segment (the recipient), idempotency key, epoch ms with µs precision. */
export type Arrival = [recipient: string, idempotencyKey: string, atMs: number];

const status = Number(process.env.SINK_STATUS ?? 200);
let arrivals: Arrival[] = [];

const server = createServer((req, res) => {
  const at = performance.timeOrigin + performance.now();
  req.resume();
  req.on('end', () => {
    const path = req.url ?? '/';
    arrivals.push([path.slice(path.lastIndexOf('/') + 1), String(req.headers['idempotency-key'] ?? ''), at]);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: unknown) => {
  if (message === 'report') process.send!({ arrivals });
  else if (message === 'reset') {
    arrivals = [];
    process.send!({ reset: true });
  } else if (message === 'count') process.send!({ count: arrivals.length });
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
