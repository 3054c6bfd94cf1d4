// Section 4: token requests made for 10,000 sends of the guide's MQL webhook with
// `:cache_max_age` added to its connected_content call, through the real path: /users/track,
// the service's worker, the fake Salesforce counting token requests.
import { startFakeSalesforce } from '../examples/fake-salesforce.js';
import { guideCampaign } from '../test/e2e/helpers.js';
import { startBenchService } from './lib/service.js';
import { pool, sleep } from './lib/stats.js';

export interface TokenFigures {
  sends: number;
  tokenRequests: number;
  seconds: number;
}

/** The guide campaign, its token call cached for 15 minutes (the only change). */
export function cachedTokenCampaign(fake: Parameters<typeof guideCampaign>[0]): Record<string, unknown> {
  const campaign = guideCampaign(fake) as { webhook: { headers: Record<string, string> } };
  const auth = campaign.webhook.headers.Authorization!;
  if (!auth.includes(':save result')) throw new Error('the guide template changed: no ":save result" in Authorization');
  campaign.webhook.headers.Authorization = auth.replace(':save result', ':save result\n    :cache_max_age 900');
  return campaign;
}

export async function measureTokenFetches(sends: number): Promise<TokenFigures> {
  const fake = await startFakeSalesforce();
  const service = await startBenchService({ LIQUIDHOOK_WORKER_CONCURRENCY: '64', LIQUIDHOOK_MAX_PER_HOST: '64', LIQUIDHOOK_POLL_MS: '200' });
  try {
    await service.post('/campaigns', cachedTokenCampaign(fake));
    const t0 = performance.now();
    const perRequest = 75;
    await pool(Math.ceil(sends / perRequest), 4, (i) =>
      service.track(
        Array.from({ length: Math.min(perRequest, sends - i * perRequest) }, (_, k) => ({ external_id: `00Q${i * perRequest + k}`, 'lead score': 150 })),
      ),
    );
    const deadline = Date.now() + 120_000;
    while (fake.leadPatches().length < sends && Date.now() < deadline) await sleep(50);
    return { sends: fake.leadPatches().length, tokenRequests: fake.tokens.length, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await service.stop();
    await fake.close();
  }
}
