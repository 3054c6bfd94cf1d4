// Loopback receivers for the reliability scenarios: a recording sink and a chaos sink that
// fails in the ways real CRMs do.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  recipient: string;
  key: string;
  at: number;
  /** What the sink did with it. */
  answer: 'ok' | '500' | '503' | '429' | 'hang' | 'reset';
  body: string;
  headers: IncomingMessage['headers'];
}

export interface TestSink {
  url: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

type Chooser = (req: IncomingMessage) => Arrival['answer'];

/** Retry-After the chaos sink sends with 429, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * `port`: listen on this port (a destination that was down comes back where it was).
 * `delayMs`: accepted requests are answered this long after they arrive (sends stay in flight).
 */
export async function startSink(choose: Chooser = () => 'ok', port = 0, delayMs = 0): Promise<TestSink> {
  const arrivals: Arrival[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = choose(req);
      arrivals.push({
        recipient: decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)),
        key: String(req.headers['idempotency-key'] ?? ''),
        at: Date.now(),
        answer,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      });
      if (answer === 'ok') {
        const ok = (): void => void (res.destroyed || res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
        if (delayMs > 0) setTimeout(ok, delayMs);
        else ok();
      }
      else if (answer === '500') res.writeHead(500).end('{"error":"boom"}');
      else if (answer === '503') res.writeHead(503).end('{"error":"unavailable"}');
      else if (answer === '429') res.writeHead(429, { 'retry-after': String(RETRY_AFTER_SECONDS) }).end('{"error":"slow down"}');
      else if (answer === 'reset') req.socket.resetAndDestroy();
      else hanging.add(res); // never answered; closed with the server
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A seeded generator (mulberry32) so a failing chaos run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A campaign whose every `score` change PATCHes `${sinkUrl}/leads/<user>`. */
export function sinkCampaign(sinkUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Reliability: score change to sink',
    trigger: { type: 'custom_attribute_changed', attribute: 'score', change: 'any' },
    reeligible_after_seconds: 0,
    webhook: {
      url: `${sinkUrl}/leads/{{\${user_id}}}`,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: { type: 'raw', text: '{"score": {{custom_attribute.${score}}}}' },
    },
    ...extra,
  };
}
