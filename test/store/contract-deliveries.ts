// Outbox part of the store contract: claims, leases, outcomes, replay, listing, export stream.
import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { batch, campaign, noSends, rules, score, sendOnce, T0 } from './contract-helpers.js';

async function enqueue(store: Store, users: string[], campaignId = 'c1'): Promise<string[]> {
  const ids: string[] = [];
  for (const user of users) {
    const { deliveries } = await store.applyTrack(score(user, 1), sendOnce(campaignId));
    ids.push(...deliveries.map((d) => d.id));
  }
  return ids;
}

/**
 * A lease that is over as soon as it is given. Lease times come from the database clock on
 * PostgreSQL, so a test cannot pass a later `now` to make a lease lapse; it claims (or renews)
 * with a lease already over instead, and with a long one where the lease must hold.
 */
const OVER = -1;
const HELD = 60_000;

export function runDeliveryContract(fresh: () => Promise<Store>): void {
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
      const before = Date.now();
      await store.claimDeliveries('w1', 10, new Date(), HELD);
      const after = Date.now();
      expect(await store.claimDeliveries('w2', 10, new Date(), HELD)).toEqual([]);
      // The sleeping worker wakes when the lease ends.
      const leaseEnd = (await store.nextDueAt())!.getTime();
      expect(leaseEnd).toBeGreaterThanOrEqual(before + HELD - 1);
      expect(leaseEnd).toBeLessThanOrEqual(after + HELD + 1);
      // The owner stops renewing: its last renewal was the last of its lease.
      await store.renewLeases('w1', [id!], new Date(), OVER);
      const reclaimed = await store.claimDeliveries('w2', 10, new Date(), HELD);
      expect(reclaimed.map((d) => d.id)).toEqual([id]);
    });

    it('writes the first new deliveries already leased to the owner, as many as the lease names', async () => {
      const store = await fresh();
      const lease = { owner: 'w1', leaseMs: HELD, count: 2 };
      const users = batch({ attributes: ['u1', 'u2', 'u3'].map((externalId) => ({ externalId, ops: { 'lead score': { op: 'inc', by: 1 } } })) });
      const now = new Date();
      const { deliveries } = await store.applyTrack(users, sendOnce('c1'), { lease });
      expect(deliveries.map((d) => d.status)).toEqual(['sending', 'sending', 'queued']);
      // Only the delivery that was not reserved can be claimed while the leases hold.
      const claimed = await store.claimDeliveries('w2', 10, new Date(now.getTime() + 1_000), HELD);
      expect(claimed.map((d) => d.id)).toEqual([deliveries[2]!.id]);
      expect((await store.nextDueAt())!.getTime()).toBeGreaterThanOrEqual(now.getTime() + HELD - 1);
      // The owner's outcome applies; once the lease is over, another worker takes the other one over.
      const recorded = await store.recordOutcomes([{ id: deliveries[0]!.id, status: 'delivered' }], now, { owner: 'w1' });
      expect(recorded.deliveries).toEqual([]);
      expect((await store.getDelivery(deliveries[0]!.id))?.status).toBe('delivered');
      await store.renewLeases('w1', [deliveries[1]!.id], new Date(), OVER);
      const lapsed = await store.claimDeliveries('w2', 10, new Date(), HELD);
      expect(lapsed.map((d) => d.id)).toEqual([deliveries[1]!.id]);
    });

    it('nextDueAt is the earliest queued due time, undefined when nothing waits', async () => {
      const store = await fresh();
      expect(await store.nextDueAt()).toBeUndefined();
      const [first] = await enqueue(store, ['u1', 'u2']);
      const delivery = await store.getDelivery(first!);
      expect((await store.nextDueAt())?.toISOString()).toBe(delivery!.nextAttemptAt);
      const now = new Date(Date.now() + 1000);
      const claimed = await store.claimDeliveries('w1', 10, now, 60_000);
      await store.recordOutcomes(claimed.map((d) => ({ id: d.id, status: 'delivered' as const })), now);
      expect(await store.nextDueAt()).toBeUndefined();
    });

    it('releases claimed deliveries back to the queue', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      await store.releaseDeliveries('w1', [id!]);
      expect((await store.claimDeliveries('w2', 10, now, 60_000)).map((d) => d.id)).toEqual([id]);
    });

    it('releases only what the owner still holds: a delivery taken over or finished stays as it is', async () => {
      const store = await fresh();
      const [taken, done, mine] = await enqueue(store, ['u1', 'u2', 'u3']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, OVER);
      // w2 takes the first over; the second finishes under w2; w1 still holds only the third.
      expect((await store.claimDeliveries('w2', 2, now, HELD)).map((d) => d.id)).toEqual([taken, done]);
      await store.recordOutcomes([{ id: done!, status: 'delivered' }], now, { owner: 'w2' });
      await store.renewLeases('w1', [mine!], now, HELD);
      await store.releaseDeliveries('w1', [taken!, done!, mine!]);
      expect(await store.getDelivery(taken!)).toMatchObject({ status: 'sending' });
      expect(await store.getDelivery(done!)).toMatchObject({ status: 'delivered' });
      expect((await store.claimDeliveries('w3', 10, now, HELD)).map((d) => d.id)).toEqual([mine]);
    });

    it('records a batch of outcomes: attempts, statuses, retry scheduling and export events', async () => {
      const store = await fresh();
      const [ok, retry, dead, aborted, failed] = await enqueue(store, ['u1', 'u2', 'u3', 'u4', 'u5']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      const at = now.toISOString();
      const retryAt = new Date(now.getTime() + 30_000);
      const outcomes: DeliveryOutcome[] = [
        { id: ok!, status: 'delivered', attempt: { attempt: 1, at, statusCode: 204, latencyMs: 12 }, request: { url: 'https://x' } },
        { id: retry!, status: 'retry', nextAttemptAt: retryAt.toISOString(), attempt: { attempt: 1, at, statusCode: 503, latencyMs: 8, error: 'HTTP 503' } },
        { id: dead!, status: 'dead', attempt: { attempt: 1, at, error: 'ECONNREFUSED', latencyMs: 1 } },
        { id: aborted!, status: 'aborted', abortReason: 'not at threshold' },
        { id: failed!, status: 'failed', attempt: { attempt: 1, at, statusCode: 400, latencyMs: 4 }, error: 'HTTP 400' },
      ];
      await store.recordOutcomes(outcomes, now);

      const delivered = await store.getDelivery(ok!);
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, firstAttemptAt: at, request: { url: 'https://x' } });
      expect(delivered!.attempts_log).toEqual([{ deliveryId: ok, attempt: 1, at, statusCode: 204, latencyMs: 12, request: { url: 'https://x' } }]);
      const retried = await store.getDelivery(retry!);
      expect(retried).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: retryAt.toISOString(), lastError: 'HTTP 503' });
      expect(await store.getDelivery(dead!)).toMatchObject({ status: 'dead', lastError: 'ECONNREFUSED' });
      expect(await store.getDelivery(aborted!)).toMatchObject({ status: 'aborted', attempts: 0, abortReason: 'not at threshold' });
      expect(await store.getDelivery(failed!)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 400' });

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
          `webhook_failed:${failed}`,
        ]),
      );
      const abortEvent = (await store.readExportEvents(0, 1000)).find((e) => e.type === 'webhook_aborted');
      expect(abortEvent?.data).toMatchObject({ reason: 'not at threshold' });
    });

    it('shows the request of the latest outcome: an attempt keeps its own, an abort its log', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      let now = new Date(Date.now() + 1000);
      const step = async (outcome: Omit<DeliveryOutcome, 'id'>) => {
        expect((await store.claimDeliveries('w1', 10, now, 60_000)).map((d) => d.id)).toEqual([id]);
        await store.recordOutcomes([{ id: id!, ...outcome } as DeliveryOutcome], now);
        now = new Date(now.getTime() + 1000);
        return (await store.getDelivery(id!))!;
      };
      const attempt = (n: number, statusCode: number) => ({ attempt: n, at: now.toISOString(), statusCode, latencyMs: 3 });
      const first = await step({ status: 'retry', nextAttemptAt: now.toISOString(), attempt: attempt(1, 503), request: { url: 'https://x/1' } });
      expect(first.request).toEqual({ url: 'https://x/1' });
      const aborted = await step({ status: 'aborted', abortReason: 'not at threshold', request: { connected_content: [] } });
      expect(aborted.request).toEqual({ connected_content: [] });
      await store.replayDelivery(id!, now);
      const delivered = await step({ status: 'delivered', attempt: attempt(2, 204), request: { url: 'https://x/2' } });
      expect(delivered.request).toEqual({ url: 'https://x/2' });
      await store.replayDelivery(id!, now, { force: true });
      // An outcome without a request log leaves the last one shown.
      const failed = await step({ status: 'failed', attempt: attempt(3, 400), error: 'HTTP 400' });
      expect(failed.request).toEqual({ url: 'https://x/2' });
      expect(failed.attempts_log.map((a) => [a.statusCode, a.request?.url])).toEqual([[503, 'https://x/1'], [204, 'https://x/2'], [400, undefined]]);
    });

    it('keeps the message_extras of each send with its attempt; the delivery shows its latest send\'s, webhook_sent carries them', async () => {
      const store = await fresh();
      const [id, plain] = await enqueue(store, ['u1', 'u2']);
      let now = new Date(Date.now() + 1000);
      const step = async (outcome: Omit<DeliveryOutcome, 'id'>, which = id!) => {
        const claimed = (await store.claimDeliveries('w1', 10, now, 60_000)).map((d) => d.id);
        expect(claimed).toContain(which);
        await store.recordOutcomes([{ id: which, ...outcome } as DeliveryOutcome], now);
        await store.releaseDeliveries('w1', claimed.filter((other) => other !== which));
        now = new Date(now.getTime() + 1000);
        return (await store.getDelivery(which))!;
      };
      const attempt = (n: number, statusCode: number) => ({ attempt: n, at: now.toISOString(), statusCode, latencyMs: 3 });
      // Key order is kept as the template met the tags.
      const first = await step({ status: 'retry', nextAttemptAt: now.toISOString(), attempt: attempt(1, 503), messageExtras: { plan: 'pro', 'a key': 'é "q"' } });
      expect(first.messageExtras).toEqual({ plan: 'pro', 'a key': 'é "q"' });
      expect(Object.keys(first.messageExtras!)).toEqual(['plan', 'a key']);
      // An abort sends nothing and records no pairs: the latest send is still the first.
      const aborted = await step({ status: 'aborted', abortReason: 'no plan', request: { connected_content: [] } });
      expect(aborted.messageExtras).toEqual({ plan: 'pro', 'a key': 'é "q"' });
      await store.replayDelivery(id!, now);
      const delivered = await step({ status: 'delivered', attempt: attempt(2, 204), messageExtras: { plan: 'team' } });
      expect(delivered.messageExtras).toEqual({ plan: 'team' });
      expect(delivered.attempts_log.map((a) => a.messageExtras)).toEqual([{ plan: 'pro', 'a key': 'é "q"' }, { plan: 'team' }]);
      // An outcome recorded without pairs (a template without the tag) shows none.
      const none = await step({ status: 'delivered', attempt: attempt(1, 200) }, plain!);
      expect(none.messageExtras).toBeUndefined();
      expect(none.attempts_log[0]!.messageExtras).toBeUndefined();

      const sent = (await store.readExportEvents(0, 1000)).filter((e) => e.type === 'webhook_sent');
      expect(sent.map((e) => [e.deliveryId, e.data.message_extras])).toEqual([
        [id, { plan: 'pro', 'a key': 'é "q"' }],
        [id, { plan: 'team' }],
        [plain, {}],
      ]);
      const verdicts = (await store.readExportEvents(0, 1000)).filter((e) => e.type !== 'webhook_sent' && e.deliveryId);
      expect(verdicts.every((e) => !('message_extras' in e.data))).toBe(true);
    });

    it('replays by one rule: dead, failed, aborted as they are; delivered only with force; never while sending', async () => {
      const store = await fresh();
      const [dead, failed, aborted, delivered, sending] = await enqueue(store, ['u1', 'u2', 'u3', 'u4', 'u5']);
      const now = new Date(Date.now() + 1000);
      const at = now.toISOString();
      await store.claimDeliveries('w1', 10, now, 60_000);
      await store.recordOutcomes(
        [
          { id: dead!, status: 'dead', attempt: { attempt: 1, at, latencyMs: 1, error: 'ECONNREFUSED' }, firstAttemptAt: at },
          { id: failed!, status: 'failed', attempt: { attempt: 1, at, statusCode: 400, latencyMs: 1 }, firstAttemptAt: at },
          { id: aborted!, status: 'aborted', abortReason: 'not at threshold' },
          { id: delivered!, status: 'delivered', attempt: { attempt: 1, at, statusCode: 204, latencyMs: 1 }, firstAttemptAt: at },
        ],
        now,
      );
      const later = new Date(now.getTime() + 60_000);
      for (const id of [dead!, failed!, aborted!]) {
        const replayed = await store.replayDelivery(id, later);
        expect(replayed).toMatchObject({ id, status: 'queued', nextAttemptAt: later.toISOString() });
        expect(replayed?.abortReason).toBeUndefined();
        // A new retry window; the attempt count goes on, so it still matches the log.
        expect(replayed?.firstAttemptAt).toBeUndefined();
        const logged = (await store.getDelivery(id))!;
        expect(logged.attempts).toBe(logged.attempts_log.length);
      }
      const refusal = (id: string, force?: boolean) => store.replayDelivery(id, later, force === undefined ? undefined : { force }).then(() => undefined, (e: unknown) => e);
      expect(await refusal(delivered!)).toMatchObject({ name: 'ReplayRefusedError', reason: 'already_delivered' });
      expect(await refusal(delivered!, false)).toMatchObject({ reason: 'already_delivered' });
      expect((await store.getDelivery(delivered!))?.status).toBe('delivered');
      expect(await refusal(sending!)).toMatchObject({ reason: 'in_progress', message: expect.stringContaining('delivery is sending') });
      expect(await refusal(dead!)).toMatchObject({ reason: 'in_progress', message: expect.stringContaining('delivery is queued') });
      expect(await store.replayDelivery(delivered!, later, { force: true })).toMatchObject({ status: 'queued', attempts: 1 });
      expect(await store.replayDelivery('no-such-delivery', later)).toBeUndefined();

      // The replayed send's next attempt is attempt 2 and opens the new window.
      const again = new Date(later.getTime() + 1000);
      expect((await store.claimDeliveries('w1', 10, again, 60_000)).map((d) => d.id)).toContain(dead);
      await store.recordOutcomes([{ id: dead!, status: 'dead', attempt: { attempt: 2, at: again.toISOString(), latencyMs: 1, error: 'ECONNREFUSED' }, firstAttemptAt: again.toISOString() }], again);
      const twice = (await store.getDelivery(dead!))!;
      expect(twice.attempts).toBe(2);
      expect(twice.attempts_log.map((a) => a.attempt)).toEqual([1, 2]);
      expect(twice.firstAttemptAt).toBe(again.toISOString());
    });

    it('a send that never reached the user does not count for re-eligibility', async () => {
      const store = await fresh();
      const lastEnqueued = async (user: string) => {
        const probe = await store.applyTrack(batch({ events: [{ externalId: user, name: 'probe', time: T0.toISOString(), properties: {} }] }), noSends);
        return Object.keys(probe.activities[0]!.lastEnqueuedAt);
      };
      const [kept, dropped] = await enqueue(store, ['u1', 'u2']);
      expect(await lastEnqueued('u2')).toEqual(['c1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, 60_000);
      await store.recordOutcomes(
        [
          { id: kept!, status: 'delivered' },
          { id: dropped!, status: 'aborted', abortReason: 'not at threshold' },
        ],
        now,
      );
      expect(await lastEnqueued('u1')).toEqual(['c1']);
      expect(await lastEnqueued('u2')).toEqual([]);
      await store.replayDelivery(dropped!, now);
      expect(await lastEnqueued('u2')).toEqual(['c1']);
    });

    it('with an owner, ignores a late outcome from a worker whose lease was taken over', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, OVER);
      const later = new Date(now.getTime() + 5_000);
      expect((await store.claimDeliveries('w2', 10, later, HELD)).map((d) => d.id)).toEqual([id]);
      const at = later.toISOString();
      await store.recordOutcomes(
        [{ id: id!, status: 'dead', attempt: { attempt: 1, at, latencyMs: 5_000, error: 'timeout' } }],
        later,
        { owner: 'w1' },
      );
      const untouched = await store.getDelivery(id!);
      expect(untouched).toMatchObject({ status: 'sending', attempts: 0, attempts_log: [] });
      expect((await store.readExportEvents(0, 100)).filter((e) => e.deliveryId === id).map((e) => e.type)).toEqual(['webhook_enqueued']);
      await store.recordOutcomes([{ id: id!, status: 'delivered', attempt: { attempt: 1, at, statusCode: 204, latencyMs: 3 } }], later, {
        owner: 'w2',
      });
      expect(await store.getDelivery(id!)).toMatchObject({ status: 'delivered', attempts: 1 });
      // Once finished, no owner holds it: a repeat from the holder is ignored too.
      await store.recordOutcomes([{ id: id!, status: 'dead' }], later, { owner: 'w2' });
      expect((await store.getDelivery(id!))?.status).toBe('delivered');
    });

    it('commits on-delivered updates with their outcomes: only for outcomes written, a refused one alone left out', async () => {
      const store = await fresh();
      const [held, lost, refused] = await enqueue(store, ['u1', 'u2', 'u3']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, OVER);
      const later = new Date(now.getTime() + 5_000);
      await store.applyTrack({ attributes: [{ externalId: 'u3', ops: { status: { op: 'set', value: 'open' } } }], events: [], purchases: [] }, noSends);
      // w2 takes over u2's delivery: w1's verdict on it, and its update, must not land.
      await store.renewLeases('w1', [held!, refused!], later, HELD);
      expect((await store.claimDeliveries('w2', 10, later, HELD)).map((d) => d.id)).toEqual([lost]);
      const set = (user: string, ops: Record<string, unknown>) => ({ attributes: [{ externalId: user, ops: ops as never }], events: [], purchases: [] });
      const result = await store.recordOutcomes(
        [held!, lost!, refused!].map((id) => ({ id, status: 'delivered' as const })),
        later,
        {
          owner: 'w1',
          updates: [
            { deliveryId: held!, batch: set('u1', { lead_status: { op: 'set', value: 'MQL' } }) },
            { deliveryId: lost!, batch: set('u2', { lead_status: { op: 'set', value: 'MQL' } }) },
            // Incrementing a string: the profile refuses it.
            { deliveryId: refused!, batch: set('u3', { status: { op: 'inc', by: 1 } }) },
          ],
          rules: rules([campaign('handoff', { type: 'custom_attribute_changed', attribute: 'lead_status', change: 'any' })]),
        },
      );
      expect((await store.getProfile('u1'))?.attributes.lead_status).toBe('MQL');
      expect((await store.getProfile('u2'))?.attributes.lead_status).toBeUndefined();
      expect((await store.getProfile('u3'))?.attributes.status).toBe('open');
      expect(result.refused.map((r) => r.deliveryId)).toEqual([refused]);
      expect(result.deliveries.map((d) => [d.campaignId, d.externalId])).toEqual([['handoff', 'u1']]);
      expect((await store.getDelivery(held!))?.status).toBe('delivered');
      expect((await store.getDelivery(refused!))?.status).toBe('delivered');
      expect((await store.getDelivery(lost!))?.status).toBe('sending');
    });

    it('renews the leases an owner still holds, and only those', async () => {
      const store = await fresh();
      const [mine, taken, done] = await enqueue(store, ['u1', 'u2', 'u3']);
      const now = new Date(Date.now() + 1000);
      await store.claimDeliveries('w1', 10, now, OVER);
      // w2 takes `mine` over, with a lease that is over at once too.
      expect((await store.claimDeliveries('w2', 1, now, OVER)).map((d) => d.id)).toEqual([mine]);
      await store.recordOutcomes([{ id: done!, status: 'delivered' }], now);
      const [queued] = await enqueue(store, ['u4']);
      // w1 now holds only `taken`: `mine` is w2's, `done` finished, `queued` was never claimed.
      expect(await store.renewLeases('w1', [mine!, taken!, done!, queued!, 'missing'], now, HELD)).toBe(1);
      expect(await store.renewLeases('w1', [], now, HELD)).toBe(0);
      // The renewed lease holds; the other owner's lease was not extended.
      const reclaimed = await store.claimDeliveries('w3', 10, new Date(now.getTime() + 1_000), HELD);
      expect(reclaimed.map((d) => d.id).sort()).toEqual([queued!, mine!].sort());
      expect((await store.getDelivery(done!))?.status).toBe('delivered');
      await store.renewLeases('w1', [taken!], now, OVER);
      expect((await store.claimDeliveries('w3', 10, now, HELD)).map((d) => d.id)).toEqual([taken]);
    });

    it('keeps the failure code beside the last error, exports it, and clears both on delivery', async () => {
      const store = await fresh();
      const [id] = await enqueue(store, ['u1']);
      let now = new Date(Date.now() + 1000);
      const round = async (outcome: Omit<DeliveryOutcome, 'id'>) => {
        now = new Date(now.getTime() + 1000);
        await store.claimDeliveries('w1', 10, now, 60_000);
        await store.recordOutcomes([{ id: id!, ...outcome }], now, { owner: 'w1' });
        const delivery = (await store.getDelivery(id!))!;
        return [delivery.lastError, delivery.failureCode];
      };
      const attempt = (n: number) => ({ attempt: n, at: now.toISOString(), statusCode: 503, latencyMs: 3 });
      expect(await round({ status: 'retry', attempt: attempt(1), error: 'HTTP 503', code: 'http_status', nextAttemptAt: now.toISOString() })).toEqual(['HTTP 503', 'http_status']);
      // An outcome without an error keeps both; a new error replaces both, even without a code.
      expect(await round({ status: 'retry', nextAttemptAt: now.toISOString() })).toEqual(['HTTP 503', 'http_status']);
      expect(await round({ status: 'retry', attempt: attempt(2), error: 'odd', nextAttemptAt: now.toISOString() })).toEqual(['odd', undefined]);
      expect(await round({ status: 'dead', error: 'timeout: no answer', code: 'timeout' })).toEqual(['timeout: no answer', 'timeout']);
      const exported = (await store.readExportEvents(0, 100)).filter((e) => e.deliveryId === id && ['webhook_failed', 'webhook_dead'].includes(e.type));
      expect(exported.map((e) => e.data.failure_code ?? null)).toEqual(['http_status', null, null, 'timeout']);
      await store.replayDelivery(id!, now);
      expect(await round({ status: 'delivered', attempt: { ...attempt(1), statusCode: 204 } })).toEqual([undefined, undefined]);
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
      expect(replayed).toMatchObject({ id, status: 'queued', idempotencyKey: original.idempotencyKey, attempts: 1 });
      expect((await store.getDelivery(id!))!.attempts_log).toHaveLength(1);
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
