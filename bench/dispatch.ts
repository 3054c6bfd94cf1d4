// Webhook dispatcher throughput vs raw undici.request against the same loopback sink, same run.
// Usage: npx tsx bench/dispatch.ts [seconds-per-phase=1] [concurrency=32]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { compiled } from './lib/compiled.js';

const { createDispatcher } = await compiled<typeof import('../src/dispatch/index.js')>('dispatch/index.js');

const phaseSeconds = Number(process.argv[2] ?? 1);
const concurrency = Number(process.argv[3] ?? 32);

// The sink runs in its own process so it does not share the event loop being measured.
const SINK = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(202, { 'content-type': 'application/json' }); res.end('{"accepted":true}'); });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startSink(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/hook`, stop: () => child.kill() };
}

const body = JSON.stringify({ external_id: 'user-42', email: 'ada@example.com', score: 87, fields: { Company: 'Acme', Title: 'CTO' } });

async function run(label: string, seconds: number, sendOne: (i: number) => Promise<number>): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; performance.now() < until; i += concurrency) {
        const status = await sendOne(i);
        if (status >= 200 && status < 300) done++;
        else failed++;
      }
    }),
  );
  const rate = done / ((performance.now() - t0) / 1000);
  if (label) console.log(`${label.padEnd(28)} ${rate.toFixed(0).padStart(7)} sends/s  (${done} ok, ${failed} failed)`);
  return rate;
}

const sink = await startSink();
const raw = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
const dispatcher = createDispatcher({ allowedHosts: '127.0.0.1', maxConcurrencyPerHost: concurrency, keepAliveTimeoutMs: 30_000 });

const rawSend = async (i: number) => {
  const res = await request(sink.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${i}` },
    body,
    dispatcher: raw,
  });
  await res.body.text();
  return res.statusCode;
};
const guardedSend = async (i: number) => {
  const r = await dispatcher.send({ url: sink.url, method: 'POST', headers: { 'content-type': 'application/json' }, body, idempotencyKey: `bench-${i}` });
  return r.status ?? 0;
};
const signedSend = async (i: number) => {
  const r = await dispatcher.send({
    url: sink.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-token' },
    body,
    idempotencyKey: `bench-${i}`,
    signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  });
  return r.status ?? 0;
};

try {
  console.log(`loopback sink, concurrency ${concurrency}, ${phaseSeconds} s per phase, 3 alternating rounds`);
  // Warm-up: connections, JIT on both sides (the sink too).
  await run('', 1, rawSend);
  await run('', 0.5, guardedSend);
  // Alternate the phases so drift in machine load hits both sides alike.
  const rawRates: number[] = [];
  const guardedRates: number[] = [];
  for (let round = 1; round <= 3; round++) {
    rawRates.push(await run(`raw undici.request #${round}`, phaseSeconds, rawSend));
    guardedRates.push(await run(`dispatcher.send #${round}`, phaseSeconds, guardedSend));
    console.log(`  round ${round} ratio ${(guardedRates[round - 1]! / rawRates[round - 1]!).toFixed(2)}x`);
  }
  const signedRate = await run('dispatcher.send (signed)', phaseSeconds, signedSend);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rawRate = mean(rawRates);
  const guardedRate = mean(guardedRates);
  console.log(`raw ${rawRate.toFixed(0)} sends/s, dispatcher ${guardedRate.toFixed(0)} sends/s`);
  console.log(`ratio dispatcher/raw: ${(guardedRate / rawRate).toFixed(2)}x (goal >= 0.5x); signed/raw: ${(signedRate / rawRate).toFixed(2)}x`);
} finally {
  await raw.close();
  await dispatcher.close();
  sink.stop();
}
