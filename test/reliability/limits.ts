// Template resource limits: runaway loops, huge outputs and deep nesting end with a LimitError
// (or a parse error) naming the limit, within the configured limit plus the engine's grace.
import { expect, it } from 'vitest';
import { LimitError, TemplateError, createLiquid } from '../../src/liquid/index.js';
import { recordScenario } from './summary.js';

const LIMITS = { renderTimeMs: 300, outputBytes: 64 * 1024, loopIterations: 10_000 };
/** The engine's own contract: a stuck render ends by the limit plus min(1 s, limit). */
const GRACE_MS = Math.min(1000, LIMITS.renderTimeMs);

/** Whichever budget a runaway template exhausts first. */
const RUNAWAY = ['loopIterations', 'renderTimeMs', 'memoryUnits', 'outputBytes'] as const;

const CASES: { name: string; template: string; limits: readonly string[] }[] = [
  { name: 'nested billion-step loops', template: '{% for i in (1..1000000000) %}{% for j in (1..1000000000) %}x{% endfor %}{% endfor %}', limits: RUNAWAY },
  { name: 'huge output', template: "{% for i in (1..9000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", limits: RUNAWAY },
  { name: 'string doubling', template: "{% assign s = 'ab' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", limits: RUNAWAY },
  // 28 doublings would be 268 million characters: every string a template builds is charged.
  { name: 'capture doubling', template: "{% assign s = 'x' %}{% for i in (1..28) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}", limits: ['memoryUnits'] },
  { name: 'while-like tablerow', template: '{% tablerow i in (1..100000000) %}{{ i }}{% endtablerow %}', limits: RUNAWAY },
];

export function limitsScenario(): void {
  const engine = createLiquid({ limits: LIMITS });
  const timings: string[] = [];

  for (const c of CASES) {
    it(`stops ${c.name} with a limit error`, async () => {
      const t0 = performance.now();
      const error = await engine.render(c.template, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      timings.push(`${c.name} ${Math.round(ms)} ms`);
      expect(error).toBeInstanceOf(LimitError);
      expect(c.limits).toContain((error as LimitError).limit);
      expect((error as LimitError).message).toMatch(/more than|over the|longer than|limit/i);
      expect(ms).toBeLessThan(LIMITS.renderTimeMs + GRACE_MS);
    });
  }

  it('refuses 1,500 nested tags with a positioned template error, the process unharmed', async () => {
    const depth = 1500; // stays under the template size limit, so nesting itself is what is tested
    const template = '{% if true %}'.repeat(depth) + 'x' + '{% endif %}'.repeat(depth);
    const error = await engine.render(template, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).not.toBeInstanceOf(RangeError);
    recordScenario({
      scenario: 'template limits',
      sent: CASES.length + 1,
      delivered: 0,
      dead: CASES.length + 1,
      lost: 0,
      duplicates: 0,
      note: `all stopped (${timings.join(', ')}; nesting ${depth}: ${(error as TemplateError).kind} "${(error as Error).message.slice(0, 80)}")`,
    });
  });
}
