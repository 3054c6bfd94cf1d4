// `liquidhook replay DELIVERY_ID`: re-queues a finished (dead, failed or aborted) delivery with
// its idempotency key, through the API when LIQUIDHOOK_URL is set, else in the local database.
import type { Delivery } from '../../domain/index.js';
import { apiErrorMessage, createApiClient } from '../api-client.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { readCliEnv, type CliEnv } from '../env.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../io.js';
import { withLocalStore } from '../local-store.js';

const HELP = `Usage: liquidhook replay DELIVERY_ID [--json]

Re-queues a dead, failed or aborted delivery (same idempotency key, so a receiver that saw the
first attempt can recognise it). A running worker picks it up on its next poll.
With LIQUIDHOOK_URL (and LIQUIDHOOK_API_KEY) set this goes through the service's API
(POST /deliveries/:id/replay); otherwise it writes to the database named by LIQUIDHOOK_DB or
LIQUIDHOOK_DATABASE_URL.

Options:
  --json        the re-queued delivery as JSON
  -h, --help    show this help
`;

export const replayCommand: Command = {
  name: 'replay',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [id, extra] = args.positionals;
    if (id === undefined) throw new UsageError('replay needs a DELIVERY_ID');
    if (extra !== undefined) throw new UsageError(`replay takes one DELIVERY_ID (unexpected "${extra}")`);
    const env = readCliEnv(io.env);
    const delivery = env.apiUrl ? await replayViaApi(env, id) : await replayLocally(env, id);
    if (args.json) printJson(io, delivery);
    else io.out(`delivery ${delivery.id} re-queued (campaign ${delivery.campaignId}, user ${delivery.externalId}, status ${delivery.status})`);
    return EXIT.OK;
  },
};

async function replayViaApi(env: CliEnv, id: string): Promise<Delivery> {
  const api = createApiClient(env.apiUrl!, env.apiKey);
  const res = await api.call('POST', `/deliveries/${encodeURIComponent(id)}/replay`);
  if (res.status === 202 || res.status === 200) return res.json as Delivery;
  throw new CliError(`cannot replay delivery ${id}: ${apiErrorMessage(res)}`);
}

async function replayLocally(env: CliEnv, id: string): Promise<Delivery> {
  return withLocalStore(env.db, async (store) => {
    const existing = await store.getDelivery(id);
    if (!existing) throw new CliError(`delivery ${id} not found in ${env.db}`);
    if (existing.status === 'queued' || existing.status === 'sending') {
      throw new CliError(`delivery ${id} is ${existing.status}: only finished deliveries can be replayed`);
    }
    const replayed = await store.replayDelivery(id, new Date());
    if (!replayed) throw new CliError(`delivery ${id} could not be replayed (status ${existing.status})`);
    return replayed;
  });
}
