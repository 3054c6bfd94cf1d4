// The `serve` command as a child process: generated API key shown once, the hand-off over real
// sockets, graceful SIGTERM, and a clear error for bad configuration.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { MQL_TEMPLATE, ROOT, apiClient, spawnService, tempDb, waitFor, type ChildService } from './helpers.js';

describe('liquidhook serve (child process)', () => {
  let fake: FakeSalesforce;
  let service: ChildService | undefined;
  const db = tempDb();
  const templatesDir = mkdtempSync(join(tmpdir(), 'lh-templates-'));

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    // The guide's template file, unchanged; its placeholders come from the environment.
    writeFileSync(join(templatesDir, 'salesforce-mql-handoff.webhook.liquid'), readFileSync(MQL_TEMPLATE));
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) await service.kill9();
    await fake?.close();
  });

  const env = () => ({
    LIQUIDHOOK_DB: db,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: templatesDir,
    LIQUIDHOOK_POLL_MS: '100',
    SALESFORCE_INSTANCE_URL: fake.url,
    SALESFORCE_CLIENT_ID: fake.clientId,
    SALESFORCE_CLIENT_SECRET: fake.clientSecret,
  });

  it('generates an API key on first start, runs the file campaign and stops cleanly on SIGTERM', async () => {
    service = await spawnService(env());
    const key = /Generated API key[^\n]*\n\n\s+(lh_\S+)/.exec(service.output())?.[1];
    expect(key).toBeDefined();
    const api = apiClient(service.url, key!);
    expect((await apiClient(service.url, null).call('GET', '/campaigns')).status).toBe(401);

    const campaigns = await api.call('GET', '/campaigns');
    expect(campaigns.json.campaigns).toContainEqual(expect.objectContaining({ id: 'file:salesforce-mql-handoff', ready: true }));

    await api.call('POST', '/users/track', { attributes: [{ external_id: 'cli-lead', 'lead score': 150 }] });
    const patch = await waitFor('the PATCH', () => fake.leadPatches().find((r) => r.path.endsWith('/Lead/cli-lead')));
    expect(JSON.parse(patch.body)).toEqual({ lead_status: 'MQL' });
    expect(patch.headers.authorization).toMatch(/^Bearer 00D/);
    expect(service.output()).not.toContain(fake.clientSecret);

    expect(await service.stop()).toBe(0);
    expect(service.output()).toContain('stopped');
  });

  it('reuses the persisted key on the next start without printing it', async () => {
    service = await spawnService(env());
    expect(service.output()).not.toContain('Generated API key');
    expect((await apiClient(service.url, 'not-the-key-000000').call('GET', '/campaigns')).status).toBe(401);
    expect(await service.stop()).toBe(0);
  });

  it('exits with a clear message on invalid configuration', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', LIQUIDHOOK_DB: tempDb() },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: PORT must be a number (got "eighty")');
    expect(result.stderr).not.toContain('    at ');
  });
});
