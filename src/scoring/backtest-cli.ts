// Backtest command-line edge: reads a program file (JSON or YAML) and an NDJSON history,
// runs the pure backtest, prints a report.
//   tsx src/scoring/backtest-cli.ts <program.json|yaml> <history.ndjson> [--threshold 100] [--until ISO] [--bucket-width 10] [--json]
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../errors/index.js';
import { backtest, type BacktestResult } from './backtest.js';
import { readNdjsonEvents } from './history.js';
import { parseScoringProgram, type ScoringProgram } from './schema.js';

export async function loadScoringProgram(path: string): Promise<ScoringProgram> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CodedError('LH_FILE_UNREADABLE', `${path}: cannot read file: ${(e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new CodedError('LH_FILE_INVALID', `${path}: cannot parse (${(e as Error).message})`);
  }
  return parseScoringProgram(raw, path);
}

export function formatBacktestReport(r: BacktestResult): string {
  const d = r.scoreDistribution;
  const peak = Math.max(1, ...d.buckets.map((b) => b.count));
  const lines = [
    `history        ${r.from ?? '-'} .. ${r.until ?? '-'}`,
    `users          ${r.users} (${r.participants} scored, ${r.excludedUsers} excluded)`,
    `events         ${r.events} (${r.scoredEvents} scored)`,
    `group matches  ${Object.entries(r.groupMatches).map(([g, n]) => `${g}: ${n}`).join(', ')}`,
    `decays         ${r.decays}`,
    `threshold      > ${r.threshold}: crossed by ${r.crossedThreshold} users, ${r.aboveThresholdAtEnd} above at the end`,
    `scores         min ${d.min} max ${d.max} mean ${d.mean}`,
    `percentiles    ${Object.entries(d.percentiles).map(([p, v]) => `${p} ${v}`).join('  ')}`,
    'histogram',
    ...d.buckets.map(
      (b) => `  [${String(b.min).padStart(5)}, ${String(b.max).padStart(5)})  ${String(b.count).padStart(5)}  ${'#'.repeat(Math.ceil((b.count / peak) * 40))}`,
    ),
  ];
  return lines.join('\n');
}

interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Relative file arguments are read from here (default: the process's working directory). */
  cwd?: string;
}

/** Returns the process exit code: 0 ok, 1 bad input, 2 bad usage. */
export async function runBacktestCli(
  argv: string[],
  io: CliIo = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        threshold: { type: 'string', default: '100' },
        until: { type: 'string' },
        'bucket-width': { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  const [programPath, historyPath] = parsed.positionals;
  const threshold = Number(parsed.values.threshold);
  const bucketWidth = Number(parsed.values['bucket-width']);
  if (!programPath || !historyPath || !Number.isFinite(threshold) || !(bucketWidth > 0)) {
    io.err('usage: backtest <program.json|yaml> <history.ndjson> [--threshold N] [--until ISO] [--bucket-width N] [--json]');
    return 2;
  }
  try {
    const program = await loadScoringProgram(resolve(io.cwd ?? '.', programPath));
    const history = await readNdjsonEvents(resolve(io.cwd ?? '.', historyPath));
    const until = parsed.values.until;
    if (until !== undefined && Number.isNaN(Date.parse(until))) throw new Error(`--until: invalid ISO-8601 time ${until}`);
    const result = backtest(program, history, { threshold, bucketWidth, ...(until ? { until } : {}) });
    io.out(parsed.values.json ? JSON.stringify(result, null, 2) : formatBacktestReport(result));
    return 0;
  } catch (e) {
    io.err((e as Error).message);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runBacktestCli(process.argv.slice(2));
}
