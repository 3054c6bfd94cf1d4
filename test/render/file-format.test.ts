import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookFileError, parseWebhookFile } from '../../src/render/file-format.js';
import { TemplatesDirError, loadTemplatesDir, loadWebhookFile } from '../../src/render/load.js';

const TEMPLATES = new URL('../../templates/', import.meta.url).pathname;

function fileError(text: string, source = 'x.webhook.liquid'): WebhookFileError {
  try {
    parseWebhookFile(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookFileError);
    return error as WebhookFileError;
  }
  throw new Error('expected a WebhookFileError');
}

describe('parseWebhookFile', () => {
  it('reads front matter and keeps the raw body verbatim', () => {
    const file = parseWebhookFile(
      [
        '---',
        'name: demo',
        'url: https://example.com/u/{{${user_id}}}',
        'method: POST',
        'headers:',
        '  Authorization: |-',
        '    {% connected_content https://example.com/token',
        '     :save t %}',
        '     Bearer {{t.token}}',
        '---',
        '{ "a": 1 }',
        '',
        '  trailing line',
        '',
      ].join('\n'),
    );
    expect(file.name).toBe('demo');
    expect(file.webhook.headers.Authorization).toBe(
      '{% connected_content https://example.com/token\n :save t %}\n Bearer {{t.token}}',
    );
    expect(file.webhook.body).toEqual({ type: 'raw', text: '{ "a": 1 }\n\n  trailing line' });
    expect(file.campaign).toBeUndefined();
  });

  it('validates campaign fields with the campaign schema', () => {
    const file = parseWebhookFile('---\nname: c\nurl: u\nmethod: GET\ntrigger: { type: email_address_added }\nreeligible_after_seconds: 60\n---\n');
    expect(file.campaign).toMatchObject({
      name: 'c',
      enabled: true,
      trigger: { type: 'email_address_added' },
      audience: [],
      reeligible_after_seconds: 60,
      webhook: file.webhook,
    });
  });

  it('reports campaign errors at their line, and campaign keys without a trigger', () => {
    const text = '---\nname: c\nurl: u\nmethod: GET\ntrigger:\n  type: custom_attribute_changed\n  attribute: lead score\n  change: sideways\n---\n';
    expect(fileError(text).issues[0]).toMatchObject({ line: 8, path: 'trigger.change' });
    const orphan = fileError('---\nname: c\nurl: u\nmethod: GET\naudience: []\n---\n');
    expect(orphan.issues[0]).toMatchObject({ line: 5, path: 'audience', message: expect.stringContaining('needs a trigger') });
  });

  it('names the file and line of a schema error', () => {
    const error = fileError('---\nname: n\nurl: https://example.com\nmethod: FETCH\n---\nbody\n');
    expect(error.message).toMatch(/^x\.webhook\.liquid:4:\d+: method: /);
    expect(error.issues[0]).toMatchObject({ line: 4, path: 'method' });
  });

  it('points into nested front matter (a bad header name, a bad json pair)', () => {
    const text = [
      '---', //1
      'name: n', //2
      'url: u', //3
      'method: POST', //4
      'headers:', //5
      '  Good: ok', //6
      '  "Bad Name": nope', //7
      'body:', //8
      '  type: json_pairs', //9
      '  pairs:', //10
      '    - key: a', //11
      '      value: b', //12
      '    - key: ""', //13
      '      value: c', //14
      '---',
    ].join('\n');
    const error = fileError(text);
    const lines = Object.fromEntries(error.issues.map((i) => [i.path, i.line]));
    expect(lines['headers.Bad Name']).toBe(7);
    expect(lines['body.pairs.1.key']).toBe(13);
  });

  it('reports YAML syntax errors with the file line', () => {
    const error = fileError('---\nname: n\nurl: u\nmethod: [POST\n---\n');
    expect(error.issues[0]!.line).toBeGreaterThanOrEqual(4);
    expect(error.message).toMatch(/^x\.webhook\.liquid:\d+:\d+: /);
  });

  it('rejects duplicate keys, unknown keys and a missing name', () => {
    expect(fileError('---\nname: a\nname: b\nurl: u\nmethod: GET\n---\n').issues[0]!.line).toBe(3);
    const unknown = fileError('---\nname: a\nurl: u\nmethod: GET\nmethd: GET\n---\n');
    expect(unknown.message).toMatch(/methd/);
    expect(fileError('---\nurl: u\nmethod: GET\n---\n').issues.map((i) => i.path)).toContain('name');
  });

  it('requires the front matter fences', () => {
    expect(fileError('name: a\n').issues[0]).toMatchObject({ line: 1 });
    expect(fileError('---\nname: a\nurl: u\n').message).toMatch(/not closed/);
  });

  it('refuses body text after a front matter body', () => {
    const error = fileError('---\nname: a\nurl: u\nmethod: POST\nbody: { type: json_pairs, pairs: [] }\n---\n{"x":1}\n');
    expect(error.issues[0]).toMatchObject({ line: 7, path: 'body' });
  });

  it('rejects a placeholder that the template does not use', () => {
    const error = fileError('---\nname: a\nurl: https://[host]/x\nmethod: GET\nplaceholders:\n  - text: "[hots]"\n    env: HOST\n---\n');
    expect(error.issues[0]).toMatchObject({ line: 6, path: 'placeholders.0.text' });
  });
});

describe('loading files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'liquidhook-templates-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the shipped templates', async () => {
    const files = await loadTemplatesDir(TEMPLATES);
    expect(files.map((f) => f.name).sort()).toEqual(['Salesforce > Update lead to MQL', 'Salesforce Sales Cloud > Create Lead']);
  });

  it('lists every broken file with its name and line, and duplicate names', async () => {
    await writeFile(join(dir, 'a.webhook.liquid'), '---\nname: same\nurl: u\nmethod: GET\n---\n');
    await writeFile(join(dir, 'b.webhook.liquid'), '---\n# second\nname: same\nurl: u\nmethod: GET\n---\n');
    await writeFile(join(dir, 'c.webhook.liquid'), '---\nname: c\nurl: u\nmethod: NOPE\n---\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const error = await loadTemplatesDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplatesDirError);
    const messages = (error as TemplatesDirError).errors.map((e) => e.message);
    expect(messages.some((m) => m.startsWith(join(dir, 'c.webhook.liquid') + ':4:'))).toBe(true);
    expect(messages.some((m) => m.startsWith(join(dir, 'b.webhook.liquid') + ':3:') && m.includes('already used'))).toBe(true);
  });

  it('names a missing file', async () => {
    const error = await loadWebhookFile(join(dir, 'missing.webhook.liquid')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/missing\.webhook\.liquid:1:1: cannot read file/);
  });
});

describe('shipped campaigns', () => {
  it('the MQL hand-off carries the guide’s trigger, audience and delivered update', async () => {
    const file = await loadWebhookFile(join(TEMPLATES, 'salesforce-mql-handoff.webhook.liquid'));
    expect(file.campaign).toMatchObject({
      trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
      audience: [{ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }],
      on_delivered_update: { attributes: { lead_status: 'MQL' } },
    });
  });

  it('the create-lead webhook fires when an email address is added', async () => {
    const file = await loadWebhookFile(join(TEMPLATES, 'salesforce-create-lead.webhook.liquid'));
    expect(file.campaign?.trigger).toEqual({ type: 'email_address_added' });
    expect(file.webhook.method).toBe('POST');
    expect(file.webhook.body.type).toBe('json_pairs');
  });
});
