// The export cursor on PostgreSQL under concurrent writers: a reader resuming from the last seq
// it saw must never skip an event whose transaction committed after a later-numbered one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportEvent } from '../../src/domain/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/index.js';
import { insertExportEvents } from '../../src/store/postgres/exports.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { noSends, score, T0 } from './contract-helpers.js';

const available = postgresAvailable('PostgreSQL export cursor tests');

/** Reads everything after `cursor`, page by page; returns the events and the new cursor. */
async function drain(store: PostgresStore, cursor: number, page = 7): Promise<{ events: ExportEvent[]; cursor: number }> {
  const events: ExportEvent[] = [];
  for (;;) {
    const got = await store.readExportEvents(cursor, page);
    events.push(...got);
    if (got.length > 0) cursor = got[got.length - 1]!.seq;
    if (got.length < page) return { events, cursor };
  }
}

describe.skipIf(!available)('PostgreSQL export cursor', () => {
  let cluster: PostgresCluster;
  const open: PostgresStore[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await cluster?.stop();
  });

  async function instances(count: number): Promise<PostgresStore[]> {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: count }, () => openPostgresStore({ url, poolSize: 3 })));
    open.push(...stores);
    return stores;
  }

  it('returns an event committed late after the reader already passed a later-inserted one', async () => {
    const [store] = await instances(1);
    const slow = await store!.pool.connect();
    try {
      // The slow writer inserts first (lower insert sequence) but commits last.
      await slow.query('BEGIN');
      await insertExportEvents(slow, [{ type: 'slow', at: T0.toISOString(), data: {} }]);
      await store!.appendExportEvents([{ type: 'fast', at: T0.toISOString(), data: {} }]);
      const first = await drain(store!, 0);
      expect(first.events.map((e) => e.type)).toEqual(['fast']);
      await slow.query('COMMIT');
      const second = await drain(store!, first.cursor);
      expect(second.events.map((e) => e.type)).toEqual(['slow']);
      expect(second.events[0]!.seq).toBeGreaterThan(first.cursor);
    } finally {
      slow.release();
    }
  });

  it('a rolled-back writer leaves no event and no hole the reader waits on', async () => {
    const [store] = await instances(1);
    const client = await store!.pool.connect();
    try {
      await client.query('BEGIN');
      await insertExportEvents(client, [{ type: 'discarded', at: T0.toISOString(), data: {} }]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await store!.appendExportEvents([{ type: 'kept', at: T0.toISOString(), data: {} }]);
    const { events } = await drain(store!, 0);
    expect(events.map((e) => [e.type, e.seq])).toEqual([['kept', 1]]);
  });

  it('a reader polling during concurrent writers sees every event exactly once, in cursor order', async () => {
    const writers = await instances(3);
    const reader = writers[0]!;
    let writing = true;
    const seen: ExportEvent[] = [];
    let cursor = 0;
    const poll = (async () => {
      while (writing) {
        const got = await drain(reader, cursor);
        seen.push(...got.events);
        cursor = got.cursor;
      }
    })();
    const perWriter = 40;
    await Promise.all(
      writers.map(async (store, w) => {
        for (let i = 0; i < perWriter; i++) {
          if (i % 2) await store.appendExportEvents([{ type: 'custom', at: T0.toISOString(), data: { w, i } }]);
          else await store.applyTrack(score(`w${w}`, 1), noSends);
        }
      }),
    );
    writing = false;
    await poll;
    seen.push(...(await drain(reader, cursor)).events);
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const { rows } = await reader.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM export_events');
    expect(seen).toHaveLength(Number(rows[0]!.n));
    // 20 custom events and 20 score changes per writer.
    expect(seen.filter((e) => e.type === 'custom')).toHaveLength(3 * perWriter / 2);
    expect(seen.filter((e) => e.type === 'attribute_changed')).toHaveLength(3 * perWriter / 2);
  });
});
