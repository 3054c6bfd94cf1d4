// Log lines a person can read: LIQUIDHOOK_LOG_FORMAT picks pretty or JSON (auto: pretty on a
// terminal), and secrets are redacted in pretty lines as in JSON ones.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, renderConfigTable } from '../../src/config/index.js';
import { createLogger, usePrettyLogs } from '../../src/server/logger.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is pretty when asked or on a terminal, JSON when asked or piped', () => {
    expect(usePrettyLogs('pretty', false)).toBe(true);
    expect(usePrettyLogs('auto', true)).toBe(true);
    expect(usePrettyLogs('auto', false)).toBe(false);
    expect(usePrettyLogs('json', true)).toBe(false);
  });

  it('is read from LIQUIDHOOK_LOG_FORMAT (default auto) and listed in the configuration table', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LIQUIDHOOK_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LIQUIDHOOK_LOG_FORMAT: 'yaml' })).toThrow(/LIQUIDHOOK_LOG_FORMAT must be one of auto, pretty, json/);
    expect(renderConfigTable('text')).toContain('LIQUIDHOOK_LOG_FORMAT');
  });

  it('writes one readable line per entry, with secrets redacted', () => {
    const out = sink();
    const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, [], out.stream);
    logger.info({ headers: { Authorization: 'Bearer s3cr3t-token', accept: 'application/json' }, client_secret: 's3cr3t-2' }, 'sent the webhook');
    logger.child({ apiKey: 's3cr3t-3' }).warn('bound');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: sent the webhook /);
    expect(lines[0]).toContain('Bearer [REDACTED]');
    expect(lines[1]).toMatch(/ WARN: bound/);
    expect(out.text()).not.toContain('s3cr3t');
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it('writes JSON when asked', () => {
    const out = sink();
    createLogger({ logLevel: 'info', logFormat: 'json' }, [], out.stream).info({ token: 's3cr3t' }, 'hello');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'hello', token: '[REDACTED]' });
  });
});
