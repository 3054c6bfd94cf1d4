// The data path end to end: a /users/track body, parsed, applied by the SQLite store with the
// campaigns in force, then the delivered-update hand-off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toTrackBatch, TrackRequestSchema } from '../../src/ingest/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { campaignEntries, deliveredUpdateBatch, parseCampaign, type CampaignEntry } from '../../src/triggers/index.js';

const rulesOf = (campaigns: CampaignEntry[]) => ({ campaigns, programs: [] });

const dir = mkdtempSync(join(tmpdir(), 'liquidhook-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const campaign = {
  name: 'Salesforce MQL hand-off',
  trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
  audience: [{ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }],
  reeligible_after_seconds: 0,
  webhook: { url: 'https://example.com/lead', method: 'PATCH', body: { type: 'raw', text: '{}' } },
  on_delivered_update: { attributes: { lead_status: 'MQL' } },
};

describe('track → planner → outbox', () => {
  it('enqueues a send per score change until the lead becomes an MQL', async () => {
    const store = openSqliteStore({ path: join(dir, 'flow.db') });
    await store.putCampaign('mql', campaign);
    await store.putCampaign('broken', { name: 'no trigger' });
    const invalid: string[] = [];
    const planner = rulesOf(campaignEntries(await store.listCampaigns(), (id) => invalid.push(id)));
    expect(invalid).toEqual(['broken']);

    const track = (body: unknown) => store.applyTrack(toTrackBatch(TrackRequestSchema.parse(body)).batch, planner);
    const first = await track({ attributes: [{ external_id: 'lead-1', 'lead score': { inc: 60 }, email: 'ada@example.com' }] });
    expect(first.deliveries).toHaveLength(1);
    expect(first.deliveries[0]!.trigger).toEqual({ type: 'custom_attribute_changed', attribute: 'lead score', before: null, after: 60 });

    const second = await track({ attributes: [{ external_id: 'lead-1', 'lead score': { inc: 50 } }] });
    expect(second.deliveries[0]!.trigger).toMatchObject({ before: 60, after: 110 });

    // Unrelated changes do not trigger.
    expect((await track({ attributes: [{ external_id: 'lead-1', city: 'Paris' }] })).deliveries).toEqual([]);

    // Delivered: the campaign marks the lead as MQL, which takes it out of the audience.
    const update = deliveredUpdateBatch(parseCampaign((await store.getCampaign('mql'))!.definition), 'lead-1')!;
    expect((await store.applyTrack(update, planner)).deliveries).toEqual([]);
    expect((await track({ attributes: [{ external_id: 'lead-1', 'lead score': { inc: 5 } }] })).deliveries).toEqual([]);
    expect((await store.getProfile('lead-1'))?.attributes).toEqual({
      'lead score': 115,
      email: 'ada@example.com',
      city: 'Paris',
      lead_status: 'MQL',
    });
    expect(await store.listDeliveries({ campaignId: 'mql' })).toHaveLength(2);
    await store.close();
  });

  it('without re-eligibility, an aborted send (below threshold) leaves the user eligible', async () => {
    const store = openSqliteStore({ path: join(dir, 'abort.db') });
    const { reeligible_after_seconds: _unused, ...once } = campaign;
    await store.putCampaign('once', once);
    const planner = rulesOf(campaignEntries(await store.listCampaigns()));
    const score = async (inc: number) =>
      (await store.applyTrack(toTrackBatch(TrackRequestSchema.parse({ attributes: [{ external_id: 'u', 'lead score': { inc } }] })).batch, planner))
        .deliveries;
    const [low] = await score(60);
    const now = new Date(Date.now() + 1000);
    await store.claimDeliveries('w', 10, now, 60_000);
    await store.recordOutcomes([{ id: low!.id, status: 'aborted', abortReason: 'not at threshold' }], now);
    const [high] = await score(50);
    expect(high?.trigger).toMatchObject({ after: 110 });
    expect(await score(1)).toEqual([]);
    await store.close();
  });

  it('a campaign without re-eligibility sends once per user, remembered across reopen', async () => {
    const path = join(dir, 'once.db');
    const { reeligible_after_seconds: _unused, ...once } = { ...campaign, audience: [] };
    let store = openSqliteStore({ path });
    await store.putCampaign('once', once);
    const run = async () =>
      (await store.applyTrack(
        toTrackBatch(TrackRequestSchema.parse({ attributes: [{ external_id: 'u', 'lead score': { inc: 1 } }] })).batch,
        rulesOf(campaignEntries(await store.listCampaigns())),
      )).deliveries.length;
    expect(await run()).toBe(1);
    expect(await run()).toBe(0);
    await store.close();
    store = openSqliteStore({ path });
    expect(await run()).toBe(0);
    await store.close();
  });
});
