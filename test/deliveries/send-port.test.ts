import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSendPort, type ActiveCampaign, type Attempted, type CampaignLookup } from '../../src/deliveries/index.js';
import type { AttemptResult, WebhookRequest } from '../../src/dispatch/index.js';
import { createLiquid, type LiquidhookEngine } from '../../src/liquid/index.js';
import { parseWebhookFile } from '../../src/render/file-format.js';
import type { Delivery, Profile } from '../../src/domain/index.js';
import { parseCampaign } from '../../src/triggers/index.js';
import { guideCampaign, MQL_TEMPLATE } from '../e2e/helpers.js';
import { leasedDelivery } from './fixtures.js';

const TOKEN = 'token-abcdef-123456';
const fake = { url: 'https://acme.my.salesforce.com', clientId: 'cid', clientSecret: 'csecret-987654' };
const engine = createLiquid({
  connectedContent: {
    fetcher: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: TOKEN }) }),
  },
});
const campaign = parseCampaign(guideCampaign(fake));
const active: ActiveCampaign = {
  id: 'c1',
  campaign,
  webhook: campaign.webhook,
  secrets: [fake.clientSecret],
  ready: true,
  missing: [],
  stored: { createdAt: '', updatedAt: '' },
};
const only = (...campaigns: ActiveCampaign[]): CampaignLookup => ({ get: (id) => campaigns.find((c) => c.id === id) });
/** An active campaign like the guide's, with its webhook (and anything else) changed. */
const variant = (extra: Partial<ActiveCampaign> & { webhook?: Partial<ActiveCampaign['webhook']> }): ActiveCampaign => ({
  ...active,
  ...extra,
  webhook: { ...active.webhook, ...extra.webhook },
});

function portWith(options: { campaigns?: CampaignLookup; engine?: LiquidhookEngine; respond?: (request: WebhookRequest) => Promise<AttemptResult> } = {}) {
  const sent: WebhookRequest[] = [];
  const port = createSendPort({
    engine: options.engine ?? engine,
    campaigns: options.campaigns ?? only(active),
    signingSecrets: {},
    dispatcher: {
      send: async (request) => {
        sent.push(request);
        return options.respond ? options.respond(request) : { ok: true, status: 204, headers: {}, responseBody: '', responseTruncated: false, latencyMs: 1, startedAt: Date.now() };
      },
    },
  });
  return { port, sent };
}

const delivery = (extra: Partial<Delivery> = {}): Delivery => leasedDelivery('d1', { externalId: '00Q1', idempotencyKey: 'key-1', ...extra });
const profile = (attributes: Profile['attributes']): Profile => ({ externalId: '00Q1', attributes, createdAt: '', updatedAt: '' });
const mql = profile({ 'lead score': 150 });

describe('send port (in-process): resolved → rendered → attempted', () => {
  it('renders the guide webhook for the current profile and sends it, keeping only a redacted log', async () => {
    const { port, sent } = portWith();
    const attempted = await port.send(delivery(), mql);
    expect(attempted).toMatchObject({ kind: 'attempted', result: { status: 204 } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: 'PATCH',
      url: 'https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q1',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      idempotencyKey: 'key-1',
    });
    expect(JSON.parse(sent[0]!.body!)).toEqual({ lead_status: 'MQL' });
    const log = JSON.stringify(attempted.log);
    expect(log).toContain('PATCH');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(fake.clientSecret);
  });

  it('carries the message_extras pairs of the request it sent, secret values redacted', async () => {
    const body = active.webhook.body.type === 'raw' ? active.webhook.body.text : '';
    const extras = '{% message_extras :key lead :value {{ ${user_id} }} %}{% message_extras :key token :value Bearer {{ result.access_token }} %}';
    // The body renders after the Authorization header, whose connected_content saved `result`.
    const tagged = variant({ webhook: { body: { type: 'raw', text: extras + body } } });
    const { port, sent } = portWith({ campaigns: only(tagged) });
    const attempted = await port.send(delivery(), mql);
    expect(JSON.parse(sent[0]!.body!)).toEqual({ lead_status: 'MQL' });
    expect(attempted).toMatchObject({ kind: 'attempted', messageExtras: { lead: '00Q1', token: 'Bearer [REDACTED]' } });
    const aborted = await port.send(delivery(), profile({ 'lead score': 50 }));
    expect(aborted).not.toHaveProperty('messageExtras');
  });

  it("aborts below the threshold with the template's reason and no code", async () => {
    const { port, sent } = portWith();
    const attempted = await port.send(delivery(), profile({ 'lead score': 50 }));
    expect(attempted).toMatchObject({ kind: 'aborted', reason: 'not at threshold' });
    expect(attempted).not.toHaveProperty('code');
    expect(sent).toHaveLength(0);
  });

  it('re-checks the audience before the first attempt only', async () => {
    const { port } = portWith();
    const already = profile({ 'lead score': 150, lead_status: 'MQL' });
    expect(await port.send(delivery(), already)).toEqual({ kind: 'aborted', reason: 'user no longer matches the audience' });
    expect((await port.send(delivery({ firstAttemptAt: new Date().toISOString(), attempts: 1 }), already)).kind).toBe('attempted');
    // A replay clears firstAttemptAt (new retry window) but has been attempted: it goes out.
    expect((await port.send(delivery({ attempts: 1 }), already)).kind).toBe('attempted');
  });

  it('asks the catalog to look a campaign up when it is not known yet (made by another process)', async () => {
    const asked: string[] = [];
    const campaigns: CampaignLookup = {
      get: () => undefined,
      lookup: async (id) => {
        asked.push(id);
        return id === 'c1' ? active : undefined;
      },
    };
    const { port } = portWith({ campaigns });
    expect((await port.send(delivery(), mql)).kind).toBe('attempted');
    expect(await port.send(delivery({ campaignId: 'gone' }), mql)).toEqual({ kind: 'failed', code: 'campaign_missing', error: 'campaign gone no longer exists' });
    expect(asked).toEqual(['c1', 'gone']);
  });

  it('uses the template file verbatim', () => {
    const file = parseWebhookFile(readFileSync(MQL_TEMPLATE, 'utf8'));
    expect(file.webhook.body).toEqual(campaign.webhook.body);
  });
});

describe('send port: every stop before a request carries the right code', () => {
  const stopOf = async (options: Parameters<typeof portWith>[0], target = delivery()): Promise<Attempted> => {
    const { port, sent } = portWith(options);
    const attempted = await port.send(target, mql);
    expect(sent).toHaveLength(0);
    return attempted;
  };

  it('campaign_missing: the campaign is gone, disabled or inactive', async () => {
    expect(await stopOf({ campaigns: only() })).toMatchObject({ kind: 'failed', code: 'campaign_missing' });
    const disabled = variant({ campaign: { ...campaign, enabled: false } });
    expect(await stopOf({ campaigns: only(disabled) })).toMatchObject({ kind: 'aborted', code: 'campaign_missing', reason: 'campaign is disabled' });
    const inactive = variant({ ready: false, inactiveReason: 'its template file is gone' });
    expect(await stopOf({ campaigns: only(inactive) })).toMatchObject({ kind: 'aborted', code: 'campaign_missing', reason: 'campaign is inactive: its template file is gone' });
  });

  it('render_failed: the template does not render, with the field and position', async () => {
    const broken = variant({ webhook: { url: 'https://example.com/{{ 1 | divided_by: 0 }}' } });
    const attempted = await stopOf({ campaigns: only(broken) });
    expect(attempted).toMatchObject({ kind: 'failed', code: 'render_failed' });
    expect(attempted.kind === 'failed' && attempted.error).toMatch(/^webhook did not render: url/);
  });

  it('limit_exceeded: a render limit stopped the template', async () => {
    const looping = variant({ webhook: { url: 'https://example.com/{% for i in (1..1000) %}{{ i }}{% endfor %}' } });
    const small = createLiquid({ limits: { loopIterations: 10 } });
    expect(await stopOf({ campaigns: only(looping), engine: small })).toMatchObject({ kind: 'failed', code: 'limit_exceeded' });
  });

  it('connected_content_failed: a connected_content call with :retry failed, so the message aborted', async () => {
    const failing = createLiquid({
      connectedContent: { retryBaseDelayMs: 1, fetcher: async () => ({ status: 503, headers: {}, body: '' }) },
    });
    const needsData = variant({ webhook: { url: 'https://example.com/{% connected_content https://api.example.com/data :retry :save d %}{{ d.id }}' } });
    const attempted = await stopOf({ engine: failing, campaigns: only(needsData) });
    expect(attempted).toMatchObject({ kind: 'aborted', code: 'connected_content_failed' });
    expect(attempted.kind === 'aborted' && attempted.reason).toContain('HTTP 503');
  });

  it('invalid_request: the signing secret it names is not configured', async () => {
    const signed = variant({ webhook: { signing_secret_ref: 'NOT_SET' } });
    expect(await stopOf({ campaigns: only(signed) })).toEqual({ kind: 'failed', code: 'invalid_request', error: 'signing secret NOT_SET is not configured' });
  });

  it('internal: the campaign lookup itself threw', async () => {
    const campaigns: CampaignLookup = { get: () => undefined, lookup: async () => Promise.reject(new Error('database is gone')) };
    expect(await stopOf({ campaigns })).toEqual({ kind: 'failed', code: 'internal', error: 'resolving the send failed: database is gone' });
  });

  it('database_unavailable: the campaign lookup could not reach the database, so the send waits for it', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const campaigns: CampaignLookup = { get: () => undefined, lookup: async () => Promise.reject(refused) };
    expect(await stopOf({ campaigns })).toEqual({
      kind: 'deferred',
      code: 'database_unavailable',
      error: 'database unavailable, nothing sent: connect ECONNREFUSED 127.0.0.1:5432',
    });
  });

  it('a dispatcher that throws counts as a broken connection, so the retry rules decide', async () => {
    const { port } = portWith({ respond: async () => Promise.reject(new Error('socket hang up')) });
    expect(await port.send(delivery(), mql)).toMatchObject({ kind: 'attempted', result: { ok: false, error: { kind: 'network', message: 'socket hang up' } } });
  });
});
