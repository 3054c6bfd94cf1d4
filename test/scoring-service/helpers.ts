// A store on a temp file with a settable clock, plus the guide-like program used by these tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScoringProgramInput } from '../../src/scoring/index.js';
import { type TrackBatch } from '../../src/domain/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');

export class FakeClock {
  ms = T0;
  now = (): Date => new Date(this.ms);
  set(offsetMs: number): Date {
    this.ms = T0 + offsetMs;
    return this.now();
  }
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'lh-scoring-')), 'store.db');
}

export function openAt(path: string, clock: FakeClock): Store {
  return openSqliteStore({ path, now: clock.now });
}

/** 100-second inactivity windows keep the arithmetic readable. */
export const programInput: ScoringProgramInput = {
  name: 'Lead scoring',
  exclusions: [
    { name: 'employees', attribute: 'email', operator: 'contains', value: '@ourcompany.com' },
    { name: 'customers', attribute: 'is_customer', operator: 'equals', value: true },
  ],
  action_groups: [
    { name: 'requested demo', events: [{ name: 'demo_requested' }], points: 30 },
    { name: 'opened email', events: [{ name: 'email_opened' }], points: 5 },
  ],
  inactivity: { window_seconds: 100, points: -10 },
  floor: 0,
  ceiling: 200,
};

export const events = (externalId: string, ...names: string[]): TrackBatch => ({
  attributes: [],
  events: names.map((name) => ({ externalId, name, time: new Date(T0).toISOString(), properties: {} })),
  purchases: [],
});

export const attrs = (externalId: string, values: Record<string, string | number | boolean | null>): TrackBatch => ({
  attributes: [
    {
      externalId,
      ops: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? { op: 'unset' } : { op: 'set', value: v }])),
    },
  ],
  events: [],
  purchases: [],
});
