// Section 8: regex audiences. A backtracking RegExp against a value built for it doubles its time
// per character; the linear-time engine the filters use (re2js) grows with the value's length.
// Baselines in the same run: V8's RegExp on the same inputs (hostile ones kept short enough to
// end) and on an ordinary pattern, so the price of linear time on everyday filters shows too.
// Standalone: `npx tsx bench/regex.ts`.
import { compiled } from './lib/compiled.js';
import { median } from './lib/stats.js';

const { compileFilterRegex } = await compiled<typeof import('../src/triggers/regex.js')>('triggers/regex.js');

const HOSTILE = '^(a+)+$';
const hostileValue = (n: number): string => `${'a'.repeat(n)}!`;

function timeMs(work: () => unknown, rounds = 5): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Matches per second of `test` over `values`, after a warm-up. */
function rate(test: (value: string) => boolean, values: string[], ms = 300): number {
  for (const v of values) test(v);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) for (const v of values) (test(v), n++);
  return n / ((performance.now() - t0) / 1000);
}

export interface RegexFigures {
  /** V8 RegExp on `^(a+)+$` against n a's and "!": n -> ms. */
  native: Record<number, number>;
  /** The filters' engine on the same pattern: n -> ms. */
  linear: Record<number, number>;
  /** Matches/s on an everyday pattern (`@example\.com$` over e-mail addresses). */
  everyday: { linear: number; native: number };
}

export function measureRegex(): RegexFigures {
  const engine = compileFilterRegex(HOSTILE);
  if (!engine.ok) throw new Error(engine.reason);
  const native: Record<number, number> = {};
  // Each further character doubles the time: stop at a few hundred milliseconds.
  for (const n of [16, 18, 20, 22, 24]) native[n] = timeMs(() => new RegExp(HOSTILE).test(hostileValue(n)), n >= 22 ? 1 : 3);
  const linear: Record<number, number> = {};
  for (const n of [24, 10_000, 100_000, 1_000_000]) linear[n] = timeMs(() => engine.regex.test(hostileValue(n)));
  const emails = Array.from({ length: 100 }, (_, i) => `lead${i}@${i % 3 ? 'example.com' : 'acme.io'}`);
  const everydayLinear = compileFilterRegex('@example\\.com$');
  if (!everydayLinear.ok) throw new Error(everydayLinear.reason);
  const everydayNative = /@example\.com$/;
  return {
    native,
    linear,
    everyday: { linear: rate((v) => everydayLinear.regex.test(v), emails), native: rate((v) => everydayNative.test(v), emails) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(measureRegex(), null, 2));
