// The worker's one record of the deliveries leased to it: id → state. A delivery enters
// `waiting` (leased, waiting for a slot), moves to `sending` (its send is running), then to
// `settling` (sent; its outcome waits for its commit), and leaves when the commit is done or when
// it is released. Every move checks where it comes from, so no delivery is sent twice by this
// worker and the counts always match the entries.
import type { Delivery } from '../domain/index.js';
import { invariant } from './invariants.js';

export type DeliveryState = 'waiting' | 'sending' | 'settling';

interface Entry {
  state: DeliveryState;
  delivery: Delivery;
  /** Settles when the send ends (set while `sending`). */
  send?: Promise<void>;
}

export class DeliveryTable {
  private readonly entries = new Map<string, Entry>();
  private readonly counts: Record<DeliveryState, number> = { waiting: 0, sending: 0, settling: 0 };
  /** Set once the worker stopped: nothing starts after that. */
  private closed = false;

  constructor(private readonly concurrency: number) {}

  /** Deliveries leased to this worker, in every state. */
  get size(): number {
    return this.entries.size;
  }

  count(state: DeliveryState): number {
    return this.counts[state];
  }

  stateOf(id: string): DeliveryState | undefined {
    return this.entries.get(id)?.state;
  }

  /** A delivery newly leased to this worker waits for a slot. */
  add(delivery: Delivery): void {
    const known = this.entries.get(delivery.id);
    invariant(known === undefined, 'oneState', () => `${delivery.id} is already ${known!.state}`);
    this.entries.set(delivery.id, { state: 'waiting', delivery });
    this.counts.waiting++;
  }

  /** waiting → sending: runs `send` and keeps its promise (stop() waits for it). */
  start(id: string, send: (delivery: Delivery) => Promise<void>): void {
    const entry = this.entries.get(id);
    invariant(entry?.state !== 'settling', 'settlingNeverRestarted', () => id);
    invariant(entry?.state === 'waiting', 'onlyWaitingStarts', () => `${id} is ${entry?.state ?? 'unknown'}`);
    invariant(!this.closed, 'nothingSendingAfterStop', () => `${id} would start`);
    invariant(this.counts.sending < this.concurrency, 'sendingCap', () => `${this.counts.sending} sending, concurrency ${this.concurrency}`);
    this.move(entry, 'sending');
    entry.send = send(entry.delivery);
  }

  /** sending → settling: the send ended and its outcome waits for its commit. */
  settle(id: string): void {
    const entry = this.entries.get(id);
    invariant(entry?.state === 'sending', 'onlySendingSettles', () => `${id} is ${entry?.state ?? 'unknown'}`);
    delete entry.send;
    this.move(entry, 'settling');
  }

  /** The delivery leaves this worker: its outcome is committed, or it is released. */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.counts[entry.state]--;
  }

  /** The worker stopped: checks that nothing sends any more, and that nothing starts from now on. */
  close(): void {
    invariant(this.counts.sending === 0, 'nothingSendingAfterStop', () => `${this.counts.sending} sending`);
    this.closed = true;
  }

  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  idsIn(state: DeliveryState): string[] {
    const out: string[] = [];
    for (const [id, entry] of this.entries) if (entry.state === state) out.push(id);
    return out;
  }

  /** The sends running now. */
  sends(): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const entry of this.entries.values()) if (entry.send) out.push(entry.send);
    return out;
  }

  private move(entry: Entry, to: DeliveryState): void {
    this.counts[entry.state]--;
    this.counts[to]++;
    entry.state = to;
  }
}
