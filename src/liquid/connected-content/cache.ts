// Response cache shared by every render of one engine: bounded (least recently used goes
// first), with a per-entry lifetime, plus single-flight so concurrent identical calls share
// one request.

export class TtlLruCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new Error('cache size must be a whole number >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0 || this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export class SingleFlight<V> {
  private readonly pending = new Map<string, Promise<V>>();

  /** Run `work` once per key at a time; callers arriving meanwhile share its result. */
  async run(key: string, work: () => Promise<V>): Promise<{ value: V; shared: boolean }> {
    const inFlight = this.pending.get(key);
    if (inFlight) return { value: await inFlight, shared: true };
    const promise = work().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return { value: await promise, shared: false };
  }

  get size(): number {
    return this.pending.size;
  }
}
