// Scoring-support part of the store contract: enricher hook, memberships with due times,
// exactly-once due application, stored definitions and compare-and-set cursors.
import { describe, expect, it } from 'vitest';
import { CursorConflictError } from '../../src/store/index.js';
import type { ActivityEnricher, DueHandler, EnrichInput, SendPlanner } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { batch, noSends, score, sendOnce, T0 } from './contract-helpers.js';

const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs).toISOString();

/** Enters every user into program p1 with a due time, and adds 10 points per event. */
const pointsPerEvent =
  (dueAt: string | null, seen: EnrichInput[] = []): ActivityEnricher =>
  (input) => {
    seen.push(input);
    return {
      ops: input.events.map(() => ({ 'lead score': { op: 'inc', by: 10 } })),
      memberships: [{ programId: 'p1', action: 'upsert', enteredAt: at(0), dueAt }],
      exports: input.events.length > 0 ? [{ type: 'score_changed', data: { by: 10 * input.events.length } }] : [],
    };
  };

const event = (externalId: string, name = 'opened') => ({ externalId, name, time: at(0), properties: {} });

/** Lowers the score by 1 and schedules the next window 1000 ms later. */
const decayByOne: DueHandler = (due) => ({
  ops: { 'lead score': { op: 'inc', by: -1 } },
  next: { dueAt: new Date(Date.parse(due.dueAt) + 1000).toISOString() },
  exports: [{ type: 'score_changed', data: { reason: 'decay', due_at: due.dueAt } }],
});

export function runProgramContract(fresh: () => Promise<Store>): void {
  describe('enricher, memberships and due times', () => {
    it('applies the enricher before the planner, in the same transaction, and writes memberships', async () => {
      const store = await fresh();
      const seen: EnrichInput[] = [];
      const planned: string[] = [];
      const planner: SendPlanner = (a) => {
        planned.push(`${a.externalId}:${JSON.stringify(a.changes)}`);
        return sendOnce('mql')(a);
      };
      const result = await store.applyTrack(
        batch({ attributes: [{ externalId: 'u1', ops: { email: { op: 'set', value: 'a@b.c' } } }], events: [event('u1'), event('u1')] }),
        planner,
        { enricher: pointsPerEvent(at(5000), seen) },
      );
      expect(seen[0]).toMatchObject({ externalId: 'u1', before: undefined, after: { email: 'a@b.c' }, memberships: [] });
      expect(seen[0]!.changes).toEqual([{ attribute: 'email', before: undefined, after: 'a@b.c' }]);
      expect(result.activities[0]!.after).toEqual({ email: 'a@b.c', 'lead score': 20 });
      expect(planned).toEqual([
        `u1:${JSON.stringify([
          { attribute: 'email', after: 'a@b.c' },
          { attribute: 'lead score', after: 20 },
        ])}`,
      ]);
      expect(result.deliveries).toHaveLength(1);
      expect(await store.listMemberships('u1')).toEqual([{ programId: 'p1', externalId: 'u1', enteredAt: at(0), dueAt: at(5000) }]);
      expect((await store.nextMembershipDueAt())?.toISOString()).toBe(at(5000));
      const exported = await store.readExportEvents(0, 100);
      expect(exported.find((e) => e.type === 'score_changed')).toMatchObject({ externalId: 'u1', data: { by: 20 } });
      const second: EnrichInput[] = [];
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: pointsPerEvent(null, second) });
      expect(second[0]!.memberships).toEqual([{ programId: 'p1', externalId: 'u1', enteredAt: at(0), dueAt: at(5000) }]);
      expect(await store.nextMembershipDueAt()).toBeUndefined();
    });

    it('rolls back the enricher writes when the planner throws', async () => {
      const store = await fresh();
      const failing: SendPlanner = () => {
        throw new Error('planner failed');
      };
      await expect(store.applyTrack(batch({ events: [event('u1')] }), failing, { enricher: pointsPerEvent(at(1)) })).rejects.toThrow(
        'planner failed',
      );
      expect(await store.listMemberships('u1')).toEqual([]);
      expect(await store.getProfile('u1')).toBeUndefined();
    });

    it('deletes a membership on request and refuses an operation the profile does not allow', async () => {
      const store = await fresh();
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: pointsPerEvent(at(1)) });
      await store.applyTrack(score('u1', 1), noSends, {
        enricher: () => ({ ops: [], memberships: [{ programId: 'p1', action: 'delete' }], exports: [] }),
      });
      expect(await store.listMemberships('u1')).toEqual([]);
      await store.applyTrack(batch({ attributes: [{ externalId: 'u2', ops: { name: { op: 'set', value: 'x' } } }] }), noSends);
      const bad: ActivityEnricher = () => ({ ops: [{ name: { op: 'inc', by: 1 } }], memberships: [], exports: [] });
      await expect(store.applyTrack(batch({ events: [event('u2')] }), noSends, { enricher: bad })).rejects.toMatchObject({
        name: 'AttributeOpError',
        externalId: 'u2',
      });
    });

    it('applies each due time exactly once, through the planner, and moves the schedule on', async () => {
      const store = await fresh();
      for (const user of ['u1', 'u2', 'u3'])
        await store.applyTrack(batch({ events: [event(user)] }), noSends, { enricher: pointsPerEvent(at(1000)) });
      const planner = sendOnce('mql');
      expect((await store.applyDueMemberships(new Date(at(999)), 10, decayByOne, planner)).applied).toBe(0);
      const first = await store.applyDueMemberships(new Date(at(1000)), 2, decayByOne, planner);
      expect(first.applied).toBe(2);
      expect(first.deliveries.map((d) => d.externalId)).toEqual(['u1', 'u2']);
      expect(first.activities[0]!.changes).toEqual([{ attribute: 'lead score', before: 10, after: 9 }]);
      const rest = await store.applyDueMemberships(new Date(at(1500)), 10, decayByOne, planner);
      expect(rest.applied).toBe(1);
      // Nothing is due again until the next window; then each row decays once more.
      expect((await store.applyDueMemberships(new Date(at(1999)), 10, decayByOne, planner)).applied).toBe(0);
      expect((await store.applyDueMemberships(new Date(at(2000)), 10, decayByOne, planner)).applied).toBe(3);
      for (const user of ['u1', 'u2', 'u3']) expect((await store.getProfile(user))?.attributes['lead score']).toBe(8);
      expect((await store.listMemberships('u1'))[0]!.dueAt).toBe(at(3000));
      const decays = (await store.readExportEvents(0, 1000)).filter((e) => e.type === 'score_changed' && e.data.reason === 'decay');
      expect(decays).toHaveLength(6);
    });

    it('catches up every overdue window once, and a leave verdict ends the membership', async () => {
      const store = await fresh();
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: pointsPerEvent(at(1000)) });
      let rounds = 0;
      while ((await store.applyDueMemberships(new Date(at(3500)), 1, decayByOne, noSends)).applied > 0) rounds++;
      expect(rounds).toBe(3); // windows ending at 1000, 2000 and 3000
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(7);
      const leave: DueHandler = () => ({ ops: {}, next: 'leave', exports: [] });
      expect((await store.applyDueMemberships(new Date(at(4000)), 10, leave, noSends)).applied).toBe(1);
      expect(await store.listMemberships('u1')).toEqual([]);
      expect(await store.nextMembershipDueAt()).toBeUndefined();
    });

    it('applies several due rows of one user in order, each handler seeing the previous result', async () => {
      const store = await fresh();
      const twoPrograms: ActivityEnricher = () => ({
        ops: [{ 'lead score': { op: 'set', value: 10 } }],
        memberships: ['p2', 'p1'].map((programId) => ({ programId, action: 'upsert' as const, enteredAt: at(0), dueAt: at(1000) })),
        exports: [],
      });
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: twoPrograms });
      await store.applyTrack(batch({ events: [event('u2')] }), noSends, { enricher: pointsPerEvent(at(1000)) });
      const seen: string[] = [];
      const recording: DueHandler = (due, attributes) => (seen.push(`${due.programId}:${due.externalId}:${attributes['lead score']}`), decayByOne(due, attributes));
      const result = await store.applyDueMemberships(new Date(at(1000)), 10, recording, sendOnce('mql'));
      expect(result.applied).toBe(3);
      expect(seen).toEqual(['p1:u1:10', 'p1:u2:10', 'p2:u1:9']);
      expect(result.activities.map((a) => `${a.externalId}:${JSON.stringify(a.changes)}`)).toEqual([
        `u1:${JSON.stringify([{ attribute: 'lead score', before: 10, after: 9 }])}`,
        `u2:${JSON.stringify([{ attribute: 'lead score', before: 10, after: 9 }])}`,
        `u1:${JSON.stringify([{ attribute: 'lead score', before: 9, after: 8 }])}`,
      ]);
      expect(result.deliveries.map((d) => d.externalId)).toEqual(['u1', 'u2', 'u1']);
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(8);
      expect((await store.listMemberships('u1')).map((m) => `${m.programId}:${m.dueAt}`)).toEqual([`p1:${at(2000)}`, `p2:${at(2000)}`]);
    });

    it('a window moved before it ends is applied at its new due time only, for each program of the user', async () => {
      const store = await fresh();
      const windows =
        (p1: string, p2: string): ActivityEnricher =>
        () => ({
          ops: [],
          memberships: ['p1', 'p2', 'p3'].map((programId) => ({
            programId,
            action: 'upsert' as const,
            enteredAt: at(0),
            dueAt: programId === 'p2' ? p2 : p1,
          })),
          exports: [],
        });
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: windows(at(1000), at(1000)) });
      // The windows of p1 and p3 restart later, p2's is shortened.
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: windows(at(5000), at(500)) });
      const seen: string[] = [];
      const recording: DueHandler = (due, attributes) => (seen.push(`${due.programId}@${due.dueAt}`), decayByOne(due, attributes));
      expect((await store.applyDueMemberships(new Date(at(1000)), 10, recording, noSends)).applied).toBe(1);
      expect(seen).toEqual([`p2@${at(500)}`]);
      expect(await store.nextMembershipDueAt()).toEqual(new Date(at(1500)));
      expect((await store.applyDueMemberships(new Date(at(1499)), 10, recording, noSends)).applied).toBe(0);
      let rounds = 0;
      while ((await store.applyDueMemberships(new Date(at(4999)), 10, recording, noSends)).applied > 0) rounds++;
      expect(rounds).toBe(4); // p2's windows ending at 1500, 2500, 3500 and 4500
      expect((await store.applyDueMemberships(new Date(at(5000)), 10, recording, noSends)).applied).toBe(2);
      expect(seen.filter((s) => !s.startsWith('p2'))).toEqual([`p1@${at(5000)}`, `p3@${at(5000)}`]);
      expect((await store.listMemberships('u1')).map((m) => `${m.programId}:${m.dueAt}`)).toEqual([
        `p1:${at(6000)}`,
        `p2:${at(5500)}`,
        `p3:${at(6000)}`,
      ]);
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(-7);
    });

    it('rolls back a due row whose planner throws: it stays due', async () => {
      const store = await fresh();
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: pointsPerEvent(at(1000)) });
      const failing: SendPlanner = () => {
        throw new Error('planner failed');
      };
      await expect(store.applyDueMemberships(new Date(at(1000)), 10, decayByOne, failing)).rejects.toThrow('planner failed');
      expect((await store.listMemberships('u1'))[0]!.dueAt).toBe(at(1000));
      expect((await store.getProfile('u1'))?.attributes['lead score']).toBe(10);
    });

    it('concurrent callers never apply the same due time twice', async () => {
      const store = await fresh();
      const users = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      for (const user of users) await store.applyTrack(batch({ events: [event(user)] }), noSends, { enricher: pointsPerEvent(at(1000)) });
      const now = new Date(at(1000));
      const results = await Promise.all(Array.from({ length: 4 }, () => store.applyDueMemberships(now, 5, decayByOne, noSends)));
      let applied = results.reduce((n, r) => n + r.applied, 0);
      while (applied < users.length) {
        const more = (await store.applyDueMemberships(now, 5, decayByOne, noSends)).applied;
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
      await store.applyTrack(batch({ events: [event('u1')] }), noSends, { enricher: pointsPerEvent(at(1)) });
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
