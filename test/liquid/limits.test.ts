import { describe, it, expect } from 'vitest';
import { createLiquid, LimitError, TemplateError, resolveLimits, DEFAULT_LIMITS } from '../../src/index.js';

async function renderError(promise: Promise<unknown>): Promise<LimitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitError);
  return error as LimitError;
}

describe('limits', () => {
  it('has finite defaults and validates overrides', () => {
    for (const value of Object.values(DEFAULT_LIMITS)) expect(Number.isFinite(value)).toBe(true);
    expect(resolveLimits({ loopIterations: 10 }).loopIterations).toBe(10);
    expect(() => resolveLimits({ outputBytes: -1 })).toThrow(RangeError);
  });

  it('template size is checked before parsing', () => {
    const engine = createLiquid({ limits: { templateBytes: 100 } });
    let error: unknown;
    try {
      engine.parse('x'.repeat(101));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).limit).toBe('templateBytes');
    expect(engine.parseCount).toBe(0);
    // multi-byte characters count as bytes
    expect(() => engine.parse('é'.repeat(51))).toThrow(LimitError);
  });

  it('a huge range stops at once (memory limit), not after building it', async () => {
    const error = await renderError(createLiquid().render('{% for i in (1..100000000) %}{{ i }}{% endfor %}', {}));
    expect(error.limit).toBe('memoryUnits');
    expect(error).toBeInstanceOf(TemplateError);
  });

  it('loop iterations are counted across nested loops and tablerow', async () => {
    const engine = createLiquid({ limits: { loopIterations: 50 } });
    const nested = await renderError(engine.render('{% for i in (1..10) %}{% for j in (1..10) %}.{% endfor %}{% endfor %}', {}));
    expect(nested.limit).toBe('loopIterations');
    expect(nested.line).toBe(1);
    const table = await renderError(engine.render('{% tablerow i in (1..60) %}{{ i }}{% endtablerow %}', {}));
    expect(table.limit).toBe('loopIterations');
    // 5 outer + 25 inner iterations
    const ok = await engine.render('{% for i in (1..5) %}{% for j in (1..5) %}.{% endfor %}{% endfor %}', {});
    expect(ok.output).toHaveLength(25);
  });

  it('counted loops keep their forloop helpers (the forloop drop is a value, not an iterator)', async () => {
    const engine = createLiquid({ limits: { loopIterations: 50 } });
    const template = '{% for i in (1..3) %}{{ forloop.index }}{{ forloop.last }},{% endfor %}{% liquid\nfor j in (1..2)\necho forloop.rindex\nendfor\n%}';
    expect((await engine.render(template, {})).output).toBe('1false,2false,3true,21');
  });

  it('iteration counters stay invisible to static analysis', async () => {
    const engine = createLiquid();
    const parsed = engine.parse('{% for i in arr %}{{ i.x }}{% endfor %}{% tablerow t in arr %}{{ t.y }}{% endtablerow %}');
    const analysis = await engine.liquid.analyze(parsed.templates);
    expect(Object.keys(analysis.globals)).toEqual(['arr']);
    expect(Object.keys(analysis.variables).sort()).toEqual(['arr', 'i', 't']);
  });

  it('the default loop limit stops a million-iteration loop', async () => {
    const error = await renderError(createLiquid().render('{% for i in (1..1000000) %}{% endfor %}', {}));
    expect(error.limit).toBe('loopIterations');
  });

  it('output size is checked after rendering', async () => {
    const engine = createLiquid({ limits: { outputBytes: 1000 } });
    const error = await renderError(engine.render('{% for i in (1..200) %}0123456789{% endfor %}', {}));
    expect(error.limit).toBe('outputBytes');
    expect((await engine.render('{% for i in (1..99) %}0123456789{% endfor %}', {})).output).toHaveLength(990);
  });

  it('memory limit catches string blow-ups inside the render', async () => {
    const engine = createLiquid({ limits: { memoryUnits: 10_000 } });
    const template = '{% assign s = "xxxxxxxxxx" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}';
    const error = await renderError(engine.render(template, {}));
    expect(['memoryUnits', 'outputBytes']).toContain(error.limit);
  });

  it('render time is limited', async () => {
    const engine = createLiquid({ limits: { renderTimeMs: 50, loopIterations: 100_000_000, memoryUnits: 1e9 } });
    const template = '{% for i in (1..3000000) %}{% assign x = i | plus: 1 %}{% endfor %}';
    const error = await renderError(engine.render(template, {}));
    expect(error.limit).toBe('renderTimeMs');
  });
});

function parseError(engine: ReturnType<typeof createLiquid>, template: string): LimitError {
  let error: unknown;
  try {
    engine.parse(template);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LimitError);
  return error as LimitError;
}

const nestedIfs = (n: number, inner = 'x') => '{% if true %}'.repeat(n) + inner + '{% endif %}'.repeat(n);

describe('nesting depth', () => {
  it('1,500 nested ifs stop before liquidjs parses, at the 101st opener as written', () => {
    const engine = createLiquid();
    // `${...}` and nested braces are rewritten first; the position still refers to the original text.
    const lines = ['Hi {{${first_name}}}, {% assign s = {{score}} %}'];
    for (let i = 0; i < 1500; i++) lines.push(`  {% if true %}`);
    lines.push('x', ...Array<string>(1500).fill('{% endif %}'));
    const error = parseError(engine, lines.join('\n'));
    expect(error.limit).toBe('nestingDepth');
    expect(error.reason).toBe('nesting deeper than 100 blocks');
    expect(error.message).not.toMatch(/call stack/i);
    expect([error.line, error.column]).toEqual([102, 3]);
    expect(engine.parseCount).toBe(0);
  });

  it('100 nested levels of every block kind still render', async () => {
    const engine = createLiquid();
    expect((await engine.render(nestedIfs(100), {})).output).toBe('x');
    const mixed =
      '{% for i in (1..1) %}{% unless false %}{% case 1 %}{% when 1 %}{% capture c %}'.repeat(20) +
      'y' +
      '{% endcapture %}{{ c }}{% endcase %}{% endunless %}{% endfor %}'.repeat(20);
    expect((await engine.render(mixed, {})).output).toBe('y');
    // Sequential blocks close again: depth, not count, is limited.
    expect((await engine.render('{% if true %}.{% endif %}'.repeat(500), {})).output).toHaveLength(500);
  });

  it('is configurable and validated', async () => {
    const small = createLiquid({ limits: { nestingDepth: 5 } });
    expect((await small.render(nestedIfs(5), {})).output).toBe('x');
    const error = parseError(small, nestedIfs(6));
    expect([error.reason, error.line, error.column]).toEqual(['nesting deeper than 5 blocks', 1, 66]);
    const large = createLiquid({ limits: { nestingDepth: 300 } });
    expect((await large.render(nestedIfs(250), {})).output).toBe('x');
    expect(DEFAULT_LIMITS.nestingDepth).toBe(100);
    expect(() => resolveLimits({ nestingDepth: 0 })).toThrow(RangeError);
  });

  it('does not count raw or comment contents, inline comments or quoted text', async () => {
    const engine = createLiquid({ limits: { nestingDepth: 3 } });
    const deep = nestedIfs(50);
    expect((await engine.render(`{% if true %}{% raw %}${deep}{% endraw %}{% endif %}`, {})).output).toBe(deep);
    expect((await engine.render(`{% if true %}{% comment %}${deep}{% endcomment %}ok{% endif %}`, {})).output).toBe('ok');
    expect((await engine.render(`{{ "${'{% if true %}'.repeat(10)}[[[[" }}{% # a[b[c[d[e] %}`, {})).output).toBe(
      `${'{% if true %}'.repeat(10)}[[[[`,
    );
    // raw and comment are blocks themselves.
    expect(parseError(engine, `{% if true %}{% if true %}{% if true %}{% raw %}x{% endraw %}{% endif %}{% endif %}{% endif %}`).limit).toBe(
      'nestingDepth',
    );
  });

  it('counts blocks inside {% liquid %} (one level for the tag itself)', async () => {
    const engine = createLiquid({ limits: { nestingDepth: 4 } });
    const ok = '{% liquid\n  if true\n    if true\n      if true\n        echo "x"\n      endif\n    endif\n  endif\n%}';
    expect((await engine.render(ok, {})).output).toBe('x');
    const error = parseError(engine, ok.replace('echo "x"', 'if true\n echo "x"\nendif'));
    expect([error.limit, error.line, error.column]).toEqual(['nestingDepth', 5, 9]);
  });

  it('limits brackets and nested braces inside one expression', () => {
    const engine = createLiquid();
    const brackets = parseError(engine, `{{ a${'[a'.repeat(150)}${']'.repeat(150)} }}`);
    expect(brackets.reason).toBe('expression nesting deeper than 100 levels');
    expect([brackets.line, brackets.column]).toEqual([1, 4 + 2 * 100 + 1]);
    const braces = parseError(engine, `{% if ${'{{ '.repeat(150)}a${' }}'.repeat(150)} %}{% endif %}`);
    expect(braces.reason).toBe('expression nesting deeper than 100 levels');
    expect([braces.line, braces.column]).toEqual([1, 7 + 3 * 100]);
  });

  it('a call stack that still runs out gives a clear limit error, at parse and at render', async () => {
    const unbounded = createLiquid({ limits: { nestingDepth: 1e9, templateBytes: 1e6 } });
    const parse = parseError(unbounded, nestedIfs(5000));
    expect(parse.limit).toBe('nestingDepth');
    expect(parse.reason).toBe('template nests too deeply to parse (call stack exhausted)');
    expect(parse.message).not.toMatch(/Maximum call stack/);

    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const render = await renderError(createLiquid().render('{{ deep | json }}', { deep }));
    expect(render.limit).toBe('nestingDepth');
    expect(render.reason).toBe('render exhausted the call stack (deeply nested data or expressions)');
  });
});

describe('strings a template builds count against the memory budget', () => {
  it('capture doubling in a loop stops at the limit, at the output inside the capture', async () => {
    // 28 doublings would build a 268-million-character string.
    const template = '{% assign s = "x" %}\n{% for i in (1..28) %}\n  {% capture s %}{{ s }}{{ s }}{% endcapture %}\n{% endfor %}{{ s | size }}';
    const error = await renderError(createLiquid().render(template, {}));
    expect(error.limit).toBe('memoryUnits');
    expect(error.reason).toBe(`render allocated more than ${DEFAULT_LIMITS.memoryUnits} memory units (strings built, output, arrays, ranges)`);
    expect([error.line, error.column]).toEqual([3, 18]);
  });

  it('append and a growing filter in an assign loop stop at the limit', async () => {
    const engine = createLiquid({ limits: { memoryUnits: 100_000 } });
    const append = await renderError(engine.render('{% assign s = "0123456789" %}{% for i in (1..5000) %}{% assign s = s | append: "0123456789" %}{% endfor %}', {}));
    expect([append.limit, append.line, append.column]).toEqual(['memoryUnits', 1, 54]);
    // base64 grows by a third each time and liquidjs does not charge it: 100 rounds would be 10^12 characters.
    const grow = await renderError(createLiquid().render('{% assign s = "x" %}{% for i in (1..100) %}{% assign s = s | base64_encode %}{% endfor %}', {}));
    expect([grow.limit, grow.line, grow.column]).toEqual(['memoryUnits', 1, 44]);
  });

  it('repeated output is charged as it is written, not only measured at the end', async () => {
    const template = '{% assign s = "0123456789" %}{% for i in (1..7) %}{% assign s = s | append: s %}{% endfor %}{% for i in (1..90000) %}{{ s }}{% endfor %}';
    const error = await renderError(createLiquid().render(template, {}));
    expect(error.limit).toBe('memoryUnits');
    expect([error.line, error.column]).toEqual([1, 118]);
  });

  it('an ordinary webhook stays far below the budget', async () => {
    const engine = createLiquid({ limits: { memoryUnits: 5_000 } });
    const template = '{% capture name %}{{ first | capitalize }} {{ last | upcase }}{% endcapture %}{"name": {{ name | json }}, "tags": "{{ tags | join: ", " }}"}';
    const { output } = await engine.render(template, { first: 'ada', last: 'lovelace', tags: ['a', 'b'] });
    expect(output).toBe('{"name": "Ada LOVELACE", "tags": "a, b"}');
  });
});
