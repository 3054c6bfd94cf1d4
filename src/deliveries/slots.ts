// Slots and backlog: `concurrency` sends at once; leased deliveries beyond that wait in order.
// Claims and hand-offs (deliveries written already leased to this worker) fill up to twice
// `concurrency` held, so slots that free up start the next send from memory: a backlog drains in
// claim rounds about twice as large, each a commit that waits for its fsync.
import type { Delivery } from '../domain/index.js';
import type { DeliveryTable } from './delivery-table.js';
import { invariant } from './invariants.js';

export class Slots {
  /** Room promised to claims and hand-offs whose transaction has not finished yet. */
  private reserved = 0;
  /** Ids of the waiting deliveries, oldest first, from `head` on. */
  private backlog: string[] = [];
  private head = 0;
  private readonly maxHeld: number;

  constructor(
    private readonly table: DeliveryTable,
    private readonly concurrency: number,
    private readonly send: (delivery: Delivery) => Promise<void>,
  ) {
    this.maxHeld = concurrency * 2;
  }

  /** Waiting or sending: what the caps count, with the reservations. */
  private get held(): number {
    return this.table.count('waiting') + this.table.count('sending');
  }

  /** How many more may be held at most (twice `concurrency`, less what is held and reserved). */
  spareRoom(): number {
    return Math.max(0, this.maxHeld - this.held - this.reserved);
  }

  reserve(count: number): void {
    this.reserved += count;
    this.checkHeld();
  }

  unreserve(count: number): void {
    this.reserved -= count;
    invariant(this.reserved >= 0, 'reservedNonNegative', () => `${this.reserved} after giving back ${count}`);
  }

  /** A delivery leased to this worker waits for a slot (after any reservation for it is given back). */
  enqueue(delivery: Delivery): void {
    this.table.add(delivery);
    this.backlog.push(delivery.id);
    this.checkHeld();
  }

  get waiting(): number {
    return this.backlog.length - this.head;
  }

  /** Starts waiting deliveries, oldest first, while slots are free. */
  fill(): void {
    while (this.head < this.backlog.length && this.table.count('sending') < this.concurrency) {
      this.table.start(this.backlog[this.head++]!, this.send);
    }
    if (this.head === this.backlog.length) {
      this.backlog = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.head);
      this.head = 0;
    }
  }

  /** Takes every waiting delivery out (shutdown): they were never started. Returns their ids. */
  drain(): string[] {
    const ids = this.backlog.slice(this.head);
    this.backlog = [];
    this.head = 0;
    for (const id of ids) this.table.remove(id);
    return ids;
  }

  private checkHeld(): void {
    invariant(this.held + this.reserved <= this.maxHeld, 'heldCap', () => `${this.held} held and ${this.reserved} reserved, concurrency ${this.concurrency}`);
  }
}
