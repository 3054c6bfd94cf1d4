// Content Blocks kept as files: loaded with the stored ones, checked before anything renders.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentBlockFilesError, ContentBlockRegistry } from '../../src/content-blocks/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup(files: Record<string, string>): Promise<{ registry: ContentBlockRegistry; dir: string; store: Store }> {
  const root = mkdtempSync(join(tmpdir(), 'lh-cb-'));
  mkdirSync(join(root, 'content-blocks'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'content-blocks', name), text);
  const store = openSqliteStore({ path: join(root, 'db.sqlite') });
  await store.migrate();
  stores.push(store);
  return { registry: new ContentBlockRegistry(store), dir: root, store };
}

describe('content block files', () => {
  it('loads <templates>/content-blocks/*.liquid by file name, one final newline dropped, ahead of stored blocks', async () => {
    const { registry, dir, store } = await setup({ 'footer.liquid': 'Bye {{${first_name}}}\n', 'notes.txt': 'not a block' });
    await store.putDefinition('content_block', 'footer', { content: 'stored footer' });
    await store.putDefinition('content_block', 'header', { content: 'stored header' });
    let changes = 0;
    registry.onChange(() => changes++);
    await registry.load(dir);
    expect(registry.list().map((b) => [b.name, b.source, b.content])).toEqual([
      ['footer', 'file', 'Bye {{${first_name}}}'],
      ['header', 'api', 'stored header'],
    ]);
    expect(registry.snapshot()).toEqual({ footer: 'Bye {{${first_name}}}', header: 'stored header' });
    expect(await registry.provider('footer')).toBe('Bye {{${first_name}}}');
    expect(changes).toBeGreaterThan(0);
  });

  it('refuses a file whose name is not a block name', async () => {
    const { registry, dir } = await setup({ 'good.liquid': 'x', 'bad name.liquid': 'x' });
    const error = await registry.load(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentBlockFilesError);
    expect((error as Error).message.split('\n').slice(1)).toEqual([`${join(dir, 'content-blocks', 'bad name.liquid')}:1:1: "bad name" is not a content block name (1 to 100 letters, digits, - or _)`]);
  });

  it('reports each file block that does not parse or loops back to itself', async () => {
    const { registry, dir } = await setup({ 'broken.liquid': 'line one\n  {% if x %}open\n', 'a.liquid': '{{content_blocks.${b}}}', 'b.liquid': 'x\n {{content_blocks.${a}}}' });
    const error = (await registry.load(dir).catch((e: unknown) => e)) as ContentBlockFilesError;
    const at = (file: string) => join(dir, 'content-blocks', file);
    expect(error.message.split('\n').slice(1)).toEqual([
      `${at('a.liquid')}:1:1: content block "a" would include itself (a → b → a)`,
      `${at('b.liquid')}:2:2: content block "b" would include itself (b → a → b)`,
      `${at('broken.liquid')}:2:3: {% if x %} is not closed with {% endif %}`,
    ]);
    expect(registry.list()).toEqual([]);
  });
});
