// The Store contract, run against every backend. `makeStore` returns a fresh, migrated, empty store.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryOutcome, NewDelivery, SendPlanner, Store, TrackBatch, UserActivity } from '../../src/store/index.js';

export type MakeStore = () => Promise<Store>;

const noSends: SendPlanner = () => [];
const sendOnce =
  (campaignId: string): SendPlanner =>
  (activity) => [{ campaignId, externalId: activity.externalId, trigger: { type: 'test', changes: activity.changes.length } }];

const batch = (partial: Partial<TrackBatch>): TrackBatch => ({ attributes: [], events: [], purchases: [], ...partial });
const score = (externalId: string, by: number): TrackBatch =>
  batch({ attributes: [{ externalId, ops: { 'lead score': { op: 'inc', by } } }] });

const T0 = new Date('2030-01-01T00:00:00.000Z');

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

      it('records events and purchases, creating the profile, and hands them to the planner', async () => {
        const store = await fresh();
        const seen: UserActivity[] = [];
        const result = await store.applyTrack(
          batch({
            events: [{ externalId: 'u2', name: 'demo_requested', time: '2030-01-01T00:00:00.000Z', properties: { plan: 'pro' } }],
            purchases: [
              { externalId: 'u2', productId: 'p1', currency: 'USD', price: 9.5, quantity: 2, time: '2030-01-01T00:00:00.000Z', properties: {} },
            ],
          }),
          (a) => (seen.push(a), []),
        );
        expect(result.activities[0]!.events[0]!.properties).toEqual({ plan: 'pro' });
        expect(seen[0]!.purchases[0]!.price).toBe(9.5);
        expect(seen[0]!.changes).toEqual([]);
        expect((await store.getProfile('u2'))?.attributes).toEqual({});
        const exported = await store.readExportEvents(0, 100);
        expect(exported.map((e) => e.type)).toEqual(['user_event', 'purchase']);
        expect(exported[0]).toMatchObject({ externalId: 'u2', data: { name: 'demo_requested', properties: { plan: 'pro' } } });
      });

      it('enqueues planned deliveries with unique idempotency keys and tracks lastEnqueuedAt', async () => {
        const store = await fresh();
        const first = await store.applyTrack(score('u1', 1), sendOnce('c1'));
        expect(first.deliveries).toHaveLength(1);
        const delivery = first.deliveries[0]!;
        expect(delivery).toMatchObject({ campaignId: 'c1', externalId: 'u1', status: 'queued', attempts: 0 });
        expect(delivery.trigger).toEqual({ type: 'test', changes: 1 });
        const seen: UserActivity[] = [];
        const second = await store.applyTrack(score('u1', 1), (a) => (seen.push(a), sendOnce('c1')(a)));
        expect(Object.keys(seen[0]!.lastEnqueuedAt)).toEqual(['c1']);
        expect(second.deliveries[0]!.idempotencyKey).not.toBe(delivery.idempotencyKey);
        expect(await store.getDelivery(delivery.id)).toMatchObject({ id: delivery.id, attempts_log: [] });
      });

      it('is all or nothing: a planner that throws leaves no trace', async () => {
        const store = await fresh();
        await store.applyTrack(score('u1', 10), noSends);
        const before = await store.readExportEvents(0, 100);
        const failing = batch({
          attributes: [
            { externalId: 'u1', ops: { 'lead score': { op: 'inc', by: 5 } } },
            { externalId: 'u3', ops: { name: { op: 'set', value: 'new' } } },
          ],
          events: [{ externalId: 'u3', name: 'e', time: T0.toISOString(), properties: {} }],
        });
        let calls = 0;
        const planner: SendPlanner = (a) => {
          calls++;
          if (a.externalId === 'u3') throw new Error('planner failed');
          return sendOnce('c1')(a);
        };
        await expect(store.applyTrack(failing, planner)).rejects.toThrow('planner failed');
        expect(calls).toBe(2);
        expect((await store.getProfile('u1'))?.attributes).toEqual({ 'lead score': 10 });
        expect(await store.getProfile('u3')).toBeUndefined();
        expect(await store.listDeliveries({})).toEqual([]);
        expect(await store.readExportEvents(0, 100)).toEqual(before);
      });

      it('is all or nothing when an attribute op is invalid', async () => {
        const store = await fresh();
        await store.applyTrack(batch({ attributes: [{ externalId: 'u1', ops: { name: { op: 'set', value: 'x' } } }] }), noSends);
        const bad = batch({
          attributes: [
            { externalId: 'u0', ops: { a: { op: 'set', value: 1 } } },
            { externalId: 'u1', ops: { name: { op: 'inc', by: 1 } } },
          ],
        });
        await expect(store.applyTrack(bad, noSends)).rejects.toMatchObject({
          name: 'AttributeOpError',
          externalId: 'u1',
          attribute: 'name',
        });
        expect(await store.getProfile('u0')).toBeUndefined();
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
  });
}

async function enqueue(store: Store, users: string[], campaignId = 'c1'): Promise<string[]> {
  const ids: string[] = [];
  for (const user of users) {
    const { deliveries } = await store.applyTrack(score(user, 1), (a): NewDelivery[] => sendOnce(campaignId)(a));
    ids.push(...deliveries.map((d) => d.id));
  }
  return ids;
}

function runDeliveryContract(fresh: MakeStore): void {
  describe('deliveries', () => {
    it('claims due deliveries in order, up to the limit, with a lease', async () => {
      const store = await fresh();
      const ids = await enqueue(store, ['u1', 'u2', 'u3']);
      const now = new Date(Date.now() + 1000);
      const claimed = await store.claimDeliveries('w1', 2, now, 30_000);
      expect(claimed.map((d) => d.id)).toEqual(ids.slice(0, 2));
      expect(claimed.every((d) => d.status === 'sending')).toBe(true);
      expect((await store.claimDeliveries('w2', 10, now, 30_000)).map((d) => d.id)).toEqual([ids[2]]);
      expect(await store.claimDeliveries('w3', 10, now, 30_000)).toEqual([]);
    });

    it('reclaims a sending delivery whose lease expired (crash recovery), not before', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 5_000);
      expect(await store.claimDeliveries('w2', 10, new Date(now.getTime() + 4_999), 5_000)).toEqual([]);
      const reclaimed = await store.claimDeliveries('w2', 10, new Date(now.getTime() + 5_000), 5_000);
      expect(reclaimed.map((d) => d.id)).toEqual([id]);
    });

    it('releases claimed deliveries back to the queue', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      await store.releaseDeliveries([id!]);
      expect((await store.claimDeliveries('w2', 10, now, 60_000)).map((d) => d.id)).toEqual([id]);
    });

    it('records a batch of outcomes: attempts, statuses, retry scheduling and export events', async () => {
      const store = await fresh();
      const [ok, retry, dead, aborted] = await enqueue(store, ['u1', 'u2', 'u3', 'u4']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      const at = now.toISOString();
      const retryAt = new Date(now.getTime() + 30_000);
      const outcomes: DeliveryOutcome[] = [
        { id: ok!, status: 'delivered', attempt: { attempt: 1, at, statusCode: 204, latencyMs: 12 }, request: { url: 'https://x' } },
        { id: retry!, status: 'retry', nextAttemptAt: retryAt.toISOString(), attempt: { attempt: 1, at, statusCode: 503, latencyMs: 8, error: 'HTTP 503' } },
        { id: dead!, status: 'dead', attempt: { attempt: 1, at, error: 'ECONNREFUSED', latencyMs: 1 } },
        { id: aborted!, status: 'aborted', abortReason: 'not at threshold' },
      ];
      await store.recordOutcomes(outcomes, now);

      const delivered = await store.getDelivery(ok!);
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, firstAttemptAt: at, request: { url: 'https://x' } });
      expect(delivered!.attempts_log).toEqual([{ deliveryId: ok, attempt: 1, at, statusCode: 204, latencyMs: 12 }]);
      const retried = await store.getDelivery(retry!);
      expect(retried).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: retryAt.toISOString(), lastError: 'HTTP 503' });
      expect(await store.getDelivery(dead!)).toMatchObject({ status: 'dead', lastError: 'ECONNREFUSED' });
      expect(await store.getDelivery(aborted!)).toMatchObject({ status: 'aborted', attempts: 0, abortReason: 'not at threshold' });

      expect((await store.nextDueAt())?.toISOString()).toBe(retryAt.toISOString());
      expect(await store.claimDeliveries('w1', 10, now, 60_000)).toEqual([]);
      expect((await store.claimDeliveries('w1', 10, retryAt, 60_000)).map((d) => d.id)).toEqual([retry]);

      const types = (await store.readExportEvents(0, 1000)).filter((e) => e.deliveryId).map((e) => `${e.type}:${e.deliveryId}`);
      expect(types).toEqual(
        expect.arrayContaining([
          `webhook_sent:${ok}`,
          `webhook_delivered:${ok}`,
          `webhook_failed:${retry}`,
          `webhook_dead:${dead}`,
          `webhook_aborted:${aborted}`,
        ]),
      );
      const abortEvent = (await store.readExportEvents(0, 1000)).find((e) => e.type === 'webhook_aborted');
      expect(abortEvent?.data).toMatchObject({ reason: 'not at threshold' });
    });

    it('writes nothing from a batch that contains an unknown delivery', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      await expect(
        store.recordOutcomes([{ id: id!, status: 'delivered' }, { id: 'missing', status: 'delivered' }], now),
      ).rejects.toThrow(/missing/);
      expect((await store.getDelivery(id!))?.status).toBe('sending');
    });

    it('replays a finished delivery with the same idempotency key', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const original = (await store.getDelivery(id!))!;
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      await store.recordOutcomes([{ id: id!, status: 'dead', attempt: { attempt: 1, at: now.toISOString(), latencyMs: 3, error: 'boom' } }], now);
      const replayed = await store.replayDelivery(id!, now);
      expect(replayed).toMatchObject({ id, status: 'queued', idempotencyKey: original.idempotencyKey, attempts: 0 });
      expect((await store.getDelivery(id!))!.attempts_log).toHaveLength(1);
      expect(await store.replayDelivery('missing', now)).toBeUndefined();
      await expect(store.replayDelivery(id!, now)).rejects.toThrow(/queued/);
    });

    it('lists deliveries newest first with filters and a beforeId cursor', async () => {
      const store = await fresh();
      const ids = await enqueue(store, ['u1', 'u2', 'u1']);
      await enqueue(store, ['u2'], 'c2');
      const all = await store.listDeliveries({});
      expect(all).toHaveLength(4);
      expect((await store.listDeliveries({ externalId: 'u1' })).map((d) => d.id)).toEqual([ids[2], ids[0]]);
      expect((await store.listDeliveries({ campaignId: 'c2' })).map((d) => d.campaignId)).toEqual(['c2']);
      expect(await store.listDeliveries({ status: 'delivered' })).toEqual([]);
      const page1 = await store.listDeliveries({ limit: 2 });
      const page2 = await store.listDeliveries({ limit: 2, beforeId: page1[1]!.id });
      expect([...page1, ...page2].map((d) => d.id)).toEqual(all.map((d) => d.id));
    });

    it('appends and pages export events by seq', async () => {
      const store = await fresh();
      await store.appendExportEvents([
        { type: 'custom', at: T0.toISOString(), data: { n: 1 } },
        { type: 'custom', at: T0.toISOString(), externalId: 'u1', data: { n: 2 } },
        { type: 'custom', at: T0.toISOString(), data: { n: 3 } },
      ]);
      const first = await store.readExportEvents(0, 2);
      expect(first.map((e) => e.data.n)).toEqual([1, 2]);
      expect(first[1]!.externalId).toBe('u1');
      const rest = await store.readExportEvents(first[1]!.seq, 10);
      expect(rest.map((e) => e.data.n)).toEqual([3]);
      expect(rest[0]!.seq).toBeGreaterThan(first[1]!.seq);
    });
  });
}
