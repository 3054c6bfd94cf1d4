// Commands that read or write the local database (LIQUIDHOOK_DB): render --user, replay, and a
// table sync run here; and the same commands through a service API (LIQUIDHOOK_URL).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { campaign, rules } from '../store/contract-helpers.js';
import { MQL_TEMPLATE, runCli, startSink, tempDir, writeTemp, type Sink } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');

async function withStore<T>(path: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ driver: 'sqlite', path });
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('local database commands', () => {
  const dir = tempDir();
  const db = join(dir, 'liquidhook.db');
  const emptyTemplates = tempDir('lh-cli-templates-');
  let deadId = '';
  let deliveredId = '';

  beforeAll(async () => {
    [deadId, deliveredId] = await withStore(db, async (store) => {
      const { deliveries } = await store.applyTrack(
        { attributes: [{ externalId: 'lead-1', ops: { 'lead score': { op: 'set', value: 150 }, first_name: { op: 'set', value: 'Ada' } } }], events: [], purchases: [] },
        rules([campaign('c1', { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' }), campaign('c2', { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' })]),
      );
      const [dead, delivered] = deliveries.map((d) => d.id);
      await store.claimDeliveries('test', 10, T0, 60_000);
      const at = T0.toISOString();
      await store.recordOutcomes(
        [
          { id: dead!, status: 'dead', attempt: { attempt: 1, at, latencyMs: 1, error: 'ECONNREFUSED' } },
          { id: delivered!, status: 'delivered', attempt: { attempt: 1, at, statusCode: 204, latencyMs: 1 } },
        ],
        T0,
      );
      return [dead!, delivered!];
    });
  });

  it('render --user reads the stored profile', async () => {
    const result = await runCli(['render', MQL_TEMPLATE, '--user', 'lead-1', '--connected-content', 'stub'], { LIQUIDHOOK_DB: db });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ lead_status: 'MQL' });
    const plain = await runCli(['render', writeTemp(dir, 'hi.liquid', 'Hi {{${first_name}}} ({{${user_id}}})'), '--user', 'lead-1'], { LIQUIDHOOK_DB: db });
    expect(plain.stdout).toBe('Hi Ada (lead-1)\n');
  });

  it('render --user of an unknown user, or without a database, exits 1', async () => {
    const unknown = await runCli(['render', MQL_TEMPLATE, '--user', 'nobody'], { LIQUIDHOOK_DB: db });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('user "nobody" not found');
    const noDb = await runCli(['render', MQL_TEMPLATE, '--user', 'lead-1'], { LIQUIDHOOK_DB: join(dir, 'missing.db') });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('missing.db does not exist');
  });

  it('replay re-queues a dead delivery; a queued one cannot be replayed again', async () => {
    const result = await runCli(['replay', deadId, '--json'], { LIQUIDHOOK_DB: db });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: deadId, status: 'queued', campaign_id: 'c1', external_id: 'lead-1', attempts: 1 });
    expect((await withStore(db, (s) => s.getDelivery(deadId)))?.status).toBe('queued');
    const again = await runCli(['replay', deadId], { LIQUIDHOOK_DB: db });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('delivery is queued: it is still being sent');
    const unknown = await runCli(['replay', 'no-such-delivery'], { LIQUIDHOOK_DB: db });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('delivery no-such-delivery not found');
  });

  it('replay sends a delivered delivery again only with --force', async () => {
    const refused = await runCli(['replay', deliveredId], { LIQUIDHOOK_DB: db });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('confirm with force');
    expect((await withStore(db, (s) => s.getDelivery(deliveredId)))?.status).toBe('delivered');
    const forced = await runCli(['replay', deliveredId, '--force'], { LIQUIDHOOK_DB: db });
    expect(forced.stderr).toBe('');
    expect(forced.stdout).toBe(`delivery ${deliveredId} queued again (campaign c2, user lead-1)\n`);
  });

  it('sync --config applies a table to profiles and keeps its watermark', async () => {
    const crm = join(dir, 'crm.db');
    const source = new Database(crm);
    source.exec('CREATE TABLE leads (external_id TEXT, updated_at TEXT, score INTEGER)');
    source.prepare('INSERT INTO leads VALUES (?, ?, ?)').run('lead-1', '2030-01-02T00:00:00Z', 42);
    source.prepare('INSERT INTO leads VALUES (?, ?, ?)').run('lead-2', '2030-01-02T00:00:01Z', 7);
    source.close();
    const configPath = writeTemp(
      dir,
      'crm.sync.json',
      JSON.stringify({ name: 'CRM', source: { kind: 'sqlite', path: crm }, table: 'leads', columns: [{ column: 'score', attribute: 'lead score', type: 'number' }] }),
    );
    const env = { LIQUIDHOOK_DB: db, LIQUIDHOOK_TEMPLATES_DIR: emptyTemplates };
    const result = await runCli(['sync', '--config', configPath, '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'file:crm', rows_read: 2, rows_applied: 2, rows_rejected: 0, errors: [] });
    expect((await withStore(db, (s) => s.getProfile('lead-2')))?.attributes).toEqual({ 'lead score': 7 });
    const again = await runCli(['sync', '--config', configPath], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('rows read      0');
  });

  it('sync of an unknown id exits 1; no id is a usage error', async () => {
    const unknown = await runCli(['sync', 'nope'], { LIQUIDHOOK_DB: db, LIQUIDHOOK_TEMPLATES_DIR: emptyTemplates });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('sync nope not found');
    expect((await runCli(['sync'], { LIQUIDHOOK_DB: db })).code).toBe(2);
  });
});

describe('commands through the service API (LIQUIDHOOK_URL)', () => {
  let api: Sink;
  beforeAll(async () => {
    api = await startSink((req, res) => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== 'Bearer cli-test-key-0123456789') return json(401, { message: 'unauthorized' });
      if (req.method === 'POST' && req.url === '/syncs/crm/run') return json(200, { rows_read: 3, rows_applied: 2, rows_rejected: 1, watermark: null, errors: [{ row: 'x', message: 'bad id' }] });
      if (req.method === 'POST' && req.url === '/deliveries/d1/replay') return json(202, { id: 'd1', campaign_id: 'c1', external_id: 'u1', status: 'queued' });
      if (req.method === 'POST' && req.url === '/deliveries/d3/replay') {
        return JSON.parse(req.body || '{}').force === true ? json(202, { id: 'd3', campaign_id: 'c1', external_id: 'u1', status: 'queued' }) : json(409, { message: 'delivery was delivered: a replay sends it again' });
      }
      if (req.method === 'GET' && req.url === '/users/u1') return json(200, { external_id: 'u1', attributes: { 'lead score': 150 } });
      return json(404, { message: `${req.url} not found` });
    });
  });
  afterAll(async () => {
    await api?.close();
  });
  const env = () => ({ LIQUIDHOOK_URL: api.url, LIQUIDHOOK_API_KEY: 'cli-test-key-0123456789' });

  it('sync prints the report and exits 1 for rejected rows', async () => {
    const result = await runCli(['sync', 'crm'], env());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rows rejected  1');
    expect(result.stdout).toContain('x: bad id');
    expect(api.received.at(-1)).toMatchObject({ method: 'POST', url: '/syncs/crm/run' });
  });

  it('replay and render --user go through the API; errors carry its message', async () => {
    const replay = await runCli(['replay', 'd1'], env());
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('delivery d1 queued again (campaign c1, user u1)');
    const refused = await runCli(['replay', 'd3'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot replay delivery d3: delivery was delivered');
    expect((await runCli(['replay', 'd3', '--force'], env())).code).toBe(0);
    const render = await runCli(['render', MQL_TEMPLATE, '--user', 'u1', '--connected-content', 'stub'], env());
    expect(render.code).toBe(0);
    expect(JSON.parse(render.stdout)).toEqual({ lead_status: 'MQL' });
    const missing = await runCli(['replay', 'd2'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/deliveries/d2/replay not found');
    const noKey = await runCli(['replay', 'd1'], { LIQUIDHOOK_URL: api.url });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('set LIQUIDHOOK_API_KEY');
  });
});
