import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { Agent } from 'undici';
import { createLiquid } from '../../src/liquid/index.js';
import { createDispatcher, testSend } from '../../src/dispatch/index.js';
import {
  buildLiquidContext,
  loadWebhookFile,
  previewWebhook,
  renderWebhookRequest,
  resolvePlaceholders,
  substitutePlaceholders,
  testSendWebhook,
  type Webhook,
} from '../../src/render/index.js';
import { FAKE_TOKEN, startFakeSalesforce, type FakeSalesforce } from './fake-salesforce.js';

const TEMPLATE = new URL('../../templates/salesforce-mql-handoff.webhook.liquid', import.meta.url).pathname;
const CLIENT_SECRET = 'sf-client-secret-0123';

describe('Salesforce MQL hand-off, verbatim template against a loopback Salesforce', () => {
  let salesforce: FakeSalesforce;
  let agent: Agent;
  let webhook: Webhook;
  let secrets: string[];

  beforeAll(async () => {
    salesforce = await startFakeSalesforce();
    agent = new Agent();
    const file = await loadWebhookFile(TEMPLATE);
    const resolved = resolvePlaceholders(file.placeholders, {
      SALESFORCE_INSTANCE_URL: salesforce.origin,
      SALESFORCE_CLIENT_ID: '3MVG9client',
      SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
    });
    webhook = substitutePlaceholders(file.webhook, resolved.values);
    secrets = resolved.secretValues;
  });
  afterAll(async () => {
    await agent.close();
    await salesforce.close();
  });
  beforeEach(() => {
    salesforce.received.length = 0;
  });

  const profile = (score: number) =>
    buildLiquidContext({ 'lead score': score, lead_status: 'SQL', first_name: 'Ada' }, { externalId: '00Q5e00000AbCdE' });

  it('score 150: previews the MQL update with the token fetched live and redacted', async () => {
    const preview = await previewWebhook(webhook, { attributes: profile(150), connectedContent: 'live', dispatcher: agent, secrets });
    expect(preview.errors).toEqual([]);
    expect(preview.aborted).toBeUndefined();
    expect(preview.method).toBe('PATCH');
    expect(preview.url).toBe(`${salesforce.origin}/services/data/v60.0/sobjects/Lead/00Q5e00000AbCdE`);
    expect(preview.body).toContain('"lead_status": "MQL"');
    expect(preview.headers).toEqual({ Authorization: 'Bearer [REDACTED]', 'Content-Type': 'application/json' });
    expect(preview.connectedContent).toHaveLength(1);
    expect(preview.connectedContent[0]).toMatchObject({
      url: `${salesforce.origin}/services/oauth2/token`,
      method: 'POST',
      status: 200,
      saveAs: 'result',
    });
    const shown = JSON.stringify(preview);
    expect(shown).not.toContain(CLIENT_SECRET);
    expect(shown).not.toContain(FAKE_TOKEN);

    // Only the token call went out, with the form body the guide prescribes.
    expect(salesforce.received).toHaveLength(1);
    expect(salesforce.received[0]).toMatchObject({
      method: 'POST',
      url: '/services/oauth2/token',
      body: `client_id=3MVG9client&client_secret=${CLIENT_SECRET}&grant_type=client_credentials`,
    });
  });

  it('score 150 with revealSecrets shows the trimmed Authorization value', async () => {
    const preview = await previewWebhook(webhook, { attributes: profile(150), connectedContent: 'live', dispatcher: agent, revealSecrets: true });
    expect(preview.headers.Authorization).toBe(`Bearer ${FAKE_TOKEN}`);
  });

  it('score 50: the body aborts with "not at threshold"', async () => {
    const preview = await previewWebhook(webhook, { attributes: profile(50), connectedContent: 'live', dispatcher: agent, secrets });
    expect(preview.aborted).toEqual({ reason: 'not at threshold' });
    expect(preview.errors).toEqual([]);
  });

  it('renders the un-redacted request and delivers it to the Lead endpoint', async () => {
    const engine = createLiquid({ connectedContent: { dispatcher: agent } });
    const request = await renderWebhookRequest(engine, webhook, profile(150));
    expect(request.aborted).toBeUndefined();
    expect(request.headers.Authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(JSON.parse(request.body)).toEqual({ lead_status: 'MQL' });
    expect(request.calls.map((c) => c.status)).toEqual([200]);
    expect(JSON.stringify(request.calls)).not.toContain(CLIENT_SECRET);

    const dispatcher = createDispatcher({ agent });
    try {
      const sent = await testSend(dispatcher, {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        idempotencyKey: 'mql-test-1',
      });
      expect(sent.status).toBe(204);
    } finally {
      await dispatcher.close();
    }
    const patch = salesforce.received.find((r) => r.method === 'PATCH');
    expect(patch?.url).toBe('/services/data/v60.0/sobjects/Lead/00Q5e00000AbCdE');
    expect(patch?.headers.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(JSON.parse(patch!.body)).toEqual({ lead_status: 'MQL' });
  });

  it('test send: sends at 150 and reports the 204, sends nothing at 50', async () => {
    const engine = createLiquid({ connectedContent: { dispatcher: agent } });
    const dispatcher = createDispatcher({ agent });
    try {
      const sent = await testSendWebhook(webhook, { engine, dispatcher, context: profile(150) });
      expect(sent.sent).toBe(true);
      expect(sent.result?.status).toBe(204);
      expect(sent.result?.request.headers.Authorization).toBe('Bearer [REDACTED]');
      expect(salesforce.received.map((r) => r.method)).toEqual(['POST', 'PATCH']);

      salesforce.received.length = 0;
      const below = await testSendWebhook(webhook, { engine, dispatcher, context: profile(50) });
      expect(below).toMatchObject({ sent: false, aborted: { reason: 'not at threshold' } });
      expect(salesforce.received.map((r) => r.method)).toEqual(['POST']);
    } finally {
      await dispatcher.close();
    }
  });

  it('stub mode answers the token call without any network request', async () => {
    const preview = await previewWebhook(webhook, { attributes: profile(150), connectedContent: 'stub', revealSecrets: true });
    expect(preview.headers.Authorization).toBe('Bearer stub-token');
    expect(preview.connectedContent).toHaveLength(1);
    expect(salesforce.received).toHaveLength(0);
  });

  it('recorded mode replays the recorded answer without any network request', async () => {
    const recorded = { [`${salesforce.origin}/services/oauth2/token`]: { body: { access_token: 'recorded-token-42' } } };
    const preview = await previewWebhook(webhook, { attributes: profile(150), connectedContent: recorded });
    expect(preview.headers.Authorization).toBe('Bearer [REDACTED]');
    const revealed = await previewWebhook(webhook, { attributes: profile(150), connectedContent: recorded, revealSecrets: true });
    expect(revealed.headers.Authorization).toBe('Bearer recorded-token-42');
    expect(salesforce.received).toHaveLength(0);
  });
});
