import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { createLiquid, RENDER_STATE, renderStateOf, TemplateError, LimitError } from '../../src/index.js';

function thrown(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

async function rejected(promise: Promise<unknown>): Promise<TemplateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('createLiquid', () => {
  it('renders and returns the RenderResult shape', async () => {
    const result = await createLiquid().render('Hello {{ name }}', { name: 'Ada' });
    expect(result).toEqual({ output: 'Hello Ada', connectedContent: [], warnings: [], messageExtras: {} });
  });

  it('exposes the liquidjs instance with the abort tag and counting loops registered', () => {
    const engine = createLiquid();
    expect(engine.liquid.tags['abort_message']).toBeDefined();
    expect(engine.liquid.options.jsTruthy).toBe(false);
    expect(engine.liquid.options.ownPropertyOnly).toBe(true);
  });

  it('uses Ruby truthiness: empty string and 0 are truthy, nil and false are not', async () => {
    const engine = createLiquid();
    const template = '{% if a %}A{% endif %}{% if b %}B{% endif %}{% if c %}C{% endif %}{% if d %}D{% endif %}';
    expect((await engine.render(template, { a: '', b: 0, c: null, d: false })).output).toBe('AB');
  });

  it('does not expose inherited properties (ownPropertyOnly)', async () => {
    class Profile {
      get secret() {
        return 'hidden';
      }
    }
    const result = await createLiquid().render('[{{ p.secret }}][{{ p.constructor }}]', { p: new Profile() });
    expect(result.output).toBe('[][]');
  });

  it('cannot include files from disk', async () => {
    const engine = createLiquid();
    for (const template of ["{% include '/etc/passwd' %}", "{% render 'package.json' %}", "{% layout 'x' %}"]) {
      const error = await rejected(engine.render(template, {}));
      expect(error.message).toContain('not available');
      expect(error.message).not.toContain('/work');
    }
  });

  it('parses each template text once (LRU cache), and evicts the least recently used', async () => {
    const engine = createLiquid({ templateCacheSize: 2 });
    for (let i = 0; i < 5; i++) await engine.render('{{ ${first_name} }}', { first_name: `u${i}` });
    expect(engine.parseCount).toBe(1);
    expect(engine.parse('{{ ${first_name} }}')).toBe(engine.parse('{{ ${first_name} }}'));
    engine.parse('a');
    engine.parse('b'); // evicts '{{ ${first_name} }}'
    engine.parse('a');
    expect(engine.parseCount).toBe(3);
    engine.parse('{{ ${first_name} }}');
    expect(engine.parseCount).toBe(4);
  });

  it('does not mutate the caller context and keeps render state per render', async () => {
    const context = { custom_attribute: { score: 1 }, name: 'x' };
    const snapshot = structuredClone(context);
    const engine = createLiquid();
    const states: unknown[] = [];
    engine.liquid.registerFilter('grab_state', function (this: { context: { environments: object } }, v: unknown) {
      states.push(renderStateOf(this.context));
      return v;
    });
    await engine.render('{% assign name = "y" %}{% capture c %}z{% endcapture %}{{ 1 | grab_state }}', context);
    await engine.render('{{ 1 | grab_state }}', context);
    expect(context).toEqual(snapshot);
    expect(Object.getOwnPropertySymbols(context)).not.toContain(RENDER_STATE);
    expect(states).toHaveLength(2);
    expect(states[0]).toMatchObject({ calls: [], warnings: [], loopIterations: 0 });
    expect(states[0]).not.toBe(states[1]);
  });

  it('copies warnings that tags and filters add to the render state', async () => {
    const engine = createLiquid();
    engine.liquid.registerFilter('warn', function (this: { context: { environments: object } }, v: unknown) {
      renderStateOf(this.context)?.warnings.push('careful');
      return v;
    });
    expect((await engine.render('{{ 1 | warn }}', {})).warnings).toEqual(['careful']);
  });

  it('reports unknown filters as warnings and passes the input through (Ruby lax mode)', async () => {
    const result = await createLiquid().render('{{ "a" | no_such_filter }}', {});
    expect(result.output).toBe('a');
    expect(result.warnings).toEqual(['unknown filter "no_such_filter" passes its input through unchanged']);
  });
});

describe('TemplateError positions in the original text', () => {
  const engine = createLiquid();

  it('parse error on line 3 after a ${} rewrite on an earlier line', () => {
    const template = 'Hi {{${first_name}}} and {{custom_attribute.${lead score}}}\nline two\n  {% if x %}never closed';
    const error = thrown(() => engine.parse(template));
    expect(error.kind).toBe('parse');
    expect(error.line).toBe(3);
    expect(error.column).toBe(3);
    expect(error.message).toContain('line 3, column 3');
  });

  it('error on the same line after a rewrite maps the column back', () => {
    const template = 'a\nb\n{{custom_attribute.${lead score}}} {{${first_name}}} {% bogus_tag %}';
    const error = thrown(() => engine.parse(template));
    expect(error.message).toContain('bogus_tag');
    expect(error.line).toBe(3);
    expect(error.column).toBe(template.split('\n')[2]!.indexOf('{% bogus_tag') + 1);
  });

  it('nested braces on the same line keep columns', () => {
    const template = 'x\n{% if {{custom_attribute.${one}}} == 1 %}{% nope %}{% endif %}';
    const error = thrown(() => engine.parse(template));
    expect(error.line).toBe(2);
    expect(error.column).toBe(template.split('\n')[1]!.indexOf('{% nope') + 1);
  });

  it('unclosed output reports where it starts', () => {
    const error = thrown(() => engine.parse('{{${first_name}}}\n\n  {{ oops'));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/not closed/);
  });

  it('render errors carry the original position too', async () => {
    const engine2 = createLiquid();
    engine2.liquid.registerFilter('explode', () => {
      throw new Error('boom');
    });
    const error = await rejected(engine2.render('{{${first_name}}}\n{{custom_attribute.${a b}}}\n   {{ 1 | explode }}', {}));
    expect(error.kind).toBe('render');
    expect(error.reason).toBe('boom');
    expect([error.line, error.column]).toEqual([3, 4]);
  });

  it('render errors keep what the render did before failing', async () => {
    const engine2 = createLiquid();
    engine2.liquid.registerFilter('note', function (this: { context: { environments: object } }, v: unknown) {
      renderStateOf(this.context)?.warnings.push('noted');
      return v;
    });
    engine2.liquid.registerFilter('explode', () => {
      throw new Error('boom');
    });
    const error = await rejected(engine2.render('{{ 1 | note }}{{ ${missing} }}{{ 2 | explode }}', {}));
    expect(error.partial?.warnings).toEqual([expect.stringContaining('${missing}'), 'noted']);
    expect(error.partial?.connectedContent).toEqual([]);
  });

  it('limit errors are TemplateErrors with the loop position', async () => {
    const small = createLiquid({ limits: { loopIterations: 3 } });
    const error = await rejected(small.render('{{${first_name}}}\n\n {% for i in (1..10) %}{% endfor %}', {}));
    expect(error).toBeInstanceOf(LimitError);
    expect([error.line, error.column]).toEqual([3, 2]);
  });
});

describe('Salesforce MQL webhook body (lead-scoring guide, verbatim)', () => {
  // The shipped template keeps the guide's request body byte for byte after its front matter.
  const file = readFileSync(path.resolve(__dirname, '../../templates/salesforce-mql-handoff.webhook.liquid'), 'utf8');
  const body = /^---\n[\s\S]*?\n---\n([\s\S]*)$/.exec(file)?.[1];

  it('the template contains the body block', () => {
    expect(body).toContain('abort_message');
  });

  it('score 150 produces the MQL JSON', async () => {
    const result = await createLiquid().render(body!, { user_id: 'u1', custom_attribute: { 'lead score': 150 } });
    expect(result.aborted).toBeUndefined();
    expect(result.output).toContain('"lead_status": "MQL"');
    expect(JSON.parse(result.output)).toEqual({ lead_status: 'MQL' });
  });

  it('score 50 aborts with "not at threshold" and sends nothing', async () => {
    const result = await createLiquid().render(body!, { user_id: 'u1', custom_attribute: { 'lead score': 50 } });
    expect(result.aborted).toEqual({ reason: 'not at threshold' });
    expect(result.output).toBe('');
  });

  it('a user without the attribute is not an MQL', async () => {
    const result = await createLiquid().render(body!, { user_id: 'u1' });
    expect(result.aborted).toEqual({ reason: 'not at threshold' });
    expect(result.warnings.join()).toContain('custom_attribute.${lead score}');
  });
});
