// The Store contract, run against every backend. `makeStore` returns a fresh, migrated, empty store.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { runDeliveryContract } from './contract-deliveries.js';
import { runProfilePagesContract } from './contract-profile-pages.js';
import { runProgramContract } from './contract-programs.js';
import { batch, noSends, score, sendOnce, T0 } from './contract-helpers.js';

export type MakeStore = () => Promise<Store>;

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const open: Store[] = [];
    const fresh = async () => {
      const store = await makeStore();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    describe('profiles and applyTrack', () => {
      runProfilePagesContract(fresh);

      it('creates a profile, applies ops in order, reports changes and before/after', async () => {
        const store = await fresh();
        const first = await store.applyTrack(
          batch({ attributes: [{ externalId: 'u1', ops: { 'lead score': { op: 'inc', by: 10 }, email: { op: 'set', value: 'a@b.c' } } }] }),
          noSends,
        );
        expect(first.activities).toHaveLength(1);
        expect(first.activities[0]!.before).toBeUndefined();
        expect(first.activities[0]!.changes).toEqual([
          { attribute: 'lead score', before: undefined, after: 10 },
          { attribute: 'email', before: undefined, after: 'a@b.c' },
        ]);
        const second = await store.applyTrack(
          batch({
            attributes: [
              { externalId: 'u1', ops: { 'lead score': { op: 'inc', by: 5 } } },
              { externalId: 'u1', ops: { 'lead score': { op: 'inc', by: 5 }, email: { op: 'set', value: 'a@b.c' } } },
            ],
          }),
          noSends,
        );
        const activity = second.activities[0]!;
        expect(activity.before).toEqual({ 'lead score': 10, email: 'a@b.c' });
        expect(activity.after).toEqual({ 'lead score': 20, email: 'a@b.c' });
        expect(activity.changes).toEqual([{ attribute: 'lead score', before: 10, after: 20 }]);
        const profile = await store.getProfile('u1');
        expect(profile?.attributes).toEqual({ 'lead score': 20, email: 'a@b.c' });
        expect(profile?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        expect(await store.getProfile('nobody')).toBeUndefined();
      });

      it('reads many profiles at once, leaving out users without one', async () => {
        const store = await fresh();
        await store.applyTrack(
          batch({
            attributes: [
              { externalId: 'u1', ops: { 'lead score': { op: 'set', value: 1 } } },
              { externalId: 'u2', ops: { 'lead score': { op: 'set', value: 2 } } },
              { externalId: 'u3', ops: { 'lead score': { op: 'set', value: 3 } } },
            ],
          }),
          noSends,
        );
        const profiles = await store.getProfiles(['u3', 'nobody', 'u1', 'u1']);
        expect([...profiles.keys()].sort()).toEqual(['u1', 'u3']);
        expect(profiles.get('u1')).toEqual(await store.getProfile('u1'));
        expect(profiles.get('u3')?.attributes).toEqual({ 'lead score': 3 });
        expect((await store.getProfiles([])).size).toBe(0);
      });

      it('records events and purchases, creating the profile, and hands them to the planner', async () => {
        const store = await fresh();
        const result = await store.applyTrack(
          batch({
            events: [{ externalId: 'u2', name: 'demo_requested', time: '2030-01-01T00:00:00.000Z', properties: { plan: 'pro' } }],
            purchases: [
              { externalId: 'u2', productId: 'p1', currency: 'USD', price: 9.5, quantity: 2, time: '2030-01-01T00:00:00.000Z', properties: {} },
            ],
          }),
          noSends,
        );
        expect(result.activities[0]!.events[0]!.properties).toEqual({ plan: 'pro' });
        expect(result.activities[0]!.purchases[0]!.price).toBe(9.5);
        expect(result.activities[0]!.changes).toEqual([]);
        expect((await store.getProfile('u2'))?.attributes).toEqual({});
        const exported = await store.readExportEvents(0, 100);
        expect(exported.map((e) => e.type)).toEqual(['user_event', 'purchase']);
        expect(exported[0]).toMatchObject({ externalId: 'u2', data: { name: 'demo_requested', properties: { plan: 'pro' } } });
      });

      it('rewrites a profile only when an attribute changed: updated_at is the last change', async () => {
        const store = await fresh();
        const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
        await store.applyTrack(batch({ attributes: [{ externalId: 'u9', ops: { plan: { op: 'set', value: 'pro' } } }] }), noSends);
        const created = (await store.getProfile('u9'))!;
        await pause();
        const event = { externalId: 'u9', name: 'page_viewed', time: '2030-01-01T00:00:00.000Z', properties: {} };
        await store.applyTrack(batch({ events: [event], attributes: [{ externalId: 'u9', ops: { plan: { op: 'set', value: 'pro' } } }] }), noSends);
        expect((await store.getProfile('u9'))?.updatedAt).toBe(created.updatedAt);
        await pause();
        await store.applyTrack(batch({ attributes: [{ externalId: 'u9', ops: { plan: { op: 'set', value: 'team' } } }] }), noSends);
        const changed = (await store.getProfile('u9'))!;
        expect(changed.updatedAt > created.updatedAt).toBe(true);
        expect(changed.createdAt).toBe(created.createdAt);
      });

      it('enqueues planned deliveries with unique idempotency keys and tracks lastEnqueuedAt', async () => {
        const store = await fresh();
        const first = await store.applyTrack(score('u1', 1), sendOnce('c1'));
        expect(first.deliveries).toHaveLength(1);
        const delivery = first.deliveries[0]!;
        expect(delivery).toMatchObject({ campaignId: 'c1', externalId: 'u1', status: 'queued', attempts: 0 });
        expect(delivery.trigger).toEqual({ type: 'custom_attribute_changed', attribute: 'lead score', before: null, after: 1 });
        const second = await store.applyTrack(score('u1', 1), sendOnce('c1'));
        expect(Object.keys(second.activities[0]!.lastEnqueuedAt)).toEqual(['c1']);
        expect(second.deliveries[0]!.idempotencyKey).not.toBe(delivery.idempotencyKey);
        expect(await store.getDelivery(delivery.id)).toMatchObject({ id: delivery.id, attempts_log: [] });
      });

      it('is all or nothing when an attribute op is invalid: no profile, send or export of the batch', async () => {
        const store = await fresh();
        await store.applyTrack(batch({ attributes: [{ externalId: 'u1', ops: { name: { op: 'set', value: 'x' } } }] }), noSends);
        const before = await store.readExportEvents(0, 100);
        const bad = batch({
          attributes: [
            { externalId: 'u0', ops: { 'lead score': { op: 'inc', by: 5 } } },
            { externalId: 'u1', ops: { name: { op: 'inc', by: 1 } } },
          ],
          events: [{ externalId: 'u3', name: 'e', time: T0.toISOString(), properties: {} }],
        });
        await expect(store.applyTrack(bad, sendOnce('c1'))).rejects.toMatchObject({
          name: 'AttributeOpError',
          externalId: 'u1',
          attribute: 'name',
        });
        expect(await store.getProfile('u0')).toBeUndefined();
        expect(await store.getProfile('u3')).toBeUndefined();
        expect((await store.getProfile('u1'))?.attributes).toEqual({ name: 'x' });
        expect(await store.listDeliveries({})).toEqual([]);
        expect(await store.readExportEvents(0, 100)).toEqual(before);
      });

      it('exports attribute changes (lead score feeds the warehouse) in commit order', async () => {
        const store = await fresh();
        await store.applyTrack(score('u1', 3), noSends);
        await store.applyTrack(score('u1', 4), noSends);
        const events = await store.readExportEvents(0, 100);
        const changes = events.filter((e) => e.type === 'attribute_changed');
        expect(changes.map((e) => e.data)).toEqual([
          { attribute: 'lead score', before: null, after: 3 },
          { attribute: 'lead score', before: 3, after: 7 },
        ]);
        const seqs = events.map((e) => e.seq);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(seqs.length);
      });
    });

    describe('campaigns', () => {
      it('puts, lists, gets, updates and deletes', async () => {
        const store = await fresh();
        const created = await store.putCampaign('b', { name: 'B' });
        await store.putCampaign('a', { name: 'A' });
        expect((await store.listCampaigns()).map((c) => c.id)).toEqual(['a', 'b']);
        const updated = await store.putCampaign('b', { name: 'B2' });
        expect(updated.createdAt).toBe(created.createdAt);
        expect((await store.getCampaign('b'))?.definition).toEqual({ name: 'B2' });
        expect(await store.deleteCampaign('b')).toBe(true);
        expect(await store.deleteCampaign('b')).toBe(false);
        expect(await store.getCampaign('b')).toBeUndefined();
      });
    });

    runDeliveryContract(fresh);
    runProgramContract(fresh);
  });
}
