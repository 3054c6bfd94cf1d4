// A loopback stand-in for Salesforce: the OAuth client-credentials token endpoint and the
// Lead PATCH endpoint, recording every request it receives.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FakeSalesforce {
  origin: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export const FAKE_TOKEN = 'tok-00D5e000000TEST!AQ4AQ';

export async function startFakeSalesforce(): Promise<FakeSalesforce> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.method === 'POST' && req.url === '/services/oauth2/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: FAKE_TOKEN, instance_url: 'http://127.0.0.1', token_type: 'Bearer' }));
      } else if (req.method === 'PATCH' && req.url?.startsWith('/services/data/v60.0/sobjects/Lead/')) {
        res.writeHead(204).end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('[{"errorCode":"NOT_FOUND"}]');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
