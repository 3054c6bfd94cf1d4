import { describe, it, expect } from 'vitest';
import { createLiquid } from '../../src/liquid/index.js';
import { FIELD_SEPARATOR } from '../../src/render/render-fields.js';
import {
  WebhookRenderError,
  loadWebhookFile,
  parseWebhook,
  previewWebhook,
  renderWebhookRequest,
  resolvePlaceholders,
  substitutePlaceholders,
  type WebhookInput,
} from '../../src/render/index.js';

const CREATE_LEAD = new URL('../../templates/salesforce-create-lead.webhook.liquid', import.meta.url).pathname;
const hook = (input: Partial<WebhookInput>) => parseWebhook({ url: 'https://example.com/hook', method: 'POST', ...input });

describe('previewWebhook', () => {
  it('renders a json_pairs body to a JSON object (create-lead template, stub mode)', async () => {
    const file = await loadWebhookFile(CREATE_LEAD);
    const env = { SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com', SALESFORCE_CLIENT_ID: 'id', SALESFORCE_CLIENT_SECRET: 'secret' };
    const webhook = substitutePlaceholders(file.webhook, resolvePlaceholders(file.placeholders, env).values);
    const preview = await previewWebhook(webhook, {
      attributes: {
        first_name: 'Ada',
        last_name: 'Lovelace "AL"',
        email_address: 'ada@example.com',
        custom_attribute: { company: 'Analytical Engines' },
      },
    });
    expect(preview.errors).toEqual([]);
    expect(preview.warnings).toEqual([]);
    expect(JSON.parse(preview.body)).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace "AL"',
      email: 'ada@example.com',
      company: 'Analytical Engines',
    });
    expect(Object.keys(JSON.parse(preview.body))).toEqual(['firstName', 'lastName', 'email', 'company']);
    expect(preview.headers.Authorization).toBe('Bearer [REDACTED]');
  });

  it('warns when the body is not JSON although Content-Type says so', async () => {
    const preview = await previewWebhook(
      hook({ headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { type: 'raw', text: '{"a": {{x}} ' } }),
      { attributes: { x: 1 } },
    );
    expect(preview.warnings).toEqual([expect.stringContaining('not valid JSON')]);
    const plain = await previewWebhook(hook({ headers: { 'Content-Type': 'text/plain' }, body: { type: 'raw', text: 'hi' } }));
    expect(plain.warnings).toEqual([]);
  });

  it('reports a parse error in a header with its field, line and column', async () => {
    const preview = await previewWebhook(
      hook({ headers: { Accept: 'text/plain', 'X-Broken': 'first line\n  {% if %}ok{% endif %}' }, body: { type: 'raw', text: 'ok' } }),
    );
    expect(preview.errors).toHaveLength(1);
    expect(preview.errors[0]).toMatchObject({ field: 'header:X-Broken', line: 2 });
    expect(preview.errors[0]!.column).toBeGreaterThan(2);
  });

  it('places a render error in a later field at its own line', async () => {
    const preview = await previewWebhook(
      hook({ headers: { 'X-A': 'a\nb\nc' }, body: { type: 'raw', text: 'line one\nline two\n  {{ 1 | divided_by: 0 }}' } }),
    );
    expect(preview.errors).toEqual([{ field: 'body', message: expect.stringContaining('divided by 0'), line: 3, column: 3 }]);
  });

  it('reports errors in the url and in json pair values', async () => {
    const bad = await previewWebhook(
      hook({ url: '{{ base }}/x', body: { type: 'json_pairs', pairs: [{ key: 'k', value: 'ok' }, { key: 'k2', value: '{% for %}' }] } }),
    );
    expect(bad.errors).toEqual([{ field: 'body', message: expect.stringMatching(/^body pair 2 value: /), line: 1, column: expect.any(Number) }]);
    const relative = await previewWebhook(hook({ url: '{{ base }}/x' }));
    expect(relative.errors).toEqual([{ field: 'url', message: expect.stringContaining('not a valid URL'), line: 0, column: 0 }]);
  });

  it('shares the render scope: a value saved in a header is visible in the body', async () => {
    const preview = await previewWebhook(
      hook({
        headers: { Authorization: '{% connected_content https://auth.example/token :method post :save result %}\n Bearer {{result.access_token}}' },
        body: { type: 'raw', text: '{"type": "{{ result.token_type }}"}' },
      }),
      { revealSecrets: true },
    );
    expect(preview.headers.Authorization).toBe('Bearer stub-token');
    expect(preview.body).toBe('{"type": "Bearer"}');
  });

  it('redacts a saved token wherever it appears unless revealSecrets', async () => {
    const webhook = hook({
      url: 'https://example.com/x?sig={{r.access_token}}',
      headers: { 'X-Token-Echo': '{% connected_content https://auth.example/t :save r %}{{r.access_token}}' },
      body: { type: 'raw', text: 'token={{r.access_token}}' },
    });
    const preview = await previewWebhook(webhook, { connectedContent: { 'https://auth.example/t': '{"access_token":"abcd-1234-secret"}' } });
    expect(JSON.stringify(preview)).not.toContain('abcd-1234-secret');
    expect(preview.body).toBe('token=[REDACTED]');
  });

  it('warns about unknown attributes with the field position', async () => {
    const preview = await previewWebhook(hook({ body: { type: 'raw', text: 'hi\n{{${first_name}}}' } }), { attributes: {} });
    expect(preview.warnings).toEqual([expect.stringMatching(/first_name.*\(body, line 2, column 3\)/)]);
  });

  it('recorded mode: an unrecorded URL is answered 404 and reported', async () => {
    const preview = await previewWebhook(hook({ body: { type: 'raw', text: '{% connected_content https://api.example/none %}' } }), {
      connectedContent: {},
    });
    expect(preview.connectedContent).toEqual([expect.objectContaining({ url: 'https://api.example/none', status: 404 })]);
    expect(preview.warnings.some((w) => w.includes('HTTP 404'))).toBe(true);
  });

  it('shows the message_extras pairs of every field, rendering nothing in them', async () => {
    const webhook = hook({
      url: 'https://example.com/leads/{{ ${user_id} }}{% message_extras :key source :value url %}',
      headers: { 'X-Plan': '{{ custom_attribute.${plan} }}{% message_extras :key plan :value {{ custom_attribute.${plan} }} %}' },
      body: { type: 'json_pairs', pairs: [{ key: 'id', value: '{% message_extras :key source :value body %}{{ ${user_id} }}' }] },
    });
    const preview = await previewWebhook(webhook, { attributes: { user_id: 'u1', custom_attribute: { plan: 'pro' } } });
    expect(preview).toMatchObject({ url: 'https://example.com/leads/u1', headers: { 'X-Plan': 'pro' }, body: '{"id":"u1"}', errors: [] });
    expect(preview.messageExtras).toEqual({ source: 'url', plan: 'pro' });
    expect(preview.warnings).toEqual(['message_extras (body pair 1 value, line 1, column 1): key "source" is given again; the first value is kept']);
  });

  it('an abort records no message_extras; a saved token in a value is redacted', async () => {
    const aborting = hook({ body: { type: 'raw', text: '{% message_extras :key k :value v %}{% abort_message("no") %}' } });
    expect((await previewWebhook(aborting)).messageExtras).toEqual({});
    const token = hook({ body: { type: 'raw', text: '{% connected_content https://auth.example/t :save r %}{% message_extras :key token :value {{ r.access_token }} %}ok' } });
    const preview = await previewWebhook(token, { connectedContent: { 'https://auth.example/t': '{"access_token":"abcd-1234-secret"}' } });
    expect(preview.messageExtras).toEqual({ token: '[REDACTED]' });
    expect((await previewWebhook(token, { connectedContent: { 'https://auth.example/t': '{"access_token":"abcd-1234-secret"}' }, revealSecrets: true })).messageExtras).toEqual({
      token: 'abcd-1234-secret',
    });
  });

  it('rejects a header value that renders a line break', async () => {
    const preview = await previewWebhook(hook({ headers: { 'X-Multi': '{{ a }}' } }), { attributes: { a: 'one\r\nInjected: yes' } });
    expect(preview.errors).toEqual([{ field: 'header:X-Multi', message: 'rendered value contains a line break', line: 0, column: 0 }]);
  });
});

describe('renderWebhookRequest', () => {
  const engine = createLiquid();

  it('throws WebhookRenderError naming the field and position', async () => {
    const error = await renderWebhookRequest(engine, hook({ headers: { 'X-Bad': '{{ x | }' } }), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookRenderError);
    expect((error as WebhookRenderError).errors[0]).toMatchObject({ field: 'header:X-Bad', line: 1 });
  });

  it('refuses attribute data that would shift rendered fields', async () => {
    const webhook = hook({ headers: { 'X-Name': '{{ name }}' }, body: { type: 'raw', text: 'body' } });
    const error = await renderWebhookRequest(engine, webhook, { name: `x${FIELD_SEPARATOR}evil` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookRenderError);
  });

  it('returns an empty JSON object for a json_pairs body without pairs', async () => {
    const request = await renderWebhookRequest(engine, hook({ body: { type: 'json_pairs', pairs: [] } }), {});
    expect(request.body).toBe('{}');
  });
});
