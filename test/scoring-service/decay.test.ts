// Scoring inside the store's profile-change path, and inactivity decay from the due-time
// schedule: exactly once per window on a fake clock, across a store reopen.
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackBatch, UserActivity } from '../../src/domain/index.js';
import { createDecayScheduler, createIntake, ScoringProgramRegistry } from '../../src/intake/index.js';
import type { Store } from '../../src/store/index.js';
import { attrs, events, FakeClock, openAt, programInput, tempDbPath } from './helpers.js';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function setup(path = tempDbPath(), clock = new FakeClock(), input: object = programInput) {
  const store = openAt(path, clock);
  open.push(store);
  const registry = new ScoringProgramRegistry(store);
  await registry.load();
  if (registry.list().length === 0) await registry.put('p1', input);
  // Every activity the campaigns are planned on, from tracks and from the decay.
  const seen: UserActivity[] = [];
  const intake = createIntake({ store, campaigns: { campaignEntries: () => [] }, scoring: registry, now: clock.now });
  const observed = {
    applyDue: async (now: Date, limit: number) => {
      const result = await intake.applyDue(now, limit);
      seen.push(...result.activities);
      return result;
    },
  };
  const scheduler = createDecayScheduler({ intake: observed, store, now: clock.now, batchSize: 2 });
  const track = async (batch: TrackBatch) => {
    const result = await intake.track(batch);
    seen.push(...result.activities);
    return result;
  };
  const score = async (id: string) => (await store.getProfile(id))?.attributes['lead score'];
  return { store, registry, scheduler, track, score, seen, clock, path };
}

describe('scoring in the profile-change path', () => {
  it('adds points inside applyTrack, before the planner sees the activity', async () => {
    const s = await setup();
    const result = await s.track(events('u1', 'demo_requested', 'email_opened'));
    expect(result.activities[0]!.after['lead score']).toBe(35);
    expect(s.seen[0]!.changes).toEqual([{ attribute: 'lead score', before: undefined, after: 35 }]);
    expect(await s.score('u1')).toBe(35);
    const exported = (await s.store.readExportEvents(0, 100)).filter((e) => e.type === 'score_changed');
    expect(exported.map((e) => e.data)).toEqual([
      expect.objectContaining({ program_id: 'p1', before: 0, after: 30, points: 30, reason: 'event', event: 'demo_requested', group: 'requested demo' }),
      expect.objectContaining({ before: 30, after: 35, reason: 'event', event: 'email_opened' }),
    ]);
  });

  it('clamps at the ceiling and the floor', async () => {
    const s = await setup();
    for (let i = 0; i < 7; i++) await s.track(events('u1', 'demo_requested'));
    expect(await s.score('u1')).toBe(200);
    await s.registry.put('p1', { ...programInput, action_groups: [{ name: 'unsubscribed', events: [{ name: 'unsubscribed' }], points: -150 }] });
    await s.track(events('u1', 'unsubscribed'));
    await s.track(events('u1', 'unsubscribed'));
    expect(await s.score('u1')).toBe(0);
  });

  it('gives excluded users nothing, and a numeric string score is replaced rather than refused', async () => {
    const s = await setup();
    await s.track(attrs('emp', { email: 'me@ourcompany.com' }));
    await s.track(events('emp', 'demo_requested'));
    expect(await s.score('emp')).toBeUndefined();
    expect(await s.store.listMemberships('emp')).toEqual([]);
    await s.track(attrs('str', { 'lead score': '40' }));
    await s.track(events('str', 'email_opened'));
    expect(await s.score('str')).toBe(45);
  });

  it('with entry triggers, the entering event does not score; attribute changes let users in', async () => {
    const s = await setup(undefined, undefined, {
      ...programInput,
      entry: { events: ['signed_up'], attribute_changes: ['email'] },
    });
    await s.track(events('a', 'demo_requested'));
    expect(await s.score('a')).toBeUndefined();
    await s.track(events('a', 'signed_up', 'demo_requested'));
    expect(await s.score('a')).toBe(30);
    await s.track({ ...attrs('b', { email: 'b@example.com' }), events: events('b', 'email_opened').events });
    expect(await s.score('b')).toBe(5);
  });
});

describe('inactivity decay from the due-time schedule', () => {
  it('decays exactly once per window, resets on a qualifying action, and survives a reopen', async () => {
    const s = await setup();
    s.clock.set(0);
    await s.track(events('u1', 'demo_requested', 'demo_requested', 'demo_requested')); // 90, due at 100 s
    s.clock.set(99_999);
    expect(await s.scheduler.runDue()).toBe(0);
    s.clock.set(100_000);
    expect(await s.scheduler.runDue()).toBe(1);
    expect(await s.scheduler.runDue()).toBe(0);
    expect(await s.score('u1')).toBe(80);
    // The decrement went through the planner like any score change.
    expect(s.seen.at(-1)!.changes).toEqual([{ attribute: 'lead score', before: 90, after: 80 }]);

    // Restart: a new store and registry on the same file, the clock three windows later.
    await s.store.close();
    const again = await setup(s.path, s.clock);
    again.clock.set(350_000);
    expect(await again.scheduler.runDue()).toBe(2); // windows ending at 200 s and 300 s
    expect(await again.score('u1')).toBe(60);
    expect(await again.scheduler.runDue()).toBe(0);

    // A qualifying action at 380 s moves the next decay from 400 s to 480 s.
    again.clock.set(380_000);
    await again.track(events('u1', 'email_opened'));
    again.clock.set(479_999);
    expect(await again.scheduler.runDue()).toBe(0);
    again.clock.set(480_000);
    expect(await again.scheduler.runDue()).toBe(1);
    expect(await again.score('u1')).toBe(55);
    const decays = (await again.store.readExportEvents(0, 1000)).filter((e) => e.type === 'score_changed' && e.data.reason === 'inactivity');
    expect(decays.map((e) => [e.data.due_at, e.data.after])).toEqual([
      ['2030-01-01T00:01:40.000Z', 80],
      ['2030-01-01T00:03:20.000Z', 70],
      ['2030-01-01T00:05:00.000Z', 60],
      ['2030-01-01T00:08:00.000Z', 55],
    ]);
  });

  it('stops at the floor but keeps the window running', async () => {
    const s = await setup();
    await s.track(events('u1', 'email_opened')); // 5
    s.clock.set(250_000);
    expect(await s.scheduler.runDue()).toBe(2);
    expect(await s.score('u1')).toBe(0);
    expect((await s.store.listMemberships('u1'))[0]!.dueAt).toBe('2030-01-01T00:05:00.000Z');
  });

  it('an excluded member leaves at the next due time and can enter again once no longer excluded', async () => {
    const s = await setup();
    await s.track(events('u1', 'demo_requested'));
    await s.track(attrs('u1', { is_customer: true }));
    s.clock.set(100_000);
    expect(await s.scheduler.runDue()).toBe(1);
    expect(await s.score('u1')).toBe(30);
    expect(await s.store.listMemberships('u1')).toEqual([]);
    expect(await s.store.nextMembershipDueAt()).toBeUndefined();
    // Re-entry: no longer a customer, the next event lets the user in and scores (no entry triggers).
    await s.track(attrs('u1', { is_customer: false }));
    s.clock.set(150_000);
    await s.track(events('u1', 'email_opened'));
    expect(await s.score('u1')).toBe(35);
    expect((await s.store.listMemberships('u1'))[0]).toMatchObject({ enteredAt: '2030-01-01T00:02:30.000Z', dueAt: '2030-01-01T00:04:10.000Z' });
  });

  it('a deleted program leaves nothing scheduled; a disabled one stops its schedule', async () => {
    const s = await setup();
    await s.track(events('u1', 'demo_requested'));
    await s.registry.put('p1', { ...programInput, enabled: false });
    s.clock.set(100_000);
    expect(await s.scheduler.runDue()).toBe(1);
    expect(await s.score('u1')).toBe(30);
    expect((await s.store.listMemberships('u1'))[0]!.dueAt).toBeNull();
    await s.registry.delete('p1');
    expect(await s.store.listMemberships('u1')).toEqual([]);
  });

  it('applies many due users in batches, each once', async () => {
    const s = await setup();
    const users = Array.from({ length: 7 }, (_, i) => `u${i}`);
    for (const u of users) await s.track(events(u, 'demo_requested'));
    s.clock.set(100_000);
    expect(await s.scheduler.runDue()).toBe(7);
    expect(await s.scheduler.runDue()).toBe(0);
    for (const u of users) expect(await s.score(u)).toBe(20);
  });
});
