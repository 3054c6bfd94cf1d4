import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OutcomeCommitter, type CommitterDeps } from '../../src/deliveries/committer.js';
import type { Settled } from '../../src/deliveries/index.js';
import type { DeliveryOutcome } from '../../src/domain/index.js';
import type { RecordOutcomesOptions, RecordOutcomesResult } from '../../src/store/index.js';

const silent = pino({ level: 'silent' });
const delivered = (id: string, update = false): Settled => ({
  outcome: { id, status: 'delivered' },
  ...(update ? { update: { attributes: [{ externalId: id, ops: { lead_status: { op: 'set', value: 'MQL' } } }], events: [], purchases: [] } } : {}),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function committer(options: { batchSize?: number; record?: () => Promise<RecordOutcomesResult> } = {}) {
  const calls: { ids: string[]; options: RecordOutcomesOptions | undefined }[] = [];
  const committed: { ids: string[]; ok: boolean }[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger = Object.assign(Object.create(silent), {
    error: (_: object, msg: string) => void errors.push(msg),
    warn: (_: object, msg: string) => void warnings.push(msg),
  });
  const deps: CommitterDeps = {
    store: {
      recordOutcomes: async (outcomes: DeliveryOutcome[], _now: Date, recordOptions?: RecordOutcomesOptions) => {
        calls.push({ ids: outcomes.map((o) => o.id), options: recordOptions });
        return options.record ? options.record() : { deliveries: [], refused: [] };
      },
    },
    owner: 'w1',
    batchSize: options.batchSize ?? 100,
    now: () => new Date(),
    logger,
    committed: (group, result) => void committed.push({ ids: group.map((s) => s.outcome.id), ok: result !== undefined }),
  };
  return { committer: new OutcomeCommitter(deps), calls, committed, errors, warnings };
}

describe('outcome committer', () => {
  it('commits outcomes finishing close together in one transaction, fenced by owner', async () => {
    const c = committer();
    for (const id of ['a', 'b', 'c']) c.committer.submit(delivered(id));
    expect(c.committer.busy).toBe(true);
    await sleep(30);
    expect(c.calls).toEqual([{ ids: ['a', 'b', 'c'], options: { owner: 'w1' } }]);
    expect(c.committed).toEqual([{ ids: ['a', 'b', 'c'], ok: true }]);
    expect(c.committer.busy).toBe(false);
  });

  it('commits a full group at once, without waiting for the window', async () => {
    const c = committer({ batchSize: 2 });
    c.committer.submit(delivered('a'));
    c.committer.submit(delivered('b'));
    await Promise.resolve();
    expect(c.calls.map((call) => call.ids)).toEqual([['a', 'b']]);
  });

  it('runs one commit at a time: outcomes arriving during a commit form the next group', async () => {
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    let n = 0;
    const c = committer({ record: async () => ((n++ === 0 ? await first : undefined), { deliveries: [], refused: [] }) });
    c.committer.submit(delivered('a'));
    const flushed = c.committer.flush();
    c.committer.submit(delivered('b'));
    c.committer.submit(delivered('c'));
    const second = c.committer.flush();
    await sleep(10);
    expect(c.calls.map((call) => call.ids)).toEqual([['a']]);
    release();
    await Promise.all([flushed, second]);
    expect(c.calls.map((call) => call.ids)).toEqual([['a'], ['b', 'c']]);
  });

  it('passes on-delivered updates in the same call as their outcomes (the intake plans them)', async () => {
    const c = committer();
    c.committer.submit(delivered('a', true));
    c.committer.submit(delivered('b'));
    await c.committer.flush();
    expect(c.calls[0]!.options).toMatchObject({ owner: 'w1', updates: [{ deliveryId: 'a' }] });
  });

  it('reports a failed commit without marking anything done, and logs refused updates', async () => {
    const failing = committer({ record: async () => Promise.reject(new Error('disk full')) });
    failing.committer.submit(delivered('a'));
    await failing.committer.flush();
    expect(failing.committed).toEqual([{ ids: ['a'], ok: false }]);
    expect(failing.errors).toEqual(['could not record delivery outcomes']);

    const refusing = committer({ record: async () => ({ deliveries: [], refused: [{ deliveryId: 'a', error: 'not a number' }] }) });
    refusing.committer.submit(delivered('a', true));
    await refusing.committer.flush();
    expect(refusing.committed).toEqual([{ ids: ['a'], ok: true }]);
    expect(refusing.errors).toEqual(['on_delivered_update was not applied']);
  });

  it('keeps outcomes while the database is out of reach and commits them with the next group once it is back', async () => {
    let away = true;
    const c = committer({ record: async () => (away ? Promise.reject(refused()) : { deliveries: [], refused: [] }) });
    c.committer.submit(delivered('a'));
    await c.committer.flush();
    c.committer.submit(delivered('b'));
    await c.committer.flush();
    // Kept, not reported as done or failed: their deliveries stay held (leases renewed).
    expect(c.committed).toEqual([]);
    expect(c.committer.busy).toBe(true);
    expect(c.warnings).toEqual(['database unavailable: delivery outcomes kept to be recorded later']);
    away = false;
    c.committer.flushIfIdle();
    await c.committer.flush();
    expect(c.calls.map((call) => call.ids)).toEqual([['a'], ['a', 'b'], ['a', 'b']]);
    expect(c.committed).toEqual([{ ids: ['a', 'b'], ok: true }]);
    expect(c.committer.busy).toBe(false);
  });

  it('keeps nothing at close: what cannot be committed then is left to the leases', async () => {
    const c = committer({ record: async () => Promise.reject(refused()) });
    c.committer.submit(delivered('a'));
    await c.committer.close();
    expect(c.committed).toEqual([{ ids: ['a'], ok: false }]);
    expect(c.committer.busy).toBe(false);
  });
});
