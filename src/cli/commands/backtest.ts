// `liquidhook backtest PROGRAM HISTORY.ndjson`: replays an event history through a scoring
// program and reports the score distribution and threshold crossings (src/scoring).
import { CodedError } from '../../errors/index.js';
import { backtest, formatBacktestReport, loadScoringProgram, readNdjsonEvents } from '../../scoring/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { pathIn } from '../io.js';

const HELP = `Usage: liquidhook backtest PROGRAM.json|yaml HISTORY.ndjson [options]

Replays an NDJSON event history (/users/track vocabulary: {external_id, name, time, properties}
events and {external_id, time, attributes} lines) through a lead-scoring program and prints the
final score distribution, how many users crossed the hand-off threshold, group matches and
inactivity decays.

Options:
  --threshold N       hand-off threshold; a user crosses it going from <= N to > N (default 100)
  --until ISO         end of the backtest (default: the last event)
  --bucket-width N    histogram bucket width (default 10)
  --json              the full result as JSON
  -h, --help          show this help
`;

export const backtestCommand: Command = {
  name: 'backtest',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { threshold: { type: 'string' }, until: { type: 'string' }, 'bucket-width': { type: 'string' } });
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [programPath, historyPath, extra] = args.positionals;
    if (programPath === undefined || historyPath === undefined) throw new UsageError('backtest needs a PROGRAM file and a HISTORY.ndjson file');
    if (extra !== undefined) throw new UsageError(`backtest takes two files (unexpected "${extra}")`);
    const threshold = args.number('threshold') ?? 100;
    const bucketWidth = args.number('bucket-width') ?? 10;
    if (!(bucketWidth > 0)) throw new UsageError('--bucket-width must be greater than 0');
    const until = args.string('until');
    if (until !== undefined && Number.isNaN(Date.parse(until))) throw new CodedError('LH_INVALID_REQUEST', `--until: invalid ISO-8601 time ${until}`);
    const program = await loadScoringProgram(pathIn(io, programPath));
    const history = await readNdjsonEvents(pathIn(io, historyPath));
    const result = backtest(program, history, { threshold, bucketWidth, ...(until ? { until } : {}) });
    io.out(args.json ? JSON.stringify(result, null, 2) : formatBacktestReport(result));
    return EXIT.OK;
  },
};
