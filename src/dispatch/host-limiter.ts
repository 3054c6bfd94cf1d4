// Per-host concurrency limit. Requests beyond the limit wait in arrival order; none are dropped.

interface HostSlots {
  active: number;
  waiting: Array<() => void>;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostSlots>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`per-host concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Resolves with a release function once a slot for `host` is free. */
  async acquire(host: string): Promise<() => void> {
    let slots = this.hosts.get(host);
    if (!slots) {
      slots = { active: 0, waiting: [] };
      this.hosts.set(host, slots);
    }
    if (slots.active < this.limit) {
      slots.active++;
    } else {
      // The releasing request hands its slot straight to the oldest waiter.
      await new Promise<void>((resolve) => slots.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(host, slots);
    };
  }

  /** Requests in flight and waiting for `host`. */
  load(host: string): { active: number; waiting: number } {
    const slots = this.hosts.get(host);
    return { active: slots?.active ?? 0, waiting: slots?.waiting.length ?? 0 };
  }

  private release(host: string, slots: HostSlots): void {
    const next = slots.waiting.shift();
    if (next) return next();
    slots.active--;
    if (slots.active === 0) this.hosts.delete(host);
  }
}
