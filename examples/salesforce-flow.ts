// The lead-scoring hand-off from start to finish on one machine: a fake Salesforce, the
// liquidhook service, the guide's campaign (only instance URL and credentials filled in), and
// three score updates. Prints what Salesforce received and what the delivery log says.
//
//   npx tsx examples/salesforce-flow.ts
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { campaignInputOf } from '../src/intake/index.js';
import { parseWebhookFile } from '../src/render/file-format.js';
import { resolvePlaceholders, substitutePlaceholders } from '../src/render/placeholders.js';
import { startService } from '../src/server/service.js';
import { startFakeSalesforce } from './fake-salesforce.js';

const TEMPLATE = resolve(import.meta.dirname, '../templates/salesforce-mql-handoff.webhook.liquid');
const API_KEY = 'example-key-0123456789abcdef';

const salesforce = await startFakeSalesforce();
console.log(`fake Salesforce on ${salesforce.url}`);

const service = await startService(
  loadConfig({
    PORT: '0',
    LIQUIDHOOK_DB: join(mkdtempSync(join(tmpdir(), 'liquidhook-flow-')), 'liquidhook.db'),
    LIQUIDHOOK_API_KEY: API_KEY,
    // The fake listens on loopback, which the SSRF guard blocks unless allowed.
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // An empty templates folder: the campaign is created through the API below.
    LIQUIDHOOK_TEMPLATES_DIR: mkdtempSync(join(tmpdir(), 'liquidhook-flow-templates-')),
    LIQUIDHOOK_POLL_MS: '100',
  }),
  { logger: pino({ level: 'warn' }), env: {} },
);
console.log(`liquidhook on ${service.url}\n`);

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// The guide's webhook as printed, with only the bracketed parts filled in.
const file = parseWebhookFile(readFileSync(TEMPLATE, 'utf8'), TEMPLATE);
const filled = resolvePlaceholders(file.placeholders, {
  SALESFORCE_INSTANCE_URL: salesforce.url,
  SALESFORCE_CLIENT_ID: salesforce.clientId,
  SALESFORCE_CLIENT_SECRET: salesforce.clientSecret,
});
const campaign = await api('POST', '/campaigns', { ...campaignInputOf(file), webhook: substitutePlaceholders(file.webhook, filled.values) });
console.log(`campaign ${campaign.id}: ${campaign.name}`);

const preview = await api('POST', `/campaigns/${campaign.id}/preview`, { attributes: { 'lead score': 150 } });
console.log(`preview for score 150: ${preview.method} ${preview.url}\n  Authorization: ${preview.headers.Authorization}\n  body: ${JSON.stringify(preview.body)}\n`);

const updates = [
  { external_id: '00Q5e000001AAAA', 'lead score': 150 },
  { external_id: '00Q5e000001BBBB', 'lead score': 50 },
  { external_id: '00Q5e000001CCCC', 'lead score': 180, lead_status: 'MQL' },
];
for (const update of updates) console.log(`POST /users/track ${JSON.stringify(update)}`);
await api('POST', '/users/track', { attributes: updates });

await service.worker.idle();
console.log('\nSalesforce received:');
for (const r of salesforce.requests) {
  const auth = r.headers.authorization ? `  Authorization: Bearer ${r.headers.authorization.slice(7, 15)}…` : '';
  console.log(`  ${r.method} ${r.path} -> ${r.status}${auth}${r.method === 'PATCH' ? `  body ${JSON.stringify(r.body)}` : ''}`);
}
console.log('\nDelivery log:');
for (const d of (await api('GET', '/deliveries')).deliveries) {
  console.log(`  ${d.external_id}: ${d.status}${d.abort_reason ? ` (${d.abort_reason})` : ''}, attempts ${d.attempts}`);
}
console.log('\nProfiles:');
for (const update of updates) {
  const user = await api('GET', `/users/${update.external_id}`);
  console.log(`  ${update.external_id}: lead_status=${user.attributes.lead_status ?? '(none)'}`);
}

await service.close();
await salesforce.close();
