// The editor in Debian's chromium against the real service: login, campaign editor with live
// preview (MQL at 150, abort at 50), a Liquid syntax error underlined at its line and column,
// save, the layout at 1024 px, the delivery log and replay. Screenshots go to a temporary
// folder (printed). Skips with a reason where /usr/bin/chromium is missing (CI installs it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, MQL_AUTHORIZATION, MQL_BODY, MQL_URL, startTestService, type TestService } from './service.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`editor browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SCREENSHOTS = mkdtempSync(join(tmpdir(), 'liquidhook-editor-screens-'));
const shot = (name: string) => join(SCREENSHOTS, `${name}.png`);
const WAIT = { timeout: 15_000 };

describe.skipIf(!haveChromium)('web editor in chromium', () => {
  let t: TestService;
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;
  const pageErrors: string[] = [];
  let savedId = '';

  beforeAll(async () => {
    t = await startTestService();
    profileDir = mkdtempSync(join(tmpdir(), 'liquidhook-chromium-'));
    // A fresh profile directory per run: nothing carries over between runs.
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1100 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });
  afterAll(async () => {
    console.log(`editor screenshots: ${SCREENSHOTS}`);
    await browser?.close();
    await t?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const bodyField = () => page.getByLabel('Body (raw text)');
  const previewBody = () => page.locator('#preview-body');

  it('asks for the API key and refuses a wrong one', async () => {
    await page.goto(t.url);
    await page.getByLabel('API key').fill('not-the-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That key was not accepted.').waitFor(WAIT);
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor(WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem('liquidhook.apiKey'))).toBe(API_KEY);
    pageErrors.length = 0; // the refused key logged its 401; from here on nothing may fail
  });

  it('previews the MQL webhook as it is typed', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor(WAIT);
    await page.getByLabel('Campaign name').fill('Salesforce > Update lead to MQL');
    await page.getByLabel('HTTP method').selectOption('PATCH');
    await page.getByLabel('URL').fill(MQL_URL);
    await page.getByRole('button', { name: 'Add header' }).click();
    const authorization = page.getByRole('group', { name: 'Header 2' });
    await authorization.getByLabel('Header name').fill('Authorization');
    await authorization.getByLabel('Header value').fill(MQL_AUTHORIZATION);
    await bodyField().fill(MQL_BODY);
    await page.getByLabel('Attribute', { exact: true }).fill('lead score');
    await page.getByLabel('Liquid variables (JSON)').fill('{"custom_attribute":{"lead score":150}}');

    await previewBody().filter({ hasText: '"lead_status": "MQL"' }).waitFor(WAIT);
    expect(await page.locator('.request-line').textContent()).toMatch(/^PATCH https:\/\/.*\/Lead\/preview-user$/);
    expect(await page.locator('table.kv').textContent()).toContain('Bearer');
    expect(await page.locator('table.calls').textContent()).toContain('oauth2/token');
    // A stubbed preview says its calls did not go out.
    expect(await page.locator('table.calls .badge').textContent()).toBe('stubbed');
    // The template overlay highlights Liquid in the body.
    expect(await page.locator('.tpl-highlight .tok-tag').allTextContents()).toEqual(expect.arrayContaining(['assign', 'if', 'abort_message', 'endif']));
    expect(await page.locator('.tpl-highlight .tok-attr').allTextContents()).toContain('${lead score}');

    await page.getByLabel('Liquid variables (JSON)').fill('{"custom_attribute":{"lead score":50}}');
    await page.locator('.abort-reason').filter({ hasText: 'not at threshold' }).waitFor(WAIT);
    expect(await previewBody().count()).toBe(0);
  });

  it('underlines a syntax error at its line and column', async () => {
    await bodyField().fill('{\n"lead_status": "MQL",\n"owner": "{% iff owner %}"\n}');
    const message = page.locator('.field-errors li', { hasText: 'line 3, column 11' });
    await message.waitFor(WAIT);
    expect(await message.textContent()).toContain('iff');
    expect(await page.locator('.tpl-highlight .err').allTextContents()).toEqual(['{%', ' ', 'iff', ' owner ', '%}']);
    expect(await bodyField().getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.preview-output .status').textContent()).toContain('1 error');

    await page.screenshot({ path: shot('editor'), fullPage: true });
  });

  it('saves the campaign and lists it', async () => {
    await bodyField().fill(MQL_BODY);
    await page.locator('.field-errors li').first().waitFor({ state: 'detached', ...WAIT });
    await page.getByRole('button', { name: 'Add filter' }).click();
    const filter = page.getByRole('group', { name: 'filter 1' });
    await filter.getByLabel('Attribute').fill('lead_status');
    await filter.getByLabel('Operator').selectOption('is_none_of');
    await filter.getByLabel('Value').fill('MQL');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/campaigns\/cmp_/, WAIT);
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    savedId = id;
    const saved = await t.call('GET', `/campaigns/${id}`);
    expect(saved.json).toMatchObject({
      name: 'Salesforce > Update lead to MQL',
      trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
      audience: [{ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }],
      webhook: { method: 'PATCH', url: MQL_URL, headers: { Authorization: MQL_AUTHORIZATION }, body: { type: 'raw', text: MQL_BODY } },
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'Salesforce > Update lead to MQL' }).waitFor(WAIT);
    expect(pageErrors).toEqual([]);
  });

  it('at 1024 px keeps the URL on one line and the preview in view while the form scrolls', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByRole('link', { name: 'Salesforce > Update lead to MQL' }).click();
    await previewBody().or(page.locator('.abort-reason')).first().waitFor(WAIT);
    const url = page.getByLabel('URL');
    // One line: the highlighted copy is as tall as one line of text and scrolls with the caret.
    const lines = await page.locator('.tpl.single .tpl-highlight').evaluate((pre) => pre.getBoundingClientRect().height / parseFloat(getComputedStyle(pre).lineHeight));
    expect(lines).toBeLessThan(2);
    await url.focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => {
      const pre = document.querySelector('.tpl.single .tpl-highlight');
      const input = document.querySelector('.tpl.single .tpl-input');
      return pre && input && input.scrollLeft > 0 && pre.scrollLeft === input.scrollLeft;
    }, undefined, WAIT);
    await page.screenshot({ path: shot('url-at-1024') });
    // Sticky preview: halfway down and at the end of the form, its top is still on screen.
    for (const part of [0.5, 1]) {
      await page.evaluate((f) => window.scrollTo(0, f * (document.documentElement.scrollHeight - window.innerHeight)), part);
      expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
      const box = await page.locator('.preview').boundingBox();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y).toBeLessThan(100);
      await page.screenshot({ path: shot(`preview-sticky-at-1024-${part === 1 ? 'end' : 'middle'}`) });
    }
    await page.setViewportSize({ width: 1440, height: 1100 });
  });

  it('lists deliveries with filters, shows attempt detail and replays', async () => {
    // Below the threshold the body aborts: finished deliveries that can be replayed.
    for (const [user, score] of [['lead-50', 50], ['lead-40', 40]] as const) {
      expect((await t.call('POST', '/users/track', { attributes: [{ external_id: user, 'lead score': score }] })).status).toBe(201);
    }
    let statuses: string[] = [];
    for (let i = 0; i < 100 && statuses.join() !== 'aborted,aborted'; i++) {
      statuses = (await t.call('GET', '/deliveries')).json.deliveries.map((d: { status: string }) => d.status);
      if (statuses.join() !== 'aborted,aborted') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses).toEqual(['aborted', 'aborted']);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Delivery log' }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor(WAIT);
    await page.getByText('2 deliveries shown.').waitFor(WAIT);
    // One page holds both: no button for older ones.
    expect(await page.getByRole('button', { name: 'Older deliveries' }).isVisible()).toBe(false);
    await page.screenshot({ path: shot('delivery-log') });
    await page.getByLabel('User').fill('lead-50');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/external_id=lead-50/, WAIT);
    const row = page.locator('table.deliveries tbody tr', { hasText: 'lead-50' });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('not at threshold');
    expect(await page.locator('table.deliveries tbody tr').count()).toBe(1);

    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Delivery / }).waitFor(WAIT);
    expect(await page.locator('.facts').textContent()).toContain('not at threshold');
    expect(await page.locator('.facts').textContent()).toContain('Salesforce > Update lead to MQL');
    // Aborted: rendered again against the profile as it is now.
    await page.getByRole('button', { name: 'Render again and send' }).click();
    await page.getByText(/Queued again/).waitFor(WAIT);
    await page.screenshot({ path: shot('delivery') });
    expect(pageErrors).toEqual([]);
  });

  it('saves a content block, refusing Liquid that does not parse, and previews a campaign that includes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content blocks' }).click();
    await page.getByRole('heading', { name: 'Content blocks' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'New block' }).click();
    await page.getByLabel('Name').fill('signature');
    await page.getByLabel('Liquid').fill('-- {% if ${first_name} %}{{${first_name}}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('ul.errors li', { hasText: '{% if ${first_name} %} is not closed with {% endif %} (line 1, column 4)' }).waitFor(WAIT);
    await page.getByLabel('Liquid').fill('-- {{${first_name}}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/content-blocks\/signature$/, WAIT);
    expect((await t.call('GET', '/content-blocks/signature')).json.content).toBe('-- {{${first_name}}}');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor(WAIT);
    await page.getByLabel('URL').fill('https://example.com/hook');
    await bodyField().fill('Hi {{content_blocks.${signature}}}');
    await page.getByLabel('Liquid variables (JSON)').fill('{"first_name":"Ada"}');
    await previewBody().filter({ hasText: 'Hi -- Ada' }).waitFor(WAIT);
    expect(pageErrors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    pageErrors.length = 0;
  });

  it('shows dead letters and saves a scoring program from JSON', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor(WAIT);
    await page.getByText('No deliveries match.').waitFor(WAIT);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scoring programs' }).click();
    await page.getByRole('heading', { name: 'Scoring programs' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'New program' }).click();
    const json = page.getByLabel('Program (JSON)');
    await json.fill('{ "name": "Broken", "action_groups": [] }');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('ul.errors li', { hasText: 'action_groups' }).waitFor(WAIT);
    await json.fill(JSON.stringify({ name: 'Lead scoring', action_groups: [{ name: 'Pricing', events: [{ name: 'viewed_pricing' }], points: 10 }] }));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/scoring\/(?!new$)[^/]+$/, WAIT);
    const list = await t.call('GET', '/scoring-programs');
    expect(list.json.scoring_programs.map((p: { name: string }) => p.name)).toEqual(['Lead scoring']);
    expect(pageErrors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
  });
  it('dry-runs the campaign over the stored profiles from the editor', async () => {
    const users = [
      { external_id: 'dry-a', 'lead score': 150 },
      { external_id: 'dry-b', 'lead score': 200 },
      { external_id: 'dry-c', 'lead score': 10 },
      { external_id: 'dry-m', 'lead score': 150, lead_status: 'MQL' },
    ];
    expect((await t.call('POST', '/users/track', { attributes: users })).status).toBe(201);
    await page.goto(`${t.url}/#/campaigns/${encodeURIComponent(savedId)}`);
    await page.getByRole('heading', { name: 'Dry run' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    await page.getByText(/^Dry run completed in/).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Cancel dry run' }).isVisible()).toBe(false);
    // lead-50 and lead-40 (from the delivery test) and dry-c abort below the threshold; dry-m is out of the audience.
    expect(await page.locator('#dry-run-would-send').textContent()).toBe('2');
    expect(await page.locator('#dry-run-aborted').textContent()).toBe('3');
    expect(await page.locator('#dry-run-errors').textContent()).toBe('0');
    expect(await page.locator('.dry-run-output .facts').textContent()).toContain('5 of 6 profiles read');
    await page.locator('.dry-run-group summary', { hasText: 'Would send: 2' }).click();
    const example = page.locator('.dry-run-group[open] li', { hasText: 'dry-a' });
    await example.locator('summary').click();
    expect(await example.textContent()).toContain('PATCH https://your_salesforce_instance.my.salesforce.com/services/data/v60.0/sobjects/Lead/dry-a');
    expect(await example.locator('pre').textContent()).toContain('"lead_status": "MQL"');
    expect(await page.locator('.dry-run-group summary', { hasText: 'Aborted (3)' }).textContent()).toContain('not at threshold');
    await page.screenshot({ path: shot('dry-run'), fullPage: true });

    // A slow edit (not saved): the run shows its progress and can be cancelled.
    await bodyField().fill("{% for i in (1..90000) %}{% assign d = 'now' | date: '%Y-%m-%d' %}{% endfor %}slow");
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel dry run' }).waitFor(WAIT);
    expect(await page.getByRole('progressbar', { name: 'Dry run progress' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Cancel dry run' }).click();
    await page.getByText(/^Dry run cancelled in/).waitFor(WAIT);
    expect(Number(await page.locator('#dry-run-would-send').textContent())).toBeLessThan(5);
    expect(pageErrors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
  });
});
