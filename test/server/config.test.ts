import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ensureDbFolder, loadConfig } from '../../src/config/index.js';
import { resolveApiKey } from '../../src/server/api-key.js';

describe('loadConfig', () => {
  it('applies safe defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.db).toBe('./data/liquidhook.db');
    expect(config.webhookTimeoutMs).toBe(90_000);
    expect(config.retryWindowMs).toBe(30 * 60_000);
    expect(config.apiKey).toBeUndefined();
  });

  it('treats empty variables as unset and coerces numbers', () => {
    const config = loadConfig({ PORT: '8080', LIQUIDHOOK_API_KEY: '', LIQUIDHOOK_WORKER_BATCH: '7' });
    expect(config.port).toBe(8080);
    expect(config.apiKey).toBeUndefined();
    expect(config.worker.batchSize).toBe(7);
  });

  it('lists every invalid variable and never echoes the key', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', LIQUIDHOOK_API_KEY: 'tiny-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT must be a number (got "abc")');
    expect(message).toContain('LOG_LEVEL must be one of');
    expect(message).toContain('LIQUIDHOOK_API_KEY must be at least 16 characters');
    expect(message).not.toContain('tiny-secret');
  });

  it('rejects a lease shorter than a send', () => {
    expect(() => loadConfig({ LIQUIDHOOK_LEASE_MS: '1000', LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: '5000' })).toThrow(
      /LIQUIDHOOK_LEASE_MS \(1000\) must be greater than LIQUIDHOOK_WEBHOOK_TIMEOUT_MS/,
    );
  });
});

describe('resolveApiKey', () => {
  it('generates once, persists only a digest, then reuses it silently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-key-'));
    const db = join(dir, 'nested', 'liquidhook.db');
    ensureDbFolder(db);
    const first = resolveApiKey(undefined, db);
    expect(first.generated).toMatch(/^lh_/);
    const key = first.generated!;
    const stored = readFileSync(first.digestFile!, 'utf8');
    expect(stored).not.toContain(key);
    expect(statSync(first.digestFile!).mode & 0o077).toBe(0);

    const second = resolveApiKey(undefined, db);
    expect(second.generated).toBeUndefined();
    expect(second.verify(key)).toBe(true);
    expect(second.verify(`${key}x`)).toBe(false);
  });

  it('uses the configured key when given', () => {
    const check = resolveApiKey('configured-key-0123456789', ':memory:');
    expect(check.generated).toBeUndefined();
    expect(check.verify('configured-key-0123456789')).toBe(true);
    expect(check.verify('configured-key-012345678')).toBe(false);
  });
});
