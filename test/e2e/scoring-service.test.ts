// Scoring inside the running service: a program posted through the API scores /users/track
// events in the same profile-change path, and /metrics counts the score changes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';

const KEY = 'scoring-key-0123456789abcdef';
const PROGRAM = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../templates/lead-scoring.scoring.json'), 'utf8'));

let service: RunningService;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-scoring-service-'));
  service = await startService(
    loadConfig({ PORT: '0', LIQUIDHOOK_DB: join(dir, 'db.sqlite'), LIQUIDHOOK_API_KEY: KEY, LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'none') }),
    { logger: pino({ level: 'silent' }), env: {} },
  );
});

afterAll(async () => {
  await service?.close();
});

describe('scoring in the service', () => {
  it('scores tracked events with a program created through the API and counts them in /metrics', async () => {
    const created = await api('POST', '/scoring-programs', PROGRAM);
    expect(created.status).toBeLessThan(300);

    const now = new Date().toISOString();
    // Entering the program: the email attribute appears (entry on attribute change).
    expect((await api('POST', '/users/track', { attributes: [{ external_id: 'lead-1', email: 'ada@acme.test' }] })).status).toBe(201);
    const events = [
      { external_id: 'lead-1', name: 'demo_requested', time: now },
      { external_id: 'lead-1', name: 'page_viewed', time: now, properties: { path: '/pricing' } },
      { external_id: 'lead-1', name: 'email_opened', time: now },
    ];
    const tracked = await api('POST', '/users/track', { events });
    expect(tracked.status).toBe(201);

    const user = await api('GET', '/users/lead-1');
    expect(user.json.attributes['lead score']).toBe(45);

    const metricsText = (await api('GET', '/metrics')).text;
    const line = metricsText.split('\n').find((l) => l.startsWith('liquidhook_scoring_events_total'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(3);
  });
});
