// The package used as a library: connected_content behind the SSRF guard, its allowlist an option
// (`allowedHosts`) and its block message naming that option; stubbed preview calls say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiquid, parseWebhook, previewWebhook } from '../../src/index.js';
import { json, startServer, type LoopbackServer } from '../liquid/connected-content-helpers.js';

let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer((_req, res) => json(res, 200, { access_token: 'loopback-token' }));
});
afterAll(() => server.close());

const call = () => `{% connected_content ${server.base}/token :save r %}{{ r.access_token }}`;

describe('createLiquid (package root)', () => {
  it('blocks a loopback call and names the allowedHosts option, not the service variable', async () => {
    const result = await createLiquid().render(call(), {});
    expect(result.output).toBe('');
    expect(result.connectedContent[0]!.error).toMatch(/blocked destination 127\.0\.0\.1 \(loopback address\); allow it with the allowedHosts option$/);
    expect(JSON.stringify(result)).not.toContain('LIQUIDHOOK_ALLOWED_HOSTS');
  });

  it('reaches a destination listed in allowedHosts', async () => {
    const result = await createLiquid({ allowedHosts: '127.0.0.1' }).render(call(), {});
    expect(result.output).toBe('loopback-token');
    expect(result.connectedContent[0]).toMatchObject({ status: 200 });
    expect(result.connectedContent[0]!.stubbed).toBeUndefined();
  });

  it('rejects a malformed allowedHosts, naming the option', () => {
    expect(() => createLiquid({ allowedHosts: 'not a host!' })).toThrow(/^allowedHosts: "not a host!" is not a hostname/);
  });
});

describe('previewWebhook', () => {
  const webhook = () =>
    parseWebhook({ url: 'https://example.com/hook', method: 'POST', headers: { Authorization: `${call()}` }, body: { type: 'raw', text: 'x' } });

  it('live mode takes allowedHosts; without it the block message names the option', async () => {
    const blocked = await previewWebhook(webhook(), { connectedContent: 'live' });
    expect(blocked.connectedContent[0]!.error).toContain('allow it with the allowedHosts option');
    const allowed = await previewWebhook(webhook(), { connectedContent: 'live', allowedHosts: '127.0.0.0/8', revealSecrets: true });
    expect(allowed.headers.Authorization).toBe('loopback-token');
    expect(allowed.connectedContent[0]!.stubbed).toBeUndefined();
  });

  it('marks stubbed and recorded calls as stubbed', async () => {
    const stub = await previewWebhook(webhook(), { connectedContent: 'stub' });
    expect(stub.connectedContent).toEqual([expect.objectContaining({ status: 200, stubbed: true })]);
    const recorded = await previewWebhook(webhook(), { connectedContent: { [`${server.base}/token`]: { access_token: 'rec' } } });
    expect(recorded.connectedContent).toEqual([expect.objectContaining({ stubbed: true })]);
  });
});
