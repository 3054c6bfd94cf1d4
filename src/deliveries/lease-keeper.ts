// The lease keeper: renews the leases of every delivery this worker holds (waiting, sending or
// settling), so a slow send or a pending commit is not taken over by another worker; gives
// deliveries back at shutdown.
import type { Logger } from 'pino';
import type { WorkerStore } from '../store/index.js';

export interface LeaseKeeperDeps {
  store: Pick<WorkerStore, 'renewLeases' | 'releaseDeliveries'>;
  owner: string;
  leaseMs: number;
  now(): Date;
  logger: Logger;
  /** The deliveries held now. */
  held(): Iterable<string>;
}

export interface LeaseKeeper {
  start(): void;
  /** No renewals after this. */
  stop(): void;
  renew(): Promise<void>;
  /** Gives deliveries back to the queue, with their attempt count unchanged. Never throws. */
  release(ids: string[]): Promise<void>;
}

export function createLeaseKeeper(deps: LeaseKeeperDeps): LeaseKeeper {
  const { store, owner, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let renewing = false;
  let stopped = false;

  async function renew(): Promise<void> {
    const ids = [...deps.held()];
    if (ids.length === 0 || renewing || stopped) return;
    renewing = true;
    try {
      // The store counts the lease from its own clock where instances share it (PostgreSQL).
      await store.renewLeases(owner, ids, deps.now(), deps.leaseMs);
    } catch (error) {
      logger.error({ err: error, deliveries: ids.length }, 'renewing delivery leases failed');
    } finally {
      renewing = false;
    }
  }

  return {
    start() {
      // A third of the lease: two renewals may fail before the lease lapses.
      timer = setInterval(() => void renew(), Math.max(10, Math.floor(deps.leaseMs / 3)));
      timer.unref();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    renew,
    async release(ids) {
      if (ids.length === 0) return;
      await store.releaseDeliveries(owner, ids).catch((err: unknown) => logger.error({ err }, 'release failed'));
    },
  };
}
