// `liquidhook dry-run`, in-process: against the local database (a saved campaign or a template
// file with its audience) and through a service's API (following the run's progress), with the
// progress bar on a terminal, usage errors and the exit code.
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRunCommand } from '../../src/cli/commands/dry-run.js';
import { progressLine } from '../../src/cli/dry-run-output.js';
import { UsageError } from '../../src/cli/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import type { DryRunView } from '../../src/server/schemas/dry-runs.js';
import { NO_RULES, openStore } from '../../src/store/index.js';
import { tempDir, writeTemp } from './helpers.js';

const BODY = "{% if custom_attribute.${score} < 5 %}{% abort_message('low score') %}{% endif %}{% if custom_attribute.${score} == 7 %}{{ 1 | divided_by: 0 }}{% endif %}{\"score\": {{ custom_attribute.${score} }}}";
const WEBHOOK = { url: 'https://crm.example/leads/{{${user_id}}}', method: 'POST', headers: {}, body: { type: 'raw', text: BODY } };
const CAMPAIGN = { name: 'CLI dry run', enabled: false, trigger: { type: 'custom_attribute_changed', attribute: 'score' }, audience: [{ attribute: 'plan', operator: 'equals', value: 'pro' }], reeligible_after_seconds: null, webhook: WEBHOOK };
/** 20 users, the even ones on "pro"; scores 0..19. */
const USERS = Array.from({ length: 20 }, (_, i) => ({ externalId: `u${String(i).padStart(2, '0')}`, ops: { plan: { op: 'set' as const, value: i % 2 === 0 ? 'pro' : 'free' }, score: { op: 'set' as const, value: i } } }));

function capture(env: Record<string, string>, terminal = false): CliIo & { stdout: string; stderr: string; statuses: string[] } {
  const io = {
    stdout: '',
    stderr: '',
    statuses: [] as string[],
    env,
    cwd: process.cwd(),
    stdin: (async function* () {})(),
    out: (text: string) => void (io.stdout += `${text}\n`),
    err: (text: string) => void (io.stderr += `${text}\n`),
    ...(terminal ? { status: (line: string) => void io.statuses.push(line) } : {}),
  };
  return io;
}

describe('liquidhook dry-run', () => {
  const dir = tempDir();
  const db = join(dir, 'liquidhook.db');
  let service: RunningService;

  beforeAll(async () => {
    const store = await openStore({ driver: 'sqlite', path: db });
    await store.migrate();
    await store.applyTrack({ attributes: USERS, events: [], purchases: [] }, NO_RULES);
    await store.putCampaign('cli-dry', CAMPAIGN);
    await store.close();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('runs a saved campaign against the local database', async () => {
    const io = capture({ LIQUIDHOOK_DB: db });
    const code = await dryRunCommand.run(['cli-dry', '--json'], io);
    const view = JSON.parse(io.stdout) as DryRunView;
    expect(view).toMatchObject({ status: 'completed', campaign_id: 'cli-dry', profiles: 20, in_audience: 10, not_in_audience: 10, rendered: 10 });
    expect(view.would_send.count).toBe(7);
    expect(view.aborted).toMatchObject([{ reason: 'low score', count: 3 }]);
    expect(view.errors).toEqual([]);
    expect(code).toBe(0);

    const text = capture({ LIQUIDHOOK_DB: db });
    await dryRunCommand.run(['cli-dry'], text);
    expect(text.stdout).toContain('10 of 20 profiles in the audience, 10 rendered; nothing was sent');
    expect(text.stdout).toMatch(/would send\s+7\s+e\.g\. u06, u08, u10/);
    expect(text.stdout).toMatch(/3\s+low score\s+e\.g\. u00, u02, u04/);
    expect(text.stdout).toContain('POST https://crm.example/leads/u06');
  });

  it('runs a template file with its audience and placeholders, exiting 1 when profiles fail to render', async () => {
    const file = writeTemp(
      dir,
      'free.webhook.liquid',
      [
        '---',
        'name: Free plan',
        'url: https://crm.example/free/{{${user_id}}}?crm=[api_key]',
        'method: POST',
        'placeholders:',
        '  - { text: "[api_key]", env: CRM_KEY, secret: true }',
        'trigger: { type: custom_attribute_changed, attribute: score }',
        'audience: [{ attribute: plan, operator: equals, value: free }]',
        '---',
        BODY,
      ].join('\n'),
    );
    const io = capture({ LIQUIDHOOK_DB: db, CRM_KEY: 'crm-key-77x9q' });
    const code = await dryRunCommand.run([file, '--json', '--examples', '1'], io);
    const view = JSON.parse(io.stdout) as DryRunView;
    expect(view).toMatchObject({ status: 'completed', campaign_id: null, in_audience: 10, rendered: 10 });
    expect(view.errors).toMatchObject([{ count: 1, examples: [{ external_id: 'u07' }] }]);
    expect(view.would_send.examples).toHaveLength(1);
    expect(view.would_send.examples[0]!.request!.url).toBe('https://crm.example/free/u05?crm=[REDACTED]');
    expect(io.stdout).not.toContain('crm-key-77x9q');
    expect(code).toBe(1);
  });

  it('follows a run in a service, with a progress bar on a terminal', async () => {
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: join(tempDir(), 'svc.db'), LIQUIDHOOK_API_KEY: 'cli-test-key-0123456789', LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent' }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    await service.store.applyTrack({ attributes: USERS, events: [], purchases: [] }, NO_RULES);
    await service.catalog.put('svc-dry', CAMPAIGN);
    const io = capture({ LIQUIDHOOK_URL: service.url, LIQUIDHOOK_API_KEY: 'cli-test-key-0123456789' }, true);
    const code = await dryRunCommand.run(['svc-dry', '--sample', '4', '--seed', 'cli'], io);
    expect(code).toBe(0);
    expect(io.stdout).toContain('a sample of 4 (seed cli), 4 rendered');
    expect(io.statuses.some((line) => /^\[[#-]{24}\]\s+\d+%/.test(line))).toBe(true);
    // The bar's line is cleared at the end.
    expect(io.statuses.at(-1)).toBe('');
  });

  it('refuses bad options as usage errors', async () => {
    const io = capture({ LIQUIDHOOK_DB: db });
    await expect(dryRunCommand.run(['cli-dry', '--seed', 'x'], io)).rejects.toThrow(new UsageError('--seed: a seed picks a sample: give `sample` too'));
    await expect(dryRunCommand.run(['cli-dry', '--sample', '0'], io)).rejects.toThrow(UsageError);
    await expect(dryRunCommand.run([], io)).rejects.toThrow(/needs a CAMPAIGN_ID/);
    await expect(dryRunCommand.run(['nope'], io)).rejects.toThrow(/campaign nope not found/);
  });
});

describe('dry-run progress line', () => {
  it('shows a bar, the count, the rate and the time left', () => {
    const view = { id: 'dry_x', options: { sample: null }, progress: { phase: 'rendering', done: 3800, of: 10000, profiles_per_second: 1250.4, eta_seconds: 4.96, elapsed_ms: 3000 } } as unknown as DryRunView;
    expect(progressLine(view)).toBe('[#########---------------]   38%  3,800/10,000 profiles  1,250/s  ETA 5 s');
  });
});
