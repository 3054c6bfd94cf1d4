// The /content-blocks API over a real socket: file and stored blocks, validation at save (name,
// size, Liquid, cycles), campaign previews that include them, and deletes refused while in use.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { apiClient, tempDb, type Api } from '../e2e/helpers.js';

const campaign = (body: string) => ({
  name: 'Greeting',
  trigger: { type: 'custom_event', event: 'signup' },
  webhook: { url: 'https://example.com/hook', method: 'POST', body: { type: 'raw', text: body } },
});

describe('content blocks API', () => {
  let service: RunningService;
  let api: Api;
  let signatureFile: string;

  beforeAll(async () => {
    const templates = mkdtempSync(join(tmpdir(), 'lh-blocks-'));
    mkdirSync(join(templates, 'content-blocks'));
    signatureFile = join(templates, 'content-blocks', 'signature.liquid');
    writeFileSync(signatureFile, ' (sent to {{${first_name}}})\n');
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: 'e2e-test-key-0123456789', LIQUIDHOOK_TEMPLATES_DIR: templates }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('lists the file blocks, creates and replaces stored ones', async () => {
    const list = await api.call('GET', '/content-blocks');
    expect(list.json.content_blocks).toEqual([
      { name: 'signature', content: ' (sent to {{${first_name}}})', liquid_tag: '{{content_blocks.${signature}}}', source: 'file', file: signatureFile, created_at: null, updated_at: null },
    ]);
    const created = await api.call('PUT', '/content-blocks/greeting', { description: 'Opening line', content: 'Hi {{${first_name}}}{{content_blocks.${signature}}}' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'greeting', description: 'Opening line', source: 'api', file: null });
    const replaced = await api.call('PUT', '/content-blocks/greeting', { content: 'Hello {{${first_name}}}{{content_blocks.${signature}}}' });
    expect(replaced.status).toBe(200);
    expect((await api.call('GET', '/content-blocks/greeting')).json.content).toBe('Hello {{${first_name}}}{{content_blocks.${signature}}}');
    expect((await api.call('GET', '/content-blocks/nothing')).status).toBe(404);
  });

  it('refuses what Braze refuses, with the field, and the line and column of Liquid that does not parse', async () => {
    const unparsable = await api.call('PUT', '/content-blocks/broken', { content: 'a\n{% if ${first_name} %}open' });
    expect(unparsable.status).toBe(400);
    expect(unparsable.json.errors).toEqual([{ path: 'content', message: '{% if ${first_name} %} is not closed with {% endif %} (line 2, column 1)', line: 2, column: 1 }]);
    const itself = await api.call('PUT', '/content-blocks/loop', { content: 'x {{content_blocks.${loop}}}' });
    expect(itself.json.errors).toEqual([{ path: 'content', message: 'content block "loop" would include itself (loop → loop) (line 1, column 3)', line: 1, column: 3 }]);
    expect((await api.call('PUT', '/content-blocks/outer', { content: '[{{content_blocks.${greeting}}}]' })).status).toBe(201);
    const cycle = await api.call('PUT', '/content-blocks/greeting', { content: '{{content_blocks.${outer}}}' });
    expect(cycle.status).toBe(400);
    expect(cycle.json.errors[0].message).toBe('content block "greeting" would include itself (greeting → outer → greeting) (line 1, column 1)');
    const tooBig = await api.call('PUT', '/content-blocks/big', { content: 'x'.repeat(50 * 1024 + 1) });
    expect(tooBig.json.errors).toEqual([{ path: 'content', message: 'content must be at most 50 KB' }]);
    const badName = await api.call('PUT', '/content-blocks/no%20spaces', { content: 'x' });
    expect(badName.status).toBe(400);
    expect(JSON.stringify(badName.json.errors)).toContain('letters, digits, - or _');
    const file = await api.call('PUT', '/content-blocks/signature', { content: 'x' });
    expect(file.status).toBe(409);
    expect(file.json.message).toContain('edit that file');
    for (const name of ['broken', 'loop', 'big']) expect((await api.call('GET', `/content-blocks/${name}`)).status).toBe(404);
  });

  it('previews a campaign with its blocks; a block in use cannot be deleted', async () => {
    const { json: saved } = await api.call('POST', '/campaigns', campaign('{{content_blocks.${outer}}}!'));
    const preview = await api.call('POST', `/campaigns/${saved.id}/preview`, { attributes: { first_name: 'Ada' } });
    expect(preview.json.errors).toEqual([]);
    // outer → greeting → signature: Braze expands two levels, the third renders nothing.
    expect(preview.json.body).toBe('[Hello Ada]!');
    expect(preview.json.warnings).toEqual(['content block "signature" is nested 3 levels deep and renders nothing (Braze expands 2 levels)']);
    const direct = await api.call('POST', '/campaigns', { ...campaign('{{content_blocks.${greeting}}}'), name: 'Direct' });
    expect((await api.call('POST', `/campaigns/${direct.json.id}/preview`, { attributes: { first_name: 'Ada' } })).json.body).toBe('Hello Ada (sent to Ada)');
    await api.call('DELETE', `/campaigns/${direct.json.id}`);

    const inUse = await api.call('DELETE', '/content-blocks/outer');
    expect(inUse.status).toBe(409);
    expect(inUse.json.message).toBe(`content block "outer" is included by campaign "Greeting" (${saved.id})`);
    expect((await api.call('DELETE', '/content-blocks/greeting')).json.message).toBe('content block "greeting" is included by content block "outer"');
    await api.call('DELETE', `/campaigns/${saved.id}`);
    expect((await api.call('DELETE', '/content-blocks/outer')).status).toBe(204);
    expect((await api.call('DELETE', '/content-blocks/greeting')).status).toBe(204);
    expect((await api.call('GET', '/content-blocks')).json.content_blocks.map((b: { name: string }) => b.name)).toEqual(['signature']);
  });
});
