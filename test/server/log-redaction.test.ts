// The service logger's redaction walk against pino's own path redaction: every path of
// REDACT_PATHS gives the same line both ways, and the walk also catches what the paths miss.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { censorForLog, redactLogObject } from '../../src/dispatch/index.js';
import { createLogger, REDACT_PATHS } from '../../src/server/logger.js';

function capture(make: (stream: Writable) => Logger): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const { time: _time, ...line } = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      done();
    },
  });
  return { logger: make(stream), lines };
}

const SAMPLE: Record<string, string> = {
  body: 'client_secret=s3cr3t-body&grant_type=client_credentials',
  url: 'https://user:pa55word@example.com/x?token=s3cr3t-query&page=2',
};

/** An object holding a credential-like value at `path` ("*" becomes a key of its own, brackets a header name). */
function objectAt(path: string): Record<string, unknown> {
  const parts = path.split(/\.(?![^[]*\])/).flatMap((part) => {
    const bracket = /^(.+)\["(.+)"\]$/.exec(part);
    return bracket ? [bracket[1]!, bracket[2]!] : [part];
  });
  const names = parts.map((part, i) => (part === '*' ? `level${i}` : part));
  const leaf = names[names.length - 1]!;
  let value: unknown = SAMPLE[leaf] ?? 'Bearer s3cr3t-value';
  for (let i = names.length - 1; i >= 0; i--) value = { [names[i]!]: value, [`plain${i}`]: 'kept' };
  return value as Record<string, unknown>;
}

describe('service log redaction', () => {
  it('writes the same line as pino path redaction for every path it replaces', () => {
    const walked = capture((stream) => createLogger({ logLevel: 'info' }, [], stream));
    const byPaths = capture((stream) => pino({ level: 'info', redact: { paths: [...REDACT_PATHS], censor: censorForLog } }, stream));
    expect(REDACT_PATHS.length).toBeGreaterThan(50);
    for (const path of REDACT_PATHS) {
      const object = objectAt(path);
      walked.logger.info(object, path);
      byPaths.logger.info(object, path);
    }
    expect(walked.lines).toHaveLength(REDACT_PATHS.length);
    for (let i = 0; i < REDACT_PATHS.length; i++) {
      expect(walked.lines[i], REDACT_PATHS[i]).toEqual(byPaths.lines[i]);
      expect(JSON.stringify(walked.lines[i]), REDACT_PATHS[i]).not.toContain('s3cr3t');
    }
  });

  it('also catches header names in any case and credentials one level deeper, and leaves the rest', () => {
    const { logger, lines } = capture((stream) => createLogger({ logLevel: 'info' }, [], stream));
    const object = {
      headers: { AUTHORIZATION: 'Bearer s3cr3t-1', 'X-Api-Key': 's3cr3t-2', accept: 'application/json' },
      a: { b: { c: { token: 's3cr3t-3' } } },
      list: [{ headers: { cookie: 's3cr3t-4' } }],
      code: 'ECONNRESET',
      count: 3,
    };
    logger.info(object, 'deep');
    expect(lines[0]).toMatchObject({
      headers: { AUTHORIZATION: 'Bearer [REDACTED]', 'X-Api-Key': '[REDACTED]', accept: 'application/json' },
      a: { b: { c: { token: '[REDACTED]' } } },
      list: [{ headers: { cookie: '[REDACTED]' } }],
      code: 'ECONNRESET',
      count: 3,
    });
  });

  it('redacts child bindings, never changes the caller’s object, and returns it as is when clean', () => {
    const { logger, lines } = capture((stream) => createLogger({ logLevel: 'info' }, [], stream));
    logger.child({ apiKey: 's3cr3t-5', component: 'worker' }).info('bound');
    expect(lines[0]).toMatchObject({ apiKey: '[REDACTED]', component: 'worker' });

    const object = { request: { url: 'https://example.com/?access_token=s3cr3t-6', method: 'GET' }, keep: { x: 1 } };
    const redacted = redactLogObject(object);
    expect(object.request.url).toContain('s3cr3t-6');
    expect(redacted.request.url).not.toContain('s3cr3t-6');
    expect(redacted.keep).toBe(object.keep);
    const clean = { method: 'POST', url: '/users/track', statusCode: 201 };
    expect(redactLogObject(clean)).toBe(clean);
  });

  it('serializes errors as before', () => {
    const { logger, lines } = capture((stream) => createLogger({ logLevel: 'info' }, [], stream));
    logger.error({ err: new Error('boom') }, 'failed');
    expect(lines[0]).toMatchObject({ err: { type: 'Error', message: 'boom' }, msg: 'failed' });
  });
});
