// An instance's heartbeat on PostgreSQL: every `everyMs` it records that it is alive, then takes
// over the leases of instances silent for longer than they declared (`silentBeats` of their own
// heartbeats, see instances.ts). It has its own connection, so a pool busy with sends does not
// delay it into looking dead.
//
// After the database was unreachable, every instance's last heartbeat is old. An instance only
// judges others once its own heartbeats have succeeded for the whole silence threshold: by then
// each live instance has had time to beat again, and only the dead look silent.
import { hostname } from 'node:os';
import { createPool } from './db.js';
import { beat, leave, takeOverSilent, type Takeover } from './instances.js';

export interface HeartbeatOptions {
  url: string;
  /** The instance's id: its worker's lease owner. */
  id: string;
  everyMs: number;
  /** Heartbeats an instance may miss before the others take its leases over (default 5). */
  silentBeats?: number;
  logger: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Called after leases were taken over (wake the worker: they are due now). */
  onTakeover(takeover: Takeover): void;
  /** Monotonic milliseconds (tests pin it). */
  clock?: () => number;
}

export interface InstanceHeartbeat {
  /** One heartbeat (and takeover check) now; resolves when done. Never throws. */
  beatNow(): Promise<void>;
  /** Stops beating and removes the instance's row (after its worker released its sends). */
  stop(): Promise<void>;
}

export function startInstanceHeartbeat(options: HeartbeatOptions): InstanceHeartbeat {
  const clock = options.clock ?? (() => performance.now());
  const silentMs = options.everyMs * (options.silentBeats ?? 5);
  // One connection; a beat that cannot connect or is not answered within a heartbeat fails.
  const pool = createPool({ url: options.url, poolSize: 1, connectTimeoutMs: options.everyMs, queryTimeoutMs: options.everyMs });
  const instance = { id: options.id, host: hostname(), pid: process.pid, silentAfterMs: silentMs };
  /** Since when every heartbeat succeeded (undefined: the last one failed, or none yet). */
  let beatingSince: number | undefined;
  let beats = 0;
  /** The last heartbeat failed (reported once per outage). */
  let down = false;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function tick(): Promise<void> {
    try {
      const known = await beat(pool, instance);
      if (!known && beats > 0) {
        options.logger.warn({ instance: instance.id }, 'other instances took this one for dead and took over its leased sends; it goes on');
      }
      beats++;
      if (down) options.logger.info({ instance: instance.id }, 'database reachable again: heartbeats resumed');
      down = false;
      beatingSince ??= clock();
      if (clock() - beatingSince < silentMs) return;
      const takeover = await takeOverSilent(pool, instance.id);
      if (takeover.instances.length === 0) return;
      options.logger.warn(
        { instances: takeover.instances, deliveries: takeover.deliveries, silent_ms: silentMs },
        'took over the leased sends of instances that stopped sending heartbeats',
      );
      options.onTakeover(takeover);
    } catch (error) {
      if (!down) options.logger.error({ err: error }, 'heartbeat failed: the database is unreachable');
      down = true;
      beatingSince = undefined;
    }
  }

  function beatNow(): Promise<void> {
    running ??= tick().finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => void beatNow(), options.everyMs);
  timer.unref();
  void beatNow();

  return {
    beatNow,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await leave(pool, instance.id).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
