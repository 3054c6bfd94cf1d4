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
