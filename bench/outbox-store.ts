// The outbox's store work per send, without HTTP: applyTrack of 75-user batches that each plan
// one delivery per user, then claim/outcome rounds of 32 (as the worker does), on a durable
// SQLite file (each commit fsynced before it is answered). Prints the time each step takes per
// send and the CPU it costs (the process's, fsync thread included).
//   npx tsx bench/outbox-store.ts [sends=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { DeliveryOutcome } from '../src/domain/index.js';
import { sendOnEveryChange } from './lib/rules.js';

const total = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'lh-outbox-'));
const store = openSqliteStore({ path: join(dir, 'outbox.db') });
/** One campaign sending on every score change: one delivery per user of a batch. */
const rules = sendOnEveryChange('c1', 'score', { url: 'http://127.0.0.1:1/leads/x', method: 'PATCH' });
const request = { method: 'PATCH', url: 'http://127.0.0.1:1/leads/x', headers: { 'content-type': 'application/json' }, body: '{"score": 1, "email": "u@example.com"}' };
/** Process CPU in µs (all threads). */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
try {
  let t = performance.now();
  let cpu = cpuNow();
  for (let i = 0; i < total; i += 75) {
    const attributes = Array.from({ length: Math.min(75, total - i) }, (_, k) => ({ externalId: `u${i + k}`, ops: { score: { op: 'set' as const, value: i + k }, email: { op: 'set' as const, value: `u${k}@example.com` } } }));
    await store.applyTrack({ attributes, events: [], purchases: [] }, rules);
  }
  const track = performance.now() - t;
  const trackCpu = cpuNow() - cpu;
  t = performance.now();
  let claimMs = 0;
  let outcomeMs = 0;
  let claimCpu = 0;
  let outcomeCpu = 0;
  for (;;) {
    let s = performance.now();
    cpu = cpuNow();
    const claimed = await store.claimDeliveries('w', 32, new Date(), 60_000);
    claimMs += performance.now() - s;
    claimCpu += cpuNow() - cpu;
    if (claimed.length === 0) break;
    const at = new Date().toISOString();
    const outcomes: DeliveryOutcome[] = claimed.map((d) => ({
      id: d.id,
      status: 'delivered',
      attempt: { deliveryId: d.id, attempt: 1, at, statusCode: 200, latencyMs: 2, responseBody: '{"ok":true}' },
      firstAttemptAt: at,
      request,
    }));
    s = performance.now();
    cpu = cpuNow();
    await store.recordOutcomes(outcomes, new Date(), { owner: 'w' });
    outcomeMs += performance.now() - s;
    outcomeCpu += cpuNow() - cpu;
  }
  const us = (ms: number, cpuUs: number): string => `${((ms * 1000) / total).toFixed(0)} µs/send (CPU ${(cpuUs / total).toFixed(0)})`;
  console.log(
    `applyTrack ${us(track, trackCpu)}, claim ${us(claimMs, claimCpu)}, recordOutcomes ${us(outcomeMs, outcomeCpu)}, drain ${(total / ((performance.now() - t) / 1000)).toFixed(0)} sends/s`,
  );
  const perSend = (trackCpu + claimCpu + outcomeCpu) / total;
  console.log(`store CPU per send, enqueue + claim + outcome: ${perSend.toFixed(0)} µs (goal <= 25 µs on SQLite)`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
