// A loopback stand-in for the parts of Salesforce the lead hand-off uses: the OAuth
// client-credentials token endpoint and the Lead sObject (create, update). It records every
// request so tests and the demo can show exactly what arrived.
//
//   npx tsx examples/fake-salesforce.ts      (PORT=0 picks a free port; prints its URL)
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKey?: string;
  status: number;
}

export interface FakeSalesforceOptions {
  clientId?: string;
  clientSecret?: string;
  port?: number;
  /** Answer this many Lead PATCHes with 503 first (exercises retries). */
  failFirstPatches?: number;
  /** Delay before answering a Lead request (makes sends overlap). */
  leadDelayMs?: number;
  /** Called with every request once answered (the standalone fake prints them). */
  onRequest?: (request: RecordedRequest) => void;
}

export interface FakeSalesforce {
  /** Origin such as http://127.0.0.1:43121 — the "instance URL". */
  url: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** Tokens handed out so far (the newest is current; all stay valid). */
  tokens: string[];
  /** Lead fields as PATCHed/created, by Lead id. */
  leads: Map<string, Record<string, unknown>>;
  leadPatches(): RecordedRequest[];
  close(): Promise<void>;
}

const LEAD_PATH = /^\/services\/data\/v60\.0\/sobjects\/Lead\/([^/?]+)$/;
const LEADS_PATH = /^\/services\/data\/v60\.0\/sobjects\/Lead\/?$/;

export async function startFakeSalesforce(options: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const requests: RecordedRequest[] = [];
  const tokens: string[] = [];
  const leads = new Map<string, Record<string, unknown>>();
  let failuresLeft = options.failFirstPatches ?? 0;
  let url = '';

  const answer = (res: ServerResponse, status: number, body?: unknown): number => {
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return status;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<number> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST' && path === '/services/oauth2/token') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials') {
        return answer(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
      }
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return answer(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      }
      const token = `00D${randomBytes(12).toString('hex')}!fake`;
      tokens.push(token);
      return answer(res, 200, {
        access_token: token,
        instance_url: url,
        id: `${url}/id/00Dxx0000000000/005xx0000000000`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: randomBytes(16).toString('base64'),
      });
    }
    const lead = LEAD_PATH.exec(path);
    const isLeads = LEADS_PATH.test(path);
    if (!lead && !isLeads) return answer(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.includes(bearer)) {
      return answer(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    if (options.leadDelayMs) await new Promise((r) => setTimeout(r, options.leadDelayMs));
    let fields: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      fields = parsed as Record<string, unknown>;
    } catch {
      return answer(res, 400, [{ message: 'The request body is not valid JSON', errorCode: 'JSON_PARSER_ERROR' }]);
    }
    if (lead && req.method === 'PATCH') {
      if (failuresLeft > 0) {
        failuresLeft--;
        return answer(res, 503, [{ message: 'Service Unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
      }
      const id = decodeURIComponent(lead[1]!);
      leads.set(id, { ...leads.get(id), ...fields });
      return answer(res, 204);
    }
    if (isLeads && req.method === 'POST') {
      const id = `00Q${randomBytes(6).toString('hex')}`;
      leads.set(id, fields);
      return answer(res, 201, { id, success: true, errors: [] });
    }
    return answer(res, 405, [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${req.method}' not allowed` }]);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void handle(req, res, body).then(
        (status) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = String(value);
          const recorded: RecordedRequest = {
            method: req.method ?? '',
            path: req.url ?? '',
            headers,
            body,
            ...(headers['idempotency-key'] ? { idempotencyKey: headers['idempotency-key'] } : {}),
            status,
          };
          requests.push(recorded);
          options.onRequest?.(recorded);
        },
        () => answer(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'fake failed' }]),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    clientSecret,
    requests,
    tokens,
    leads,
    leadPatches: () => requests.filter((r) => r.method === 'PATCH' && LEAD_PATH.test(r.path.split('?')[0] ?? '')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fake = await startFakeSalesforce({
    port: Number(process.env.PORT ?? 0),
    onRequest: (r) => {
      // Token requests carry the client secret: show only the route and status.
      const body = r.path.startsWith('/services/oauth2/') ? '' : ` ${r.body.replace(/\s+/g, ' ').trim()}`;
      console.log(`${r.method} ${r.path} -> ${r.status}${body}`);
    },
  });
  console.log(`fake Salesforce listening on ${fake.url}`);
  console.log(`client id: ${fake.clientId}  client secret: ${fake.clientSecret}`);
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
