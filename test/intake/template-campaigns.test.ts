import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CampaignCatalog, TemplateCampaignError, campaignIdForFile, loadTemplateCampaigns } from '../../src/intake/index.js';
import { TemplatesDirError } from '../../src/render/load.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { MQL_TEMPLATE } from '../e2e/helpers.js';

const silent = pino({ level: 'silent' });
const ENV = {
  SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
  SALESFORCE_CLIENT_ID: 'cid',
  SALESFORCE_CLIENT_SECRET: 'csecret',
};
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function setup(): { dir: string; db: string } {
  const root = mkdtempSync(join(tmpdir(), 'lh-tpl-'));
  const dir = join(root, 'templates');
  mkdirSync(dir);
  copyFileSync(MQL_TEMPLATE, join(dir, 'salesforce-mql-handoff.webhook.liquid'));
  return { dir, db: join(root, 'db.sqlite') };
}

async function catalogFor(db: string, env: Record<string, string>): Promise<CampaignCatalog> {
  const store = openSqliteStore({ path: db });
  stores.push(store);
  const catalog = new CampaignCatalog(store, silent, env);
  await catalog.load();
  return catalog;
}

describe('campaigns from template files', () => {
  it('derives a stable id from the file name', () => {
    expect(campaignIdForFile('/x/templates/salesforce-mql-handoff.webhook.liquid')).toBe('file:salesforce-mql-handoff');
  });

  it('loads a file campaign with its placeholders filled from the environment', async () => {
    const { dir, db } = setup();
    const catalog = await catalogFor(db, ENV);
    expect(await loadTemplateCampaigns(dir, catalog, silent)).toEqual(['file:salesforce-mql-handoff']);
    const active = catalog.get('file:salesforce-mql-handoff')!;
    expect(active.ready).toBe(true);
    expect(active.webhook.url).toBe('https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/{{${user_id}}}');
    expect(active.webhook.headers.Authorization).toContain('client_secret=csecret');
    // The stored definition keeps the template as written: no secret in the database.
    expect(JSON.stringify(active.campaign)).not.toContain('csecret');
    expect(active.secrets).toEqual(['csecret']);
  });

  it('keeps a campaign inactive while placeholders are unset', async () => {
    const { dir, db } = setup();
    const catalog = await catalogFor(db, {});
    await loadTemplateCampaigns(dir, catalog, silent);
    const active = catalog.get('file:salesforce-mql-handoff')!;
    expect(active.ready).toBe(false);
    expect(active.missing).toEqual(['SALESFORCE_INSTANCE_URL', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET']);
    const planned = catalog.planner(new Date())({
      externalId: 'u',
      before: undefined,
      after: { 'lead score': 150 },
      changes: [{ attribute: 'lead score', before: undefined, after: 150 }],
      events: [],
      purchases: [],
      lastEnqueuedAt: {},
    });
    expect(planned).toEqual([]);
  });

  it('keeps a campaign inactive when a placeholder value is unusable', async () => {
    const { dir, db } = setup();
    const catalog = await catalogFor(db, { ...ENV, SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com/some/path' });
    await loadTemplateCampaigns(dir, catalog, silent);
    const active = catalog.get('file:salesforce-mql-handoff')!;
    expect(active.ready).toBe(false);
    expect(active.inactiveReason).toContain('SALESFORCE_INSTANCE_URL');
  });

  it('deactivates a stored file campaign whose file is gone', async () => {
    const { dir, db } = setup();
    await loadTemplateCampaigns(dir, await catalogFor(db, ENV), silent);
    rmSync(join(dir, 'salesforce-mql-handoff.webhook.liquid'));
    const restarted = await catalogFor(db, ENV);
    await loadTemplateCampaigns(dir, restarted, silent);
    expect(restarted.get('file:salesforce-mql-handoff')?.ready).toBe(false);
    expect(restarted.get('file:salesforce-mql-handoff')?.inactiveReason).toContain('no longer');
  });

  it('names the file when its campaign part is invalid', async () => {
    const { dir, db } = setup();
    const bad = join(dir, 'broken.webhook.liquid');
    writeFileSync(bad, '---\nname: Broken\nurl: https://example.com\nmethod: POST\ntrigger:\n  type: nope\n---\n{}\n');
    const error = await loadTemplateCampaigns(dir, await catalogFor(db, ENV), silent).catch((e: unknown) => e);
    // Whichever layer catches it (file format or campaign schema), the message names file and field.
    expect(error instanceof TemplatesDirError || error instanceof TemplateCampaignError).toBe(true);
    expect((error as Error).message).toContain('broken.webhook.liquid');
    expect((error as Error).message).toContain('trigger.type');
  });

  it('refuses to start with a template that does not parse, at its file line and column, saving nothing', async () => {
    const { dir, db } = setup();
    const bad = join(dir, 'unclosed.webhook.liquid');
    const header = '    Authorization: "Bearer {{ ${first_name }}"';
    writeFileSync(bad, `---\nname: Unclosed\nurl: https://example.com/{{\${user_id}}}\nmethod: POST\nheaders:\n${header}\ntrigger:\n  type: custom_event\n  event: x\n---\n{\n{% if x %}open\n}\n`);
    const catalog = await catalogFor(db, ENV);
    const error = await loadTemplateCampaigns(dir, catalog, silent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplatesDirError);
    expect((error as Error).message.split('\n').slice(1)).toEqual([
      `${bad}:6:31: headers.Authorization: "\${first_name" is not closed with "}"`,
      `${bad}:12:1: body: {% if x %} is not closed with {% endif %}`,
    ]);
    expect(catalog.list()).toEqual([]);
  });
});
