// A small least-recently-used map: parsed templates are reused across renders (the same
// webhook is rendered once per user) while memory stays bounded.
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  /** The most recently used key: hitting it again needs no reordering (the common case). */
  private newest: K | undefined;

  constructor(public readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`cache size must be a non-negative integer, got ${String(capacity)}`);
    }
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined || key === this.newest) return value;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    return value;
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}
