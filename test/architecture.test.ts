// The architecture rules of .dependency-cruiser.cjs hold for src/, and each rule catches what it
// forbids (on a small tree written to a temporary folder), so a rule that matches nothing fails here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function violations(baseDir: string): Promise<string[]> {
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'))), baseDir };
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(['src'], options, {}, { tsConfig });
  return (output as ICruiseResult).summary.violations.map(describeViolation);
}

/** `rule: from → to`, or the whole loop for a cycle. */
function describeViolation(v: IViolation): string {
  const path = v.cycle?.length ? [v.from, ...v.cycle.map((step) => step.name)] : [v.from, v.to];
  return `${v.rule.name}: ${path.join(' → ')}`;
}

describe('architecture rules', () => {
  it('src/ breaks none of them', async () => {
    expect(await violations(ROOT)).toEqual([]);
  });

  describe('on a tree that breaks each rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liquidhook-architecture-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };

    it('reports every breach', async () => {
      // entry-only: deliveries reaches into render's insides.
      write('src/render/index.ts', "export { render } from './render.js';\n");
      write('src/render/render.ts', "export const render = (text: string) => text;\n");
      write('src/deliveries/index.ts', "import { render } from '../render/render.js';\nexport const send = () => render('');\n");
      // no-folder-cycles: triggers and scoring import each other through their entries.
      write('src/triggers/index.ts', "import { score } from '../scoring/index.js';\nexport const plan = () => score;\n");
      write('src/scoring/index.ts', "import { plan } from '../triggers/index.js';\nexport const score = () => plan;\n");
      // sub-folder-entry: render reaches into its pool's insides.
      write('src/render/pool/index.ts', "export { pool } from './pool.js';\n");
      write('src/render/pool/pool.ts', "export const pool = 1;\n");
      write('src/render/preview.ts', "import { pool } from './pool/pool.js';\nexport const preview = pool;\n");
      // liquid-is-a-library and storage-below-server.
      write('src/liquid/index.ts', "import { send } from '../deliveries/index.js';\nexport const engine = send;\n");
      write('src/server/index.ts', 'export const app = 1;\n');
      write('src/store/index.ts', "import { app } from '../server/index.js';\nexport const store = app;\n");

      const found = await violations(dir);
      expect(found).toContain('entry-only: src/deliveries/index.ts → src/render/render.ts');
      expect(found.filter((v) => v.startsWith('no-folder-cycles: src/triggers → src/scoring → src/triggers'))).toHaveLength(1);
      expect(found).toContain('sub-folder-entry: src/render/preview.ts → src/render/pool/pool.ts');
      expect(found).toContain('liquid-is-a-library: src/liquid/index.ts → src/deliveries/index.ts');
      expect(found).toContain('storage-below-server: src/store/index.ts → src/server/index.ts');
    });
  });
});
