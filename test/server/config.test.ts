import { ExportEnvSchema } from '../../src/export/config.js';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, configVariables, ensureDbFolder, loadConfig, renderConfigTable } from '../../src/config/index.js';
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

describe('operations settings', () => {
  it('defaults to a 1 MiB body limit, 6000 requests a minute, protected metrics', () => {
    const config = loadConfig({});
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.rateLimitPerMinute).toBe(6000);
    expect(config.metricsPublic).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.catalogRefreshMs).toBe(2000);
  });

  it('reads booleans and allows turning the rate limit off', () => {
    const config = loadConfig({ LIQUIDHOOK_METRICS_PUBLIC: 'true', LIQUIDHOOK_TRUST_PROXY: '1', LIQUIDHOOK_RATE_LIMIT: '0' });
    expect(config.metricsPublic).toBe(true);
    expect(config.trustProxy).toBe(true);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(() => loadConfig({ LIQUIDHOOK_METRICS_PUBLIC: 'sometimes' })).toThrow(/LIQUIDHOOK_METRICS_PUBLIC must be true or false/);
    expect(() => loadConfig({ LIQUIDHOOK_RATE_LIMIT: '-1' })).toThrow(/LIQUIDHOOK_RATE_LIMIT must be 0 or more/);
  });
});

describe('configuration table', () => {
  it('lists every variable the service reads (its own, then the exporter\'s), each with a description', () => {
    const variables = configVariables();
    expect(variables.map((v) => v.name)).toEqual([...Object.keys(EnvSchema.shape), ...Object.keys(ExportEnvSchema.shape)]);
    for (const v of variables) expect(v.description.length, v.name).toBeGreaterThan(10);
    expect(variables.find((v) => v.name === 'PORT')).toEqual({ name: 'PORT', default: '3000', description: expect.stringContaining('port') });
    expect(variables.find((v) => v.name === 'LIQUIDHOOK_API_KEY')?.default).toBeUndefined();
    expect(variables.find((v) => v.name === 'LIQUIDHOOK_METRICS_PUBLIC')?.default).toBe('false');
  });

  it('renders a README table and terminal help with every name and default', () => {
    const markdown = renderConfigTable('markdown');
    const text = renderConfigTable('text');
    expect(markdown.split('\n')[0]).toBe('| Variable | Default | Description |');
    for (const v of configVariables()) {
      expect(markdown).toContain(`| \`${v.name}\` | ${v.default === undefined ? '(unset)' : `\`${v.default}\``} |`);
      expect(text).toContain(`  ${v.name}`);
    }
    expect(text).toContain('LIQUIDHOOK_BODY_LIMIT_BYTES (default: 1048576)');
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(renderConfigTable('markdown'));
  });
});
