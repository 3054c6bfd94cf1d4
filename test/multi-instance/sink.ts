// A loopback webhook receiver that answers after a short delay (so sends are in flight when an
// instance is killed) and records the recipient and Idempotency-Key of every request.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  recipient: string;
  key: string;
}

export interface SlowSink {
  url: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

export async function startSlowSink(delayMs: number): Promise<SlowSink> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      // Recorded on arrival: a send whose answer is cut off by a kill still reached the receiver.
      arrivals.push({
        recipient: decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)),
        key: String(req.headers['idempotency-key'] ?? ''),
      });
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
