import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { backtest, formatHistoryLine, NdjsonError, parseNdjsonEvents, readNdjsonEvents, runBacktestCli, loadScoringProgram } from '../../src/scoring/index.js';

const dir = mkdtempSync(join(tmpdir(), 'scoring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = [
  '{"external_id":"u1","time":"2025-01-01T00:00:00Z","attributes":{"email":"a@b.example"}}',
  '',
  '{"external_id":"u1","name":"email_opened","time":"2025-01-02T00:00:00Z","properties":{"campaign":"jan"}}',
  '{"external_id":"u1","name":"demo_requested","time":"2025-01-03T00:00:00+01:00"}',
].join('\n');

function errorOf(fn: () => unknown): NdjsonError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NdjsonError);
    return e as NdjsonError;
  }
  throw new Error('expected an NdjsonError');
}

describe('NDJSON histories', () => {
  it('parses events and attribute records, skipping blank lines and normalizing times', () => {
    const recs = parseNdjsonEvents(good);
    expect(recs).toHaveLength(3);
    expect(recs[0]).toEqual({ kind: 'attributes', externalId: 'u1', time: '2025-01-01T00:00:00.000Z', attributes: { email: 'a@b.example' } });
    expect(recs[2]).toEqual({ kind: 'event', externalId: 'u1', name: 'demo_requested', time: '2025-01-02T23:00:00.000Z', properties: {} });
    expect(parseNdjsonEvents(recs.map(formatHistoryLine).join('\n'))).toEqual(recs);
  });

  it('names the line of invalid JSON', () => {
    const e = errorOf(() => parseNdjsonEvents(good + '\n{"external_id": "u2", nope}\n'));
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^line 5: invalid JSON/);
  });

  it('names the line and field of a record that does not fit', () => {
    const e = errorOf(() => parseNdjsonEvents('{"external_id":"u1","name":"x","time":"yesterday"}'));
    expect(e.message).toBe('line 1: time: invalid ISO-8601 time');
    expect(errorOf(() => parseNdjsonEvents('\n\n[1,2]')).line).toBe(3);
  });

  it('reads a stream, and a file whose path goes into errors', async () => {
    expect(await readNdjsonEvents(Readable.from([good.slice(0, 50), good.slice(50)]))).toHaveLength(3);
    const path = join(dir, 'bad.ndjson');
    writeFileSync(path, good + '\n{"external_id":"u1"}\n');
    await expect(readNdjsonEvents(path)).rejects.toThrow(`${path}:5: name:`);
  });
});

describe('backtest CLI', () => {
  const programPath = new URL('../../templates/lead-scoring.scoring.json', import.meta.url).pathname;
  const historyPath = new URL('../../examples/scoring/event-history.ndjson', import.meta.url).pathname;

  it('backtests the example program on the example history', async () => {
    const out: string[] = [];
    const code = await runBacktestCli([programPath, historyPath, '--threshold', '100', '--json'], { out: (s) => out.push(s), err: (s) => out.push(s) });
    expect(code).toBe(0);
    const result = JSON.parse(out.join(''));
    const direct = backtest(await loadScoringProgram(programPath), await readNdjsonEvents(historyPath), { threshold: 100 });
    expect(result).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(result.users).toBe(300);
    expect(result.excludedUsers).toBeGreaterThan(0);
    expect(result.crossedThreshold).toBeGreaterThan(0);
    expect(result.decays).toBeGreaterThan(0);
  });

  it('prints a readable report, and rejects bad usage and bad files', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await runBacktestCli([programPath, historyPath], io)).toBe(0);
    expect(out.join('\n')).toMatch(/threshold\s+> 100: crossed by \d+ users/);
    expect(await runBacktestCli([programPath], io)).toBe(2);
    const badProgram = join(dir, 'program.json');
    writeFileSync(badProgram, JSON.stringify({ name: 'p', action_groups: [] }));
    out.length = 0;
    expect(await runBacktestCli([badProgram, historyPath], io)).toBe(1);
    expect(out.join('\n')).toContain('action_groups: a program needs at least one action group');
  });
});
