// One `serve` per SQLite file: a second one is refused at start with a message naming the file
// and the serving process, while the command line keeps working against the served file (it
// reads, or enqueues for the running worker; it never sends or claims).
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';
import { API_KEY, apiClient, spawnService, tempDb, waitFor, type Api, type ChildService } from './helpers.js';

describe('one service per SQLite file', () => {
  const db = tempDb();
  const dir = dirname(db);
  const env = {
    LIQUIDHOOK_DB: db,
    LIQUIDHOOK_API_KEY: API_KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
    LIQUIDHOOK_POLL_MS: '100',
  };
  let service: ChildService;
  let api: Api;
  let sink: Server;
  let sinkUrl = '';
  /** Paths the sink received, in order; the first request for `refuse-me` gets a 400 (not retried). */
  const received: string[] = [];

  beforeAll(async () => {
    sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const first = !received.includes(req.url!);
        received.push(req.url!);
        res.writeHead(first && req.url!.endsWith('/refuse-me') ? 400 : 200).end('{}');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    service = await spawnService(env);
    api = apiClient(service.url);
    const created = await api.call('POST', '/campaigns', {
      name: 'Score to sink',
      trigger: { type: 'custom_attribute_changed', attribute: 'score', change: 'any' },
      reeligible_after_seconds: 0,
      webhook: { url: `${sinkUrl}/leads/{{\${user_id}}}`, method: 'POST', body: { type: 'raw', text: '{"score": {{custom_attribute.${score}}}}' } },
    });
    expect(created.status, created.text).toBe(201);
  });
  afterAll(async () => {
    await service?.stop();
    await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  });

  it('refuses a second serve on the same file, naming the file and the serving process', async () => {
    const second = await runCli(['serve'], { ...env, PORT: '0', LOG_LEVEL: 'info' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`database ${db} is already served by process ${service.child.pid}`);
    expect(second.stderr).not.toMatch(/^\s+at /m);
    // The first one is unaffected.
    expect((await api.call('GET', '/health')).json).toMatchObject({ status: 'ok' });
  });

  it('lets replay, render --user and sync work on the served file; the running worker sends what they enqueue', async () => {
    expect((await api.call('POST', '/users/track', { attributes: [{ external_id: 'refuse-me', score: 1 }] })).status).toBe(201);
    const failed = await waitFor('the refused send to fail', async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=refuse-me')).json.deliveries;
      return d?.status === 'failed' ? d : undefined;
    });

    const replay = await runCli(['replay', failed.id], env);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    await waitFor('the replayed send to be delivered', async () => {
      const d = (await api.call('GET', `/deliveries/${failed.id}`)).json;
      return d?.status === 'delivered' ? true : undefined;
    });

    const template = join(dir, 'hello.liquid');
    writeFileSync(template, 'score {{custom_attribute.${score}}} for {{${user_id}}}');
    const render = await runCli(['render', template, '--user', 'refuse-me'], env);
    expect(render.code).toBe(0);
    expect(render.stdout).toBe('score 1 for refuse-me\n');

    const crm = join(dir, 'crm.db');
    const source = new Database(crm);
    source.exec('CREATE TABLE leads (external_id TEXT, updated_at TEXT, score INTEGER)');
    source.prepare('INSERT INTO leads VALUES (?, ?, ?)').run('from-sync', '2030-01-02T00:00:00Z', 5);
    source.close();
    const config = join(dir, 'crm.sync.json');
    writeFileSync(config, JSON.stringify({ name: 'CRM', source: { kind: 'sqlite', path: crm }, table: 'leads', columns: [{ column: 'score', attribute: 'score', type: 'number' }] }));
    const sync = await runCli(['sync', '--config', config, '--json'], env);
    expect(JSON.parse(sync.stdout)).toMatchObject({ rows_applied: 1, rows_rejected: 0 });
    // The sync enqueued the campaign's send in the file; the service's worker delivers it.
    await waitFor('the send the sync triggered', () => (received.includes('/leads/from-sync') ? true : undefined));
    // Its outcome commits a moment after the sink answered.
    const delivered = await waitFor('its outcome', async () => {
      const [delivery] = (await api.call('GET', '/deliveries?external_id=from-sync')).json.deliveries;
      return delivery?.status === 'delivered' ? delivery : undefined;
    });
    expect(delivered).toMatchObject({ status: 'delivered', external_id: 'from-sync' });
  }, 60_000);
});
