import { describe, it, expect } from 'vitest';
import { loadWebhookFile } from '../../src/render/load.js';
import { PlaceholderValueError, resolvePlaceholders, substitutePlaceholders } from '../../src/render/placeholders.js';

const MQL = new URL('../../templates/salesforce-mql-handoff.webhook.liquid', import.meta.url).pathname;
const CREATE = new URL('../../templates/salesforce-create-lead.webhook.liquid', import.meta.url).pathname;
const ENV = {
  SALESFORCE_INSTANCE_URL: 'http://127.0.0.1:8443/',
  SALESFORCE_CLIENT_ID: '3MVG9.client',
  SALESFORCE_CLIENT_SECRET: 's3cr3t-value',
};

describe('placeholders', () => {
  it('points the verbatim MQL template at a configured instance without touching anything else', async () => {
    const file = await loadWebhookFile(MQL);
    const resolved = resolvePlaceholders(file.placeholders, ENV);
    expect(resolved.missing).toEqual([]);
    expect(resolved.secretValues).toEqual(['s3cr3t-value']);
    const webhook = substitutePlaceholders(file.webhook, resolved.values);
    expect(webhook.url).toBe('http://127.0.0.1:8443/services/data/v60.0/sobjects/Lead/{{${user_id}}}');
    expect(webhook.headers.Authorization).toBe(
      [
        '{% connected_content http://127.0.0.1:8443/services/oauth2/token',
        ':method post',
        ' :body client_id=3MVG9.client&client_secret=s3cr3t-value&grant_type=client_credentials',
        ':save result %}',
        ' Bearer {{result.access_token}}',
      ].join('\n'),
    );
    expect(webhook.body).toEqual(file.webhook.body);
    // the loaded definition itself is unchanged
    expect(file.webhook.url).toContain('YOUR_SALESFORCE_INSTANCE');
  });

  it('substitutes inside json pairs and the single-line header of the create-lead template', async () => {
    const file = await loadWebhookFile(CREATE);
    const webhook = substitutePlaceholders(file.webhook, resolvePlaceholders(file.placeholders, ENV).values);
    expect(webhook.url).toBe('http://127.0.0.1:8443/services/data/v60.0/sobjects/Lead/');
    expect(webhook.headers.Authorization).toContain('client_id=3MVG9.client&client_secret=s3cr3t-value&');
    expect(webhook.headers.Authorization).not.toContain('[insert_');
  });

  it('lists unconfigured placeholders and leaves them in place', async () => {
    const file = await loadWebhookFile(MQL);
    const resolved = resolvePlaceholders(file.placeholders, { SALESFORCE_CLIENT_ID: 'id' });
    expect(resolved.missing.map((p) => p.env)).toEqual(['SALESFORCE_INSTANCE_URL', 'SALESFORCE_INSTANCE_URL', 'SALESFORCE_CLIENT_SECRET']);
    const webhook = substitutePlaceholders(file.webhook, resolved.values);
    expect(webhook.headers.Authorization).toContain('client_secret=[client_secret]');
  });

  it('rejects values that would inject Liquid or break the URL or form body', async () => {
    const file = await loadWebhookFile(MQL);
    const bad = [
      { ...ENV, SALESFORCE_INSTANCE_URL: 'acme' },
      { ...ENV, SALESFORCE_INSTANCE_URL: 'ftp://acme.example' },
      { ...ENV, SALESFORCE_INSTANCE_URL: 'https://acme.example/path' },
      { ...ENV, SALESFORCE_CLIENT_ID: 'a&grant_type=password' },
      { ...ENV, SALESFORCE_CLIENT_SECRET: '{{ evil }}' },
    ];
    for (const env of bad) expect(() => resolvePlaceholders(file.placeholders, env)).toThrow(PlaceholderValueError);
  });
});

describe('the MQL template stays verbatim', () => {
  it('keeps the guide’s URL, five-line Authorization value and body', async () => {
    const file = await loadWebhookFile(MQL);
    expect(file.name).toBe('Salesforce > Update lead to MQL');
    expect(file.webhook.method).toBe('PATCH');
    expect(file.webhook.url).toBe(
      'https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/data/v60.0/sobjects/Lead/{{${user_id}}}',
    );
    expect(file.webhook.headers).toEqual({
      Authorization: [
        '{% connected_content https://[instance].my.salesforce.com/services/oauth2/token',
        ':method post',
        ' :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials',
        ':save result %}',
        ' Bearer {{result.access_token}}',
      ].join('\n'),
      'Content-Type': 'application/json',
    });
    expect(file.webhook.body).toEqual({
      type: 'raw',
      text: [
        '{% assign threshold = 100%}',
        '{% if custom_attribute.${lead score} > threshold %}',
        '{',
        '"lead_status": "MQL"',
        '}',
        "{% else %}{% abort_message('not at threshold')%}",
        '{% endif %}',
      ].join('\n'),
    });
  });
});
