import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActiveCampaign } from '../../src/deliveries/catalog.js';
import { createPrepare } from '../../src/deliveries/prepare.js';
import { createLiquid } from '../../src/liquid/index.js';
import { parseWebhookFile } from '../../src/render/file-format.js';
import type { Delivery, Profile } from '../../src/domain/index.js';
import { parseCampaign } from '../../src/triggers/index.js';
import { guideCampaign, MQL_TEMPLATE } from '../e2e/helpers.js';

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
const prepare = createPrepare({ engine, campaigns: { get: (id) => (id === 'c1' ? active : undefined) } });

const delivery = (extra: Partial<Delivery> = {}): Delivery => ({
  id: 'd1',
  campaignId: 'c1',
  externalId: '00Q1',
  idempotencyKey: 'key-1',
  status: 'sending',
  attempts: 0,
  trigger: {},
  nextAttemptAt: '',
  createdAt: '',
  updatedAt: '',
  ...extra,
});
const profile = (attributes: Profile['attributes']): Profile => ({ externalId: '00Q1', attributes, createdAt: '', updatedAt: '' });

describe('send-time rendering', () => {
  it('renders the guide webhook for the current profile', async () => {
    const prepared = await prepare(delivery(), profile({ 'lead score': 150 }));
    expect(prepared.kind).toBe('send');
    if (prepared.kind !== 'send') return;
    expect(prepared.request).toMatchObject({
      method: 'PATCH',
      url: 'https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q1',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      idempotencyKey: 'key-1',
    });
    expect(JSON.parse(prepared.request.body!)).toEqual({ lead_status: 'MQL' });
    const log = JSON.stringify(prepared.log);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(fake.clientSecret);
  });

  it('aborts below the threshold with the template reason', async () => {
    expect(await prepare(delivery(), profile({ 'lead score': 50 }))).toMatchObject({ kind: 'aborted', reason: 'not at threshold' });
  });

  it('re-checks the audience before the first attempt only', async () => {
    const mql = profile({ 'lead score': 150, lead_status: 'MQL' });
    expect(await prepare(delivery(), mql)).toMatchObject({ kind: 'aborted', reason: 'user no longer matches the audience' });
    expect((await prepare(delivery({ firstAttemptAt: new Date().toISOString(), attempts: 1 }), mql)).kind).toBe('send');
  });

  it('fails a delivery whose campaign is gone', async () => {
    expect(await prepare(delivery({ campaignId: 'gone' }), profile({}))).toMatchObject({ kind: 'failed' });
  });

  it('asks the catalog to look a campaign up when it is not known yet (made by another process)', async () => {
    const asked: string[] = [];
    const late = createPrepare({
      engine,
      campaigns: {
        get: () => undefined,
        lookup: async (id) => {
          asked.push(id);
          return id === 'c1' ? active : undefined;
        },
      },
    });
    expect((await late(delivery(), profile({ 'lead score': 150 }))).kind).toBe('send');
    expect(await late(delivery({ campaignId: 'gone' }), profile({}))).toMatchObject({ kind: 'failed', error: 'campaign gone no longer exists' });
    expect(asked).toEqual(['c1', 'gone']);
  });

  it('uses the template file verbatim', () => {
    const file = parseWebhookFile(readFileSync(MQL_TEMPLATE, 'utf8'));
    expect(file.webhook.body).toEqual(campaign.webhook.body);
  });
});
