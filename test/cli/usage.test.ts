// Command-line surface: help, version, usage errors (exit 2), every command's --help, backtest.
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const COMMANDS = ['serve', 'render', 'preview', 'send', 'lint', 'backtest', 'sync', 'replay'];

describe('liquidhook usage', () => {
  it('help lists every command and the exit codes', async () => {
    const result = await runCli(['help']);
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(result.stdout).toContain('3  render aborted by abort_message');
    expect(result.stdout).toContain('4  lint found errors');
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('no command, an unknown command and an unknown option exit 2', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: liquidhook <command>');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const option = await runCli(['replay', '--frobnicate']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Run "liquidhook replay --help" for usage.');
  });

  it.each(COMMANDS)('%s --help prints its usage', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: liquidhook ${name}`);
  });

  it('help COMMAND prints the command help', async () => {
    const viaHelp = await runCli(['help', 'lint']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('invalid-json-body');
  });
});

describe('liquidhook backtest', () => {
  const program = 'templates/lead-scoring.scoring.json';
  const history = 'examples/scoring/event-history.ndjson';

  it('reports the distribution and threshold crossings of the example history', async () => {
    const result = await runCli(['backtest', program, history, '--threshold', '100', '--until', '2025-04-01T00:00:00Z']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/threshold\s+> 100: crossed by \d+ users/);
    expect(result.stdout).toContain('histogram');
  });

  it('--json gives the result; a bad --until exits 1; a missing argument exits 2', async () => {
    const json = await runCli(['backtest', program, history, '--json']);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ threshold: 100, users: expect.any(Number), crossedThreshold: expect.any(Number) });
    expect(result.users).toBeGreaterThan(0);
    const badUntil = await runCli(['backtest', program, history, '--until', 'yesterday']);
    expect(badUntil.code).toBe(1);
    expect(badUntil.stderr).toContain('--until: invalid ISO-8601 time');
    expect((await runCli(['backtest', program])).code).toBe(2);
  });
});
