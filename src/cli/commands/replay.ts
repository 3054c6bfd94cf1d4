// `liquidhook replay DELIVERY_ID [--force]`: sends a delivery again under the rule of
// src/domain/replay.ts, through the API when LIQUIDHOOK_URL is set, else in the local database.
import { ReplayRefusedError } from '../../domain/index.js';
import { CodedError, inContext } from '../../errors/index.js';
import { createIntake } from '../../intake/index.js';
import { deliveryView, type DeliveryView } from '../../server/index.js';
import { apiError, createApiClient } from '../api-client.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { readCliEnv, type CliEnv } from '../env.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../io.js';
import { withLocalStore } from '../local-store.js';

const HELP = `Usage: liquidhook replay DELIVERY_ID [--force] [--json]

Queues a delivery again with the same idempotency key (a receiver that saw the first attempt can
recognise the repeat); a running worker picks it up on its next poll.
  dead, failed   sent again as they are
  aborted        rendered again against the profile as it is now
  delivered      only with --force: the receiver already has it
  queued/sending refused: the send is still under way
The attempt count goes on (it always equals the attempt log) and a new retry window starts.
With LIQUIDHOOK_URL (and LIQUIDHOOK_API_KEY) set this goes through the service's API
(POST /deliveries/:id/replay); otherwise it writes to the database named by LIQUIDHOOK_DB or
LIQUIDHOOK_DATABASE_URL.

Options:
  --force       replay a delivered delivery
  --json        the queued delivery as the API shows it (GET /deliveries/:id)
  -h, --help    show this help
`;

export const replayCommand: Command = {
  name: 'replay',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { force: { type: 'boolean' } });
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [id, extra] = args.positionals;
    if (id === undefined) throw new UsageError('replay needs a DELIVERY_ID');
    if (extra !== undefined) throw new UsageError(`replay takes one DELIVERY_ID (unexpected "${extra}")`);
    const env = readCliEnv(io);
    const force = args.flag('force');
    const delivery = env.apiUrl ? await replayViaApi(env, id, force) : await replayLocally(env, id, force);
    if (args.json) printJson(io, delivery);
    else io.out(`delivery ${delivery.id} queued again (campaign ${delivery.campaign_id}, user ${delivery.external_id})`);
    return EXIT.OK;
  },
};

async function replayViaApi(env: CliEnv, id: string, force: boolean): Promise<DeliveryView> {
  const api = createApiClient(env.apiUrl!, env.apiKey);
  const res = await api.call('POST', `/deliveries/${encodeURIComponent(id)}/replay`, force ? { force: true } : undefined);
  if (res.status === 202 || res.status === 200) return res.json as DeliveryView;
  throw apiError(res, `cannot replay delivery ${id}`);
}

async function replayLocally(env: CliEnv, id: string, force: boolean): Promise<DeliveryView> {
  return withLocalStore(env.db, async (store) => {
    try {
      // No campaigns needed: a replay plans nothing; a running worker picks the delivery up.
      const replayed = await createIntake({ store, campaigns: { campaignEntries: () => [] } }).replay(id, { force });
      if (!replayed) throw new CodedError('LH_NOT_FOUND', `delivery ${id} not found in ${env.db}`);
      return deliveryView(replayed);
    } catch (error) {
      if (error instanceof ReplayRefusedError) throw inContext(error, `cannot replay delivery ${id}`, error);
      throw error;
    }
  });
}
