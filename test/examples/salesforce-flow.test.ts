// `npx tsx examples/salesforce-flow.ts`, as the README suggests: it runs unattended and its
// delivery log names each lead, its status and the abort reason.
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../cli/helpers.js';

describe('examples/salesforce-flow.ts', () => {
  it('prints the PATCH Salesforce received and the delivery log with the abort reason', async () => {
    const { code, stdout, stderr } = await spawnNode(['examples/salesforce-flow.ts'], {}, 60_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/PATCH \/services\/data\/v60\.0\/sobjects\/Lead\/00Q5e000001AAAA -> 204/);
    expect(stdout).toContain('00Q5e000001AAAA: delivered, attempts 1');
    expect(stdout).toContain('00Q5e000001BBBB: aborted (not at threshold), attempts 0');
    expect(stdout).not.toContain('undefined');
  });
});
