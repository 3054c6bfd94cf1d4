// `npx tsx examples/salesforce-flow.ts`, as the README suggests: it runs unattended and its
// delivery log names each lead, its status and the abort reason.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/salesforce-flow.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('examples/salesforce-flow.ts', () => {
  it('prints the PATCH Salesforce received and the delivery log with the abort reason', async () => {
    const { code, stdout, stderr } = await runExample();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/PATCH \/services\/data\/v60\.0\/sobjects\/Lead\/00Q5e000001AAAA -> 204/);
    expect(stdout).toContain('00Q5e000001AAAA: delivered, attempts 1');
    expect(stdout).toContain('00Q5e000001BBBB: aborted (not at threshold), attempts 0');
    expect(stdout).not.toContain('undefined');
  });
});
