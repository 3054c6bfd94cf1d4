// The intake: rules in force passed to the store as data, new sends handed to the worker, the
// worker's outbox planning delivered updates by the same rules.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/domain/index.js';
import { createIntake, type HandOff } from '../../src/intake/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { batch, campaign, program, score } from '../store/contract-helpers.js';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
const fresh = (): Store => {
  const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-intake-')), 'db.sqlite') });
  open.push(store);
  return store;
};
const onScore = campaign('c1', { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' });

/** A worker link that has `slots` free slots and records what it is told. */
function fakeWorker(slots: number) {
  const seen = { wakes: 0, reserved: 0, adopted: [] as Delivery[], cancels: 0 };
  const handOff = (): HandOff => ({
    claim: { owner: 'w1', leaseMs: 60_000, reserve: () => (seen.reserved < slots ? (seen.reserved++, true) : false) },
    adopt: (deliveries) => seen.adopted.push(...deliveries),
    cancel: () => seen.cancels++,
  });
  return { seen, link: { wake: () => seen.wakes++, handOff } };
}

describe('intake', () => {
  it('plans by the campaigns in force and leases as many new sends as the worker reserved', async () => {
    const store = fresh();
    const intake = createIntake({ store, campaigns: { campaignEntries: () => [onScore] } });
    const worker = fakeWorker(2);
    intake.connectWorker(worker.link);
    const users = batch({ attributes: ['u1', 'u2', 'u3'].map((externalId) => ({ externalId, ops: { 'lead score': { op: 'inc', by: 1 } } })) });
    const { deliveries } = await intake.track(users);
    expect(deliveries.map((d) => d.status)).toEqual(['sending', 'sending', 'queued']);
    expect(worker.seen.adopted).toEqual(deliveries);
    // A change the profile refuses gives the reservations back.
    await store.applyTrack(batch({ attributes: [{ externalId: 'u9', ops: { name: { op: 'set', value: 'x' } } }] }), { campaigns: [], programs: [] });
    await expect(intake.track(batch({ attributes: [{ externalId: 'u9', ops: { name: { op: 'inc', by: 1 } } }] }))).rejects.toThrow(/u9/);
    expect(worker.seen.cancels).toBe(1);
  });

  it('wakes the worker for queued sends (no hand-off), syncs with the watermark, and replays', async () => {
    const store = fresh();
    const intake = createIntake({ store, campaigns: { campaignEntries: () => [onScore] } });
    const worker = fakeWorker(0);
    intake.connectWorker({ wake: worker.link.wake });
    await intake.sync(score('u1', 1), { name: 'sync:s', expected: null, value: '1' });
    expect(await store.getCursor('sync:s')).toBe('1');
    expect(worker.seen.wakes).toBe(1);
    const [delivery] = await store.claimDeliveries('w', 10, new Date(Date.now() + 1000), 60_000);
    await store.recordOutcomes([{ id: delivery!.id, status: 'dead' }], new Date());
    expect((await intake.replay(delivery!.id))?.status).toBe('queued');
    expect(worker.seen.wakes).toBe(2);
  });

  it('commits delivered updates through the outbox, scored and planned by the rules in force', async () => {
    const store = fresh();
    let scored = 0;
    const handoff = campaign('handoff', { type: 'custom_attribute_changed', attribute: 'lead_status', change: 'any' });
    const intake = createIntake({
      store,
      campaigns: { campaignEntries: () => [onScore, handoff] },
      scoring: { programEntries: () => [program('p1', { event: 'opened' })] },
      onScored: (n) => (scored += n),
    });
    await intake.track(batch({ events: [{ externalId: 'u1', name: 'opened', time: new Date().toISOString(), properties: {} }] }));
    expect(scored).toBe(1);
    const [sent] = await store.claimDeliveries('w', 10, new Date(Date.now() + 1000), 60_000);
    const result = await intake.outbox.recordOutcomes([{ id: sent!.id, status: 'delivered' }], new Date(), {
      owner: 'w',
      updates: [{ deliveryId: sent!.id, batch: batch({ attributes: [{ externalId: 'u1', ops: { lead_status: { op: 'set', value: 'MQL' } } }] }) }],
    });
    expect(result.deliveries.map((d) => d.campaignId)).toEqual(['handoff']);
    expect((await store.getProfile('u1'))?.attributes).toEqual({ 'lead score': 10, lead_status: 'MQL' });
  });
});
