// Guards Liquid conformance: the product engine must keep at least the committed number of
// liquid-spec passes and must pass every case stock liquidjs passes. The suite lives outside the
// repository: LIQUID_SPEC_DIR names it (CI sets it, and then it must exist); unset, the suite
// beside the project is used when present and this file is skipped otherwise.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpecDir, runCases, specDirExists, type SpecReport } from './liquid-spec.js';
import { productEngine, stockEngine } from './engines.js';

const here = dirname(fileURLToPath(import.meta.url));
const specRoot = resolve(here, '../..', process.env.LIQUID_SPEC_DIR ?? '../shared/liquid-spec');
const floor = JSON.parse(readFileSync(join(here, 'floor.json'), 'utf8')) as Record<string, { passed: number; runnable: number }>;
const required = process.env.LIQUID_SPEC_DIR !== undefined;
const available = specDirExists(specRoot);
if (!available && !required) console.warn(`liquid-spec conformance skipped: no suite at ${specRoot} (set LIQUID_SPEC_DIR to run it)`);

describe.runIf(required && !available)('liquid-spec conformance', () => {
  it('finds the suite LIQUID_SPEC_DIR names', () => {
    expect.fail(`LIQUID_SPEC_DIR=${process.env.LIQUID_SPEC_DIR} does not name a liquid-spec folder (${specRoot})`);
  });
});

function passedIds(report: SpecReport): Set<string> {
  return new Set(report.results.filter((r) => r.outcome.status === 'passed').map((r) => r.id));
}

describe.skipIf(!available)('liquid-spec conformance', () => {
  for (const dir of Object.keys(floor)) {
    it(`${dir}: product keeps its floor and every stock-passing case`, { timeout: 180_000 }, async () => {
      const cases = loadSpecDir(join(specRoot, dir));
      const product = await runCases(cases, await productEngine());
      const stock = await runCases(cases, stockEngine);
      const mine = passedIds(product);
      const lost = [...passedIds(stock)].filter((id) => !mine.has(id));
      expect(lost).toEqual([]);
      expect(product.passed + product.failed).toBe(floor[dir]!.runnable);
      expect(product.passed).toBeGreaterThanOrEqual(floor[dir]!.passed);
    });
  }
});
