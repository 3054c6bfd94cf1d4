import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createDispatcher, pinoRedactConfig, redactAttemptForLog, testSend } from '../../src/dispatch/index.js';
import type { WebhookRequest } from '../../src/dispatch/index.js';
import { reply, startServer } from './loopback.js';
import type { LoopbackServer } from './loopback.js';

const SECRETS = ['s3cr3t-token', 'abc123xyz', 'c2lnbmluZy1rZXktZm9yLXRlc3Rz'];

let echo: LoopbackServer;
beforeAll(async () => {
  // Echoes what it received, as careless endpoints do: the secrets come back in the response.
  echo = await startServer((req, res) =>
    reply(res, 401, JSON.stringify({ got: { authorization: req.headers.authorization, body: req.body } }), {
      'content-type': 'application/json',
      'set-cookie': 'session=abc123xyz-cookie',
    }),
  );
});
afterAll(() => echo.close());

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: pino({ redact: pinoRedactConfig }, stream) };
}

const request = (origin: string): WebhookRequest => ({
  url: `${origin}/oauth/token?api_key=abc123xyz`,
  method: 'POST',
  headers: { Authorization: 'Bearer s3cr3t-token', 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&client_id=liquidhook&client_secret=abc123xyz',
  idempotencyKey: 'dlv-redact-1',
  signingSecret: 'whsec_c2lnbmluZy1rZXktZm9yLXRlc3Rz',
});

describe('secrets never reach the logs', () => {
  it('attempt logs, raw request logs and the result are free of the secrets', async () => {
    const { lines, logger } = capture();
    const d = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 3000, logger });
    try {
      const req = request(echo.origin);
      const result = await d.send(req);
      logger.info({ request: req, signingSecret: req.signingSecret }, 'rendered webhook');
      logger.info({ req: { headers: { authorization: 'Bearer s3cr3t-token' } } }, 'incoming');

      // The server really received them (the test would be vacuous otherwise).
      expect(echo.seen[0]!.headers.authorization).toBe('Bearer s3cr3t-token');
      expect(result.status).toBe(401);

      const out = lines.join('');
      expect(lines.length).toBe(3);
      expect(out).toContain('dlv-redact-1');
      expect(out).toContain('client_id=liquidhook');
      expect(out).toContain('[REDACTED]');
      for (const secret of SECRETS) {
        expect(out).not.toContain(secret);
        expect(JSON.stringify(result)).not.toContain(secret);
      }
    } finally {
      await d.close();
    }
  });

  it('redactAttemptForLog redacts the request view; testSend scrubs echoed secrets', async () => {
    const d = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 3000 });
    try {
      const req = request(echo.origin);
      const out = await testSend(d, req);
      expect(out.status).toBe(401);
      expect(out.body).toContain('client_id=liquidhook');
      const view = redactAttemptForLog(req, await d.send(req), 1);
      expect(view.request.headers.Authorization).toBe('Bearer [REDACTED]');
      expect(view.request.url).toContain('api_key=[REDACTED]');
      expect(view.request.signed).toBe(true);
      for (const secret of SECRETS) {
        expect(JSON.stringify(out)).not.toContain(secret);
        expect(JSON.stringify(view)).not.toContain(secret);
      }
    } finally {
      await d.close();
    }
  });
});
