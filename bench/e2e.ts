// End-to-end: a /users/track change becomes a PATCH at a loopback sink (service and sink in
// their own processes, durable SQLite), against raw undici.request to the same sink.
import { Agent, request } from 'undici';
import { startBenchService, sinkCampaign, type BenchService } from './lib/service.js';
import { cpuPerItem } from './lib/cpu.js';
import { startSink, type Sink } from './lib/sink.js';
import { percentile, pool, sleep } from './lib/stats.js';

const USERS_PER_REQUEST = 75; // Braze's /users/track limit per kind
/** /users/track requests in flight at once in the throughput phase. */
export const TRACK_POSTERS = 8;

export interface ThroughputFigures {
  sends: number;
  seconds: number;
  perSecond: number;
}

export interface LatencyFigures {
  rate: number;
  seconds: number;
  sends: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Service settings of every end-to-end phase (reported with the figures): none, the service runs
 * at its defaults, as a user starts it. BENCH_SERVICE_ENV='{"LIQUIDHOOK_WORKER_BATCH":"256"}'
 * tries others.
 */
export const SERVICE_ENV: Record<string, string> = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>;
/** Requests in flight of the raw undici baseline. */
export const RAW_CONCURRENCY = 128;

export interface E2eSetup {
  sink: Sink;
  service: BenchService;
  close(): Promise<void>;
}

export async function setUpE2e(execArgv: string[] = [], extraEnv: Record<string, string> = {}): Promise<E2eSetup> {
  const sink = await startSink();
  const service = await startBenchService({ ...SERVICE_ENV, ...extraEnv }, execArgv);
  await service.post('/campaigns', sinkCampaign(sink.url));
  return {
    sink,
    service,
    async close() {
      await service.stop();
      await sink.stop();
    },
  };
}

let round = 0;
const users = (count: number, from = 0) => {
  const r = round++;
  return Array.from({ length: count }, (_, i) => ({ external_id: `b${r}-${from + i}`, 'bench score': from + i, email: `u${i}@example.com` }));
};

async function waitForArrivals(sink: Sink, total: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await sink.count()) < total) {
    if (Date.now() > deadline) throw new Error(`only ${await sink.count()} of ${total} sends arrived within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * `total` changes posted as fast as the API takes them, `posters` requests at a time; sends/s
 * from the first POST to the last arrival.
 */
export async function serviceThroughput(setup: E2eSetup, total: number, posters = TRACK_POSTERS): Promise<ThroughputFigures> {
  const { sink, service } = setup;
  await sink.reset();
  const requests = Math.ceil(total / USERS_PER_REQUEST);
  const batches = Array.from({ length: requests }, (_, i) => users(Math.min(USERS_PER_REQUEST, total - i * USERS_PER_REQUEST)));
  const t0 = performance.timeOrigin + performance.now();
  await pool(requests, posters, (i) => service.track(batches[i]!));
  await waitForArrivals(sink, total, 120_000);
  const arrivals = await sink.arrivals();
  const last = Math.max(...arrivals.map((a) => a[2]));
  const seconds = (last - t0) / 1000;
  return { sends: arrivals.length, seconds, perSecond: arrivals.length / seconds };
}

/** Raw undici.request PATCHes to the same sink, `concurrency` at a time. */
export async function rawThroughput(sink: Sink, total: number, concurrency: number): Promise<ThroughputFigures> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  try {
    const t0 = performance.now();
    await pool(total, concurrency, async (i) => {
      const res = await request(`${sink.url}/leads/raw-${i}`, {
        method: 'PATCH',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': `raw-${i}` },
        body: `{"score": ${i}, "email": "u${i}@example.com"}`,
      });
      await res.body.text();
    });
    const seconds = (performance.now() - t0) / 1000;
    return { sends: total, seconds, perSecond: total / seconds };
  } finally {
    await agent.close();
  }
}

/** CPU per send (µs) of the client (this process), the sink and the service, over one run. */
export type CpuPerSend = Record<'client' | 'sink' | 'service', number>;

export interface InterleavedFigures {
  service: (ThroughputFigures & { cpuUs: CpuPerSend })[];
  raw: (ThroughputFigures & { cpuUs: CpuPerSend })[];
}

/**
 * `rounds` of service and raw runs, alternating which goes first: this machine's speed drifts by
 * a fifth within minutes, and a single pair of runs measured the drift as much as the service.
 */
export async function interleavedThroughput(setup: E2eSetup, sends: number, rounds: number, concurrency: number): Promise<InterleavedFigures> {
  const figures: InterleavedFigures = { service: [], raw: [] };
  for (let round = 0; round < rounds; round++) {
    const pids = { client: process.pid, sink: setup.sink.pid, service: setup.service.child.pid };
    const measure = async (work: () => Promise<ThroughputFigures>) => {
      const { result, cpuUs } = await cpuPerItem(pids, sends, work);
      return { ...result, cpuUs: cpuUs as CpuPerSend };
    };
    const runService = async (): Promise<void> => void figures.service.push(await measure(() => serviceThroughput(setup, sends)));
    const runRaw = async (): Promise<void> => void figures.raw.push(await measure(() => rawThroughput(setup.sink, sends, concurrency)));
    if (round % 2 === 0) {
      await runRaw();
      await runService();
    } else {
      await runService();
      await runRaw();
    }
  }
  return figures;
}

const nowMs = (): number => performance.timeOrigin + performance.now();

/** Paces `perTick` items every `tickMs` for `seconds`; `send` gets the tick index. */
async function paced(seconds: number, tickMs: number, send: (tick: number) => Promise<void>): Promise<void> {
  const ticks = Math.round((seconds * 1000) / tickMs);
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const wait = t0 + tick * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(tick));
  }
  await Promise.all(inFlight);
}

/**
 * A steady `rate` of changes for `seconds` (10 users per /users/track request, every 10 ms at
 * 1,000/s). Latency runs from the moment the request was sent (so it includes the ingest) to the
 * sink's arrival time.
 */
export async function serviceLatency(setup: E2eSetup, rate: number, seconds: number): Promise<LatencyFigures> {
  const { sink, service } = setup;
  await sink.reset();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const sentAt = new Map<string, number>();
  const r = round++;
  await paced(seconds, tickMs, async (tick) => {
    const batch = Array.from({ length: perTick }, (_, i) => ({ external_id: `l${r}-${tick}-${i}`, 'bench score': i, email: 'l@example.com' }));
    const at = nowMs();
    for (const u of batch) sentAt.set(u.external_id, at);
    await service.track(batch);
  });
  await waitForArrivals(sink, sentAt.size, 60_000);
  const latencies = (await sink.arrivals()).map(([id, , at]) => at - sentAt.get(id)!).sort((a, b) => a - b);
  return summarise(rate, seconds, latencies);
}

/** Raw undici.request round trips to the sink at the same pace. */
export async function rawLatency(sink: Sink, rate: number, seconds: number): Promise<LatencyFigures> {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const latencies: number[] = [];
  try {
    await paced(seconds, tickMs, async (tick) => {
      await Promise.all(
        Array.from({ length: perTick }, async (_, i) => {
          const t = nowMs();
          const res = await request(`${sink.url}/leads/raw-${tick}-${i}`, {
            method: 'PATCH',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', 'idempotency-key': `raw-${tick}-${i}` },
            body: `{"score": ${i}}`,
          });
          await res.body.text();
          latencies.push(nowMs() - t);
        }),
      );
    });
  } finally {
    await agent.close();
  }
  return summarise(rate, seconds, latencies.sort((a, b) => a - b));
}

function summarise(rate: number, seconds: number, sorted: number[]): LatencyFigures {
  return { rate, seconds, sends: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? NaN };
}
