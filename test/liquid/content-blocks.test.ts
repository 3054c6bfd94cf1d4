// Content Blocks in the library: `{{content_blocks.${name}}}` with blocks from the createLiquid
// option, Braze's two-level nesting, cycles as errors, and errors placed in the block.
import { describe, expect, it } from 'vitest';
import { contentBlockReferences, createLiquid, LimitError, TemplateError } from '../../src/liquid/index.js';

const user = { first_name: 'Ada', custom_attribute: { plan: 'pro' } };

async function renderWith(blocks: Record<string, string>, template: string) {
  return createLiquid({ contentBlocks: blocks }).render(template, user);
}

async function renderError(blocks: Record<string, string>, template: string): Promise<TemplateError> {
  const error = await renderWith(blocks, template).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('content blocks', () => {
  it('includes a block rendered in the message scope: it reads the message variables and its assigns are visible after', async () => {
    const result = await renderWith(
      { greeting: 'Hi {{${first_name}}} ({{ tier }}){% assign seen = "yes" %}' },
      '{% assign tier = custom_attribute.${plan} %}{{content_blocks.${greeting}}}, seen={{ seen }}',
    );
    expect(result.output).toBe('Hi Ada (pro), seen=yes');
    expect(result.warnings).toEqual([]);
  });

  it('keeps whitespace control on the reference and takes blocks from an async provider', async () => {
    const engine = createLiquid({ contentBlocks: async (name) => (name === 'footer' ? '[footer]' : undefined) });
    expect((await engine.render('a  {{- content_blocks.${footer} -}}  b', {})).output).toBe('a[footer]b');
    expect(engine.contentBlocks).toBeTypeOf('function');
  });

  it('expands two levels as Braze does; a third renders nothing, with a warning', async () => {
    const blocks = { outer: 'O[{{content_blocks.${middle}}}]', middle: 'M[{{content_blocks.${inner}}}]', inner: 'I' };
    const result = await renderWith(blocks, '{{content_blocks.${outer}}}');
    expect(result.output).toBe('O[M[]]');
    expect(result.warnings).toEqual(['content block "inner" is nested 3 levels deep and renders nothing (Braze expands 2 levels)']);
    expect((await renderWith(blocks, '{{content_blocks.${middle}}}')).output).toBe('M[I]');
  });

  it('a block that includes itself is an error, not a hang', async () => {
    const direct = await renderError({ loop: 'x{{content_blocks.${loop}}}' }, 'start\n{{content_blocks.${loop}}}');
    expect(direct.message).toBe('content block "loop", line 1, column 2: content block "loop" includes itself (loop → loop) (line 2, column 1)');
    const indirect = await renderError({ a: '{{content_blocks.${b}}}', b: '{{content_blocks.${a}}}' }, '{{content_blocks.${a}}}');
    expect(indirect.reason).toContain('content block "a" includes itself (a → b → a)');
  });

  it('a missing block is a render error at the reference', async () => {
    const error = await renderError({}, 'Hello\n  {{content_blocks.${footer}}}');
    expect(error.message).toBe('content block "footer" does not exist (line 2, column 3)');
    expect(error.kind).toBe('render');
  });

  it('places errors inside a block at the block line and column, and the reference in the message', async () => {
    const parse = await renderError({ broken: 'ok\n{% if x %}never closed' }, 'a {{content_blocks.${broken}}}');
    expect(parse.message).toBe('content block "broken", line 2, column 1: {% if x %} is not closed with {% endif %} (line 1, column 3)');
    const render = await renderError({ math: '{{ 1 | divided_by: 0 }}' }, '{{content_blocks.${math}}}');
    expect(render.reason).toMatch(/^content block "math", line 1, column 1: .*divided by 0/);
  });

  it('abort_message and limits inside a block act on the whole message', async () => {
    const aborted = await renderWith({ gate: '{% abort_message("no plan") %}' }, 'x{{content_blocks.${gate}}}');
    expect(aborted.aborted).toEqual({ reason: 'no plan' });
    const engine = createLiquid({ contentBlocks: { loop: '{% for i in (1..100) %}{% endfor %}' }, limits: { loopIterations: 50 } });
    await expect(engine.render('{{content_blocks.${loop}}}', {})).rejects.toBeInstanceOf(LimitError);
  });

  it('warns about attributes a block reads that the context lacks, naming the block', async () => {
    const result = await renderWith({ b: '{{custom_attribute.${missing}}}' }, '{{content_blocks.${b}}}');
    expect(result.warnings).toEqual([expect.stringMatching(/^content block "b": unknown attribute custom_attribute\.\$\{missing\} \(line 1, column 3\)/)]);
  });

  it('a filtered reference is a parse error that says how to filter a block', () => {
    expect(() => createLiquid().parse('{{content_blocks.${footer} | strip}}')).toThrow(
      'a content block is included as {{content_blocks.${name}}}, without filters (capture it to filter it) (line 1, column 1)',
    );
  });

  it('lists the references of a template with their offsets (raw and comments skipped)', () => {
    const refs = contentBlockReferences('{{content_blocks.${a}}}{% raw %}{{content_blocks.${no}}}{% endraw %}\n {{- content_blocks.${ b } -}}');
    expect(refs.map((r) => [r.name, r.offset])).toEqual([
      ['a', 0],
      ['b', 70],
    ]);
  });
});
