// Loopback HTTP servers for dispatch tests (127.0.0.1 only, closed by the caller in afterAll).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface LoopbackServer {
  origin: string;
  port: number;
  seen: SeenRequest[];
  inFlight: number;
  maxInFlight: number;
  /** Requests in flight as each request arrived (itself included). */
  inFlightAtArrival: number[];
  close(): Promise<void>;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse, index: number) => void | Promise<void>;

/** `port`: listen there (e.g. a destination that was refusing connections comes back). */
export async function startServer(handler: Handler, port = 0): Promise<LoopbackServer> {
  const state = { seen: [] as SeenRequest[], inFlight: 0, maxInFlight: 0, inFlightAtArrival: [] as number[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = state.seen.push(seen) - 1;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      state.inFlightAtArrival.push(state.inFlight);
      res.on('close', () => state.inFlight--);
      void handler(seen, res, index);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    origin: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as LoopbackServer;
}

/** Servers started by `start`, all closed by `closeAll` (a test file's afterAll). */
export function serverPool(): { start(handler: Handler): Promise<LoopbackServer>; closeAll(): Promise<void> } {
  const servers: LoopbackServer[] = [];
  return {
    async start(handler) {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
    closeAll: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function reply(res: http.ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}
