import { describe, it, expect } from 'vitest';
import { WebhookSchema, WebhookValidationError, parseWebhook } from '../../src/render/index.js';

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseWebhook(input);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookValidationError);
    return (error as WebhookValidationError).issues.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected a validation error');
}

describe('WebhookSchema', () => {
  it('accepts a minimal webhook and fills defaults', () => {
    const webhook = parseWebhook({ url: 'https://example.com/{{${user_id}}}', method: 'POST' });
    expect(webhook.headers).toEqual({});
    expect(webhook.body).toEqual({ type: 'raw', text: '' });
  });

  it('accepts a json_pairs body in order', () => {
    const webhook = parseWebhook({
      url: 'https://example.com',
      method: 'PUT',
      body: { type: 'json_pairs', pairs: [{ key: 'b', value: '1' }, { key: 'a', value: '{{x}}' }] },
    });
    expect(webhook.body.type === 'json_pairs' && webhook.body.pairs.map((p) => p.key)).toEqual(['b', 'a']);
  });

  it('reports each bad field with its path', () => {
    const issues = issuesOf({
      url: '',
      method: 'FETCH',
      headers: { 'Bad Header': 'x', Accept: 42 },
      body: { type: 'json_pairs', pairs: [{ key: '', value: 'v' }] },
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('url');
    expect(paths).toContain('method');
    expect(paths).toContain('headers.Accept');
    expect(paths.some((p) => p.startsWith('headers') && issues.find((i) => i.path === p)?.message.includes('HTTP token'))).toBe(true);
    expect(paths).toContain('body.pairs.0.key');
  });

  it('rejects an unknown body type and unknown fields', () => {
    const paths = issuesOf({ url: 'u', method: 'GET', body: { type: 'form', text: '' }, retries: 3 }).map((i) => i.path);
    expect(paths).toContain('body.type');
    expect(paths).toContain('');
  });

  it('rejects header names that differ only in case', () => {
    const issues = issuesOf({ url: 'u', method: 'GET', headers: { 'content-type': 'a', 'Content-Type': 'b' } });
    expect(issues).toEqual([{ path: 'headers.Content-Type', message: expect.stringContaining('duplicate header') }]);
  });

  it('exposes a JSON schema for OpenAPI', async () => {
    const { z } = await import('zod');
    const json = z.toJSONSchema(WebhookSchema, { io: 'input' }) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(json.properties)).toEqual(['url', 'method', 'headers', 'body', 'signing_secret_ref']);
    expect(json.required).toEqual(['url', 'method']);
  });
});
