// Shared test helpers for connected_content: loopback servers and renders with a render state.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Liquid } from 'liquidjs';
import { AbortMessage, RENDER_STATE, newRenderState, type RenderState } from '../../src/liquid/render-state.js';
import type { ConnectedContentOptions } from '../../src/liquid/types.js';
import { installConnectedContent } from '../../src/liquid/connected-content/tag.js';
import type { RuntimeDeps } from '../../src/liquid/connected-content/runtime.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LoopbackServer {
  base: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: SeenRequest, res: ServerResponse) => void;

/** An HTTP server on 127.0.0.1 that records every request it receives. */
export async function startServer(handler: Handler): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(record);
      handler(record, res);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export function engine(options: ConnectedContentOptions = {}, deps: RuntimeDeps = {}) {
  const liquid = new Liquid();
  const runtime = installConnectedContent(liquid, options, deps);
  return { liquid, runtime };
}

export interface Rendered {
  output: string;
  state: RenderState;
  error?: unknown;
}

/** Render with a fresh render state in the scope, capturing (not throwing) errors. */
export async function render(liquid: Liquid, template: string, scope: Record<string, unknown> = {}): Promise<Rendered> {
  const state = newRenderState();
  try {
    const output = (await liquid.parseAndRender(template, { ...scope, [RENDER_STATE]: state })) as string;
    return { output, state };
  } catch (error) {
    return { output: '', state, error };
  }
}

/** The AbortMessage behind a liquidjs RenderError, if any. */
export function abortOf(error: unknown): AbortMessage | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof AbortMessage) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}
