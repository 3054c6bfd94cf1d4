// `liquidhook backtest PROGRAM HISTORY.ndjson`: replays an event history through a scoring
// program and reports the score distribution and threshold crossings (src/scoring).
import { runBacktestCli } from '../../scoring/index.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

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
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(HELP);
      return EXIT.OK;
    }
    return runBacktestCli(argv, {
      out: (text) => io.out(text),
      err: (text) => io.err(text.startsWith('usage:') ? `${text}\n(see liquidhook backtest --help)` : `liquidhook backtest: ${text}`),
      cwd: io.cwd,
    });
  },
};
