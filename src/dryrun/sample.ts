// A reproducible sample of an audience: each user gets a key from the seed and their external
// id, and the sample is the N users with the smallest keys. The same seed over the same
// profiles picks the same users, whatever order the profiles are read in, and a sample of N
// keeps its users when N grows.

/** cyrb53: a fast 53-bit string hash, plenty to spread external ids. */
export function sampleKey(seed: string, externalId: string): number {
  const text = `${seed}\u0000${externalId}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

interface Entry<T> {
  key: number;
  id: string;
  item: T;
}

/** Keeps the `size` entries with the smallest (key, id): a max-heap whose root is the first to go. */
export class SmallestKeys<T> {
  private readonly heap: Entry<T>[] = [];

  constructor(private readonly size: number) {}

  offer(key: number, id: string, item: T): void {
    if (this.size <= 0) return;
    const entry = { key, id, item };
    if (this.heap.length < this.size) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else if (before(entry, this.heap[0]!)) {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  /** The kept items, in external-id order. */
  items(): T[] {
    return [...this.heap].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => e.item);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[parent]!, this.heap[i]!)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < this.heap.length && before(this.heap[largest]!, this.heap[left]!)) largest = left;
      if (right < this.heap.length && before(this.heap[largest]!, this.heap[right]!)) largest = right;
      if (largest === i) return;
      this.swap(i, largest);
      i = largest;
    }
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b]!, this.heap[a]!];
  }
}

/** True when `a` sorts before `b`: smaller key, ties by external id. */
function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.key < b.key || (a.key === b.key && a.id < b.id);
}
