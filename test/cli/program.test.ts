// The program itself as a child process: exit codes reach the shell, output goes to the right
// stream, and the npm bin (dist/cli/main.js) runs. Everything else runs in-process (helpers.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MQL_TEMPLATE, ROOT, spawnCli } from './helpers.js';

const BUILT = 'dist/cli/main.js';

describe('liquidhook as a program', () => {
  it('from source: an abort exits 3 with the reason on stderr and nothing on stdout', async () => {
    const result = await spawnCli(['render', MQL_TEMPLATE, '--attrs', '{"lead score": 40}', '--connected-content', 'stub']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('aborted: not at threshold');
    expect(result.stdout).toBe('');
  });

  it.skipIf(!existsSync(join(ROOT, BUILT)))('the built binary prints its help and exits 0', async () => {
    const result = await spawnCli(['help'], {}, BUILT);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: liquidhook <command>');
  });

  it.skipIf(!existsSync(join(ROOT, BUILT)))('the built binary exits 2 on a usage error and 1 on a missing file', async () => {
    const usage = await spawnCli(['frobnicate'], {}, BUILT);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
    const missing = await spawnCli(['lint', 'no/such.liquid'], {}, BUILT);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no/such.liquid: cannot read file');
  });
});
