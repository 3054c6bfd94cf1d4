// A dry run against a real SQLite store: a profile whose render overruns its wall time or
// memory is counted as an error and the run goes on; live connected_content is fetched once per
// run; a run past its time limit stops with what it counted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { DryRuns, type DryRunDefinition } from '../../src/dryrun/index.js';
import { parseWebhook } from '../../src/render/index.js';
import { NO_RULES, openSqliteStore, type Store } from '../../src/store/index.js';
import { guideCampaign } from '../e2e/helpers.js';

/** The engine's own limits out of the way: the thread's watchdog and heap limit are what stop a render. */
const UNBOUNDED = { renderTimeMs: 120_000, loopIterations: 1e12, memoryUnits: 1e15, outputBytes: 1e12 };
const SPIN = '{% for i in (1..100000) %}{% for j in (1..100000) %}{% assign x = j %}{% endfor %}{% endfor %}';
const GROW = '{% assign s = "0123456789abcdef" %}{% for i in (1..40) %}{% assign s = s | append: s | upcase %}{% endfor %}{{ s | size }}';

describe('dry run', () => {
  let store: Store;
  let fake: FakeSalesforce;
  const runs: DryRuns[] = [];
  const dryRuns = (options: Partial<ConstructorParameters<typeof DryRuns>[0]> = {}) => {
    const r = new DryRuns({ profiles: store, allowedHosts: '127.0.0.1', renderTimeMs: 5000, memoryMb: 96, concurrent: 1, timeoutMs: 60_000, ...options });
    runs.push(r);
    return r;
  };
  const definition = (webhook: object, extra: Partial<DryRunDefinition> = {}): DryRunDefinition => ({
    webhook: parseWebhook(webhook),
    audience: [],
    secrets: [],
    warnings: [],
    ...extra,
  });

  beforeAll(async () => {
    store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-dry-')), 'db.sqlite') });
    await store.migrate();
    const attributes = Array.from({ length: 30 }, (_, i) => ({
      externalId: `u${String(i).padStart(2, '0')}`,
      ops: { 'lead score': { op: 'set' as const, value: 100 + i }, ...(i === 7 ? { mode: { op: 'set' as const, value: 'spin' } } : i === 21 ? { mode: { op: 'set' as const, value: 'grow' } } : {}) },
    }));
    await store.applyTrack({ attributes, events: [], purchases: [] }, NO_RULES);
    fake = await startFakeSalesforce();
  });
  afterAll(async () => {
    await Promise.all(runs.map((r) => r.close()));
    await store?.close();
    await fake?.close();
  });

  it('counts a profile whose render overruns its wall time or memory as an error, and renders the rest', async () => {
    const body = `{% if custom_attribute.mode == 'spin' %}${SPIN}{% elsif custom_attribute.mode == 'grow' %}${GROW}{% endif %}ok {{ \${user_id} }}`;
    // A small heap: the growing string crosses it with allocations well inside V8's leeway.
    const run = dryRuns({ limits: UNBOUNDED, pageSize: 10, memoryMb: 32, renderTimeMs: 1500 }).start(definition({ url: 'https://crm.example/x', method: 'POST', body: { type: 'raw', text: body } }), {
      connected_content: 'stub',
      examples: 3,
    });
    await run.finished;
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('completed');
    expect(run.tally).toMatchObject({ inAudience: 30, notInAudience: 0, rendered: 30 });
    expect(run.tally.wouldSend.count).toBe(28);
    const errors = Object.fromEntries(run.tally.errors.map((g) => [g.key, g.examples.map((e) => e.externalId)]));
    expect(errors).toEqual({
      'render stopped: it ran past the 2500 ms a render may take': ['u07'],
      'render stopped: it needed more than the 32 MB a render thread may use': ['u21'],
    });
    // Profiles of the same pages as the stopped ones were rendered once each, in order.
    expect(run.tally.wouldSend.examples.map((e) => e.externalId)).toEqual(['u00', 'u01', 'u02']);
  }, 60_000);

  it('fetches a live token once per run however many profiles it renders', async () => {
    const { webhook } = guideCampaign(fake) as { webhook: object };
    const before = fake.tokens.length;
    const run = dryRuns().start(definition(webhook, { secrets: [fake.clientSecret] }), { connected_content: 'live', examples: 1 });
    await run.finished;
    expect(run.status).toBe('completed');
    // u00's score of 100 is not above the threshold: the body aborts after the token call.
    expect(run.tally.wouldSend.count).toBe(29);
    expect(run.tally.aborted).toEqual([{ key: 'not at threshold', count: 1, examples: [expect.objectContaining({ externalId: 'u00' })] }]);
    expect(run.tally.calls).toBe(30);
    expect(run.tally.requests).toBe(1);
    expect(fake.tokens.length - before).toBe(1);
    expect(fake.leadPatches()).toHaveLength(0);
    const shown = JSON.stringify(run.tally);
    expect(shown).not.toContain(fake.tokens.at(-1));
    expect(shown).not.toContain(fake.clientSecret);
  });

  it('renders with the content blocks in force when it starts', async () => {
    const blocks = { score: 'score {{custom_attribute.${lead score}}}', unused: '{% if %}' };
    const run = dryRuns({ contentBlocks: { snapshot: () => blocks } }).start(
      definition({ url: 'https://crm.example/x', method: 'POST', body: { type: 'raw', text: '{{content_blocks.${score}}}' } }),
      { connected_content: 'stub', examples: 1 },
    );
    await run.finished;
    expect(run.tally).toMatchObject({ rendered: 30, errors: [] });
    expect(run.tally.wouldSend.examples[0]!.request?.body).toBe('score 100');
  });

  it('stops at its time limit, keeping what it counted', async () => {
    const slow = "{% for i in (1..20000) %}{% assign d = 'now' | date: '%Y' %}{% endfor %}ok";
    const run = dryRuns({ timeoutMs: 1500, pageSize: 2 }).start(definition({ url: 'https://crm.example/x', method: 'POST', body: { type: 'raw', text: slow } }), {
      connected_content: 'stub',
      examples: 0,
    });
    await run.finished;
    expect(run.status).toBe('timed_out');
    expect(run.error).toBe('stopped after 1500 ms, the longest a dry run may take');
    expect(run.tally.rendered).toBeLessThan(30);
  });
});
