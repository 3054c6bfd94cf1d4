// A real service on loopback with a throwaway SQLite file, for the editor's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';

export const API_KEY = 'editor-test-key-0123456789';

export interface TestService {
  service: RunningService;
  url: string;
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: any; headers: Headers; text: string }>;
  close(): Promise<void>;
}

export async function startTestService(): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'liquidhook-editor-'));
  const service = await startService(
    loadConfig({
      PORT: '0',
      LIQUIDHOOK_DB: join(dir, 'test.db'),
      LIQUIDHOOK_API_KEY: API_KEY,
      LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
      LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
    }),
    { logger: pino({ level: 'silent' }), env: {} },
  );
  return {
    service,
    url: service.url,
    async call(method, path, body, key = API_KEY) {
      const response = await fetch(service.url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, json, headers: response.headers, text };
    },
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The guide's Salesforce "update lead to MQL" webhook, verbatim. */
export const MQL_BODY = `{% assign threshold = 100%}
{% if custom_attribute.\${lead score} > threshold %}
{
"lead_status": "MQL"
}
{% else %}{% abort_message('not at threshold')%}
{% endif %}`;

export const MQL_AUTHORIZATION = `{% connected_content https://[instance].my.salesforce.com/services/oauth2/token
:method post
 :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials
:save result %}
 Bearer {{result.access_token}}`;

export const MQL_URL = 'https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/data/v60.0/sobjects/Lead/{{${user_id}}}';

export const mqlWebhook = (body = MQL_BODY) => ({
  url: MQL_URL,
  method: 'PATCH',
  headers: { Authorization: MQL_AUTHORIZATION, 'Content-Type': 'application/json' },
  body: { type: 'raw', text: body },
});
