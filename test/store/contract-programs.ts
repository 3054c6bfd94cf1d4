// Scoring-support part of the store contract: scoring programs inside applyTrack, memberships with
// due times, exactly-once due application, stored definitions and compare-and-set cursors.
import { describe, expect, it } from 'vitest';
import { CursorConflictError } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { batch, campaign, noSends, program, rules, score, T0 } from './contract-helpers.js';

const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs).toISOString();

const event = (externalId: string, name = 'opened') => ({ externalId, name, time: at(0), properties: {} });

/** Sends on every change of the lead score. */
const mql = campaign('mql', { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' });
/** 10 points per `opened`, one point less per second of inactivity. */
const p1 = program('p1', { windowMs: 1000 });
/** Scoring at T0 by `programs`, with the mql campaign or none. */
const scoring = (programs = [p1], campaigns = [mql]) => rules(campaigns, programs, T0);
const scores = (result: { activities: { externalId: string; changes: unknown[] }[] }) => result.activities.map((a) => `${a.externalId}:${JSON.stringify(a.changes)}`);
const decayOf = (user: string, before: number) => `${user}:${JSON.stringify([{ attribute: 'lead score', before, after: before - 1 }])}`;

export function runProgramContract(fresh: () => Promise<Store>): void {
  describe('scoring programs, memberships and due times', () => {
    it('scores before the campaigns plan, in the same transaction, and writes memberships', async () => {
      const store = await fresh();
      const result = await store.applyTrack(
        batch({ attributes: [{ externalId: 'u1', ops: { email: { op: 'set', value: 'a@b.c' } } }], events: [event('u1'), event('u1')] }),
        scoring([program('p1', { windowMs: 5000 })]),
      );
      expect(result.activities[0]!.after).toEqual({ email: 'a@b.c', 'lead score': 20 });
      expect(result.activities[0]!.changes).toEqual([
        { attribute: 'email', after: 'a@b.c' },
        { attribute: 'lead score', after: 20 },
      ]);
      expect(result.deliveries.map((d) => d.campaignId)).toEqual(['mql']);
      expect(result.scoreChanges).toBe(2);
      expect(await store.listMemberships('u1')).toEqual([{ programId: 'p1', externalId: 'u1', enteredAt: at(0), dueAt: at(5000) }]);
      expect((await store.nextMembershipDueAt())?.toISOString()).toBe(at(5000));
      const exported = await store.readExportEvents(0, 100);
      expect(exported.filter((e) => e.type === 'score_changed').map((e) => e.data.after)).toEqual([10, 20]);
      // A program without an inactivity path stops the schedule of its members.
      await store.applyTrack(batch({ events: [event('u1')] }), scoring([program('p1')], []));
      expect(await store.listMemberships('u1')).toEqual([{ programId: 'p1', externalId: 'u1', enteredAt: at(0), dueAt: null }]);
      expect(await store.nextMembershipDueAt()).toBeUndefined();
    });

    it('writes nothing when an operation of a later user is refused', async () => {
      const store = await fresh();
      await store.applyTrack(batch({ attributes: [{ externalId: 'u2', ops: { name: { op: 'set', value: 'x' } } }] }), noSends);
      const refused = batch({ events: [event('u1')], attributes: [{ externalId: 'u2', ops: { name: { op: 'inc', by: 1 } } }] });
      await expect(store.applyTrack(refused, scoring())).rejects.toMatchObject({ name: 'AttributeOpError', externalId: 'u2' });
      expect(await store.listMemberships('u1')).toEqual([]);
      expect(await store.getProfile('u1')).toBeUndefined();
    });

    it('applies each due time exactly once, through the campaigns, and moves the schedule on', async () => {
      const store = await fresh();
      for (const user of ['u1', 'u2', 'u3']) await store.applyTrack(batch({ events: [event(user)] }), scoring([p1], []));
      expect((await store.applyDueMemberships(new Date(at(999)), 10, scoring())).applied).toBe(0);
      const first = await store.applyDueMemberships(new Date(at(1000)), 2, scoring());
      expect(first.applied).toBe(2);
      expect(first.deliveries.map((d) => d.externalId)).toEqual(['u1', 'u2']);
      expect(first.activities[0]!.changes).toEqual([{ attribute: 'lead score', before: 10, after: 9 }]);
      const rest = await store.applyDueMemberships(new Date(at(1500)), 10, scoring());
      expect(rest.applied).toBe(1);
      // Nothing is due again until the next window; then each row decays once more.
      expect((await store.applyDueMemberships(new Date(at(1999)), 10, scoring())).applied).toBe(0);
      expect((await store.applyDueMemberships(new Date(at(2000)), 10, scoring())).applied).toBe(3);
      for (const user of ['u1', 'u2', 'u3']) expect((await store.getProfile(user))?.attributes['lead score']).toBe(8);
      expect((await store.listMemberships('u1'))[0]!.dueAt).toBe(at(3000));
      const decays = (await store.readExportEvents(0, 1000)).filter((e) => e.type === 'score_changed' && e.data.reason === 'inactivity');
      expect(decays).toHaveLength(6);
    });

    it('catches up every overdue window once, and a deleted program ends the membership', async () => {
      const store = await fresh();
      await store.applyTrack(batch({ events: [event('u1')] }), scoring([p1], []));
      let rounds = 0;
      while ((await store.applyDueMemberships(new Date(at(3500)), 1, scoring([p1], []))).applied > 0) rounds++;
      expect(rounds).toBe(3); // windows ending at 1000, 2000 and 3000
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(7);
      expect((await store.applyDueMemberships(new Date(at(4000)), 10, scoring([], []))).applied).toBe(1);
      expect(await store.listMemberships('u1')).toEqual([]);
      expect(await store.nextMembershipDueAt()).toBeUndefined();
    });

    it('applies several due rows of one user in order, each seeing the previous result', async () => {
      const store = await fresh();
      const half = (id: string) => program(id, { windowMs: 1000, points: 5 });
      await store.applyTrack(batch({ events: [event('u1')] }), scoring([half('p1'), half('p2')], []));
      await store.applyTrack(batch({ events: [event('u2')] }), scoring([p1], []));
      const result = await store.applyDueMemberships(new Date(at(1000)), 10, scoring([p1, program('p2', { windowMs: 1000 })]));
      expect(result.applied).toBe(3);
      // Claimed in due order (p1:u1, p1:u2, p2:u1): u1's second row sees the first one's decay.
      expect(scores(result)).toEqual([decayOf('u1', 10), decayOf('u2', 10), decayOf('u1', 9)]);
      expect(result.deliveries.map((d) => d.externalId)).toEqual(['u1', 'u2', 'u1']);
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(8);
      expect((await store.listMemberships('u1')).map((m) => `${m.programId}:${m.dueAt}`)).toEqual([`p1:${at(2000)}`, `p2:${at(2000)}`]);
    });

    it('a window moved before it ends is applied at its new due time only, for each program of the user', async () => {
      const store = await fresh();
      const windows = (p1Ms: number, p2Ms: number) => ['p1', 'p2', 'p3'].map((id) => program(id, { windowMs: id === 'p2' ? p2Ms : p1Ms, points: 1 }));
      await store.applyTrack(batch({ events: [event('u1')] }), scoring(windows(2000, 2000), []));
      // The windows of p1 and p3 restart later, p2's is shortened.
      await store.applyTrack(batch({ events: [event('u1')] }), scoring(windows(10_000, 1000), []));
      const later = scoring(windows(10_000, 1000), []);
      expect((await store.applyDueMemberships(new Date(at(2000)), 10, later)).applied).toBe(1);
      expect((await store.listMemberships('u1')).map((m) => `${m.programId}:${m.dueAt}`)).toEqual([`p1:${at(10_000)}`, `p2:${at(2000)}`, `p3:${at(10_000)}`]);
      expect(await store.nextMembershipDueAt()).toEqual(new Date(at(2000)));
      expect((await store.applyDueMemberships(new Date(at(1999)), 10, later)).applied).toBe(0);
      let rounds = 0;
      while ((await store.applyDueMemberships(new Date(at(9999)), 10, later)).applied > 0) rounds++;
      expect(rounds).toBe(8); // p2's windows ending at 2000 … 9000
      expect((await store.applyDueMemberships(new Date(at(10_000)), 10, later)).applied).toBe(3);
      expect((await store.listMemberships('u1')).map((m) => `${m.programId}:${m.dueAt}`)).toEqual([
        `p1:${at(20_000)}`,
        `p2:${at(11_000)}`,
        `p3:${at(20_000)}`,
      ]);
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(6 - 12);
    });

    it('concurrent callers never apply the same due time twice', async () => {
      const store = await fresh();
      const users = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      for (const user of users) await store.applyTrack(batch({ events: [event(user)] }), scoring([p1], []));
      const now = new Date(at(1000));
      const results = await Promise.all(Array.from({ length: 4 }, () => store.applyDueMemberships(now, 5, scoring([p1], []))));
      let applied = results.reduce((n, r) => n + r.applied, 0);
      while (applied < users.length) {
        const more = (await store.applyDueMemberships(now, 5, scoring([p1], []))).applied;
        if (more === 0) break;
        applied += more;
      }
      expect(applied).toBe(users.length);
      for (const user of users) expect((await store.getProfile(user))?.attributes['lead score']).toBe(9);
    });
  });

  describe('stored definitions', () => {
    it('puts, lists by kind, gets, updates and deletes; deleting a program drops its memberships', async () => {
      const store = await fresh();
      const created = await store.putDefinition('scoring_program', 'p1', { name: 'P1' });
      await store.putDefinition('sync', 'p1', { name: 'a sync with the same id' });
      await store.putDefinition('scoring_program', 'a0', { name: 'A0' });
      expect((await store.listDefinitions('scoring_program')).map((d) => d.id)).toEqual(['a0', 'p1']);
      const updated = await store.putDefinition('scoring_program', 'p1', { name: 'P1b' });
      expect(updated.createdAt).toBe(created.createdAt);
      expect(await store.getDefinition('scoring_program', 'p1')).toMatchObject({ kind: 'scoring_program', definition: { name: 'P1b' } });
      await store.applyTrack(batch({ events: [event('u1')] }), scoring([p1], []));
      expect(await store.deleteDefinition('scoring_program', 'p1')).toBe(true);
      expect(await store.deleteDefinition('scoring_program', 'p1')).toBe(false);
      expect(await store.listMemberships('u1')).toEqual([]);
      expect(await store.getDefinition('sync', 'p1')).toMatchObject({ definition: { name: 'a sync with the same id' } });
    });

    it('keeps content blocks as a kind of their own', async () => {
      const store = await fresh();
      await store.putDefinition('content_block', 'footer', { content: 'Bye {{${first_name}}}' });
      await store.putDefinition('sync', 'footer', { name: 'same id, other kind' });
      expect((await store.listDefinitions('content_block')).map((d) => [d.id, d.definition])).toEqual([['footer', { content: 'Bye {{${first_name}}}' }]]);
      expect(await store.deleteDefinition('content_block', 'footer')).toBe(true);
      expect(await store.listDefinitions('content_block')).toEqual([]);
      expect(await store.getDefinition('sync', 'footer')).toBeDefined();
    });
  });

  describe('cursors', () => {
    it('moves by compare-and-set, alone or with a batch', async () => {
      const store = await fresh();
      expect(await store.getCursor('sync:a')).toBeUndefined();
      await store.moveCursor({ name: 'sync:a', expected: null, value: '1' });
      await expect(store.moveCursor({ name: 'sync:a', expected: null, value: '2' })).rejects.toBeInstanceOf(CursorConflictError);
      await store.applyTrack(score('u1', 1), noSends, { cursor: { name: 'sync:a', expected: '1', value: '2' } });
      expect(await store.getCursor('sync:a')).toBe('2');
      await expect(
        store.applyTrack(score('u1', 1), noSends, { cursor: { name: 'sync:a', expected: '1', value: '3' } }),
      ).rejects.toMatchObject({ name: 'CursorConflictError', actual: '2' });
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(1);
      expect(await store.getCursor('sync:a')).toBe('2');
    });
  });
}
