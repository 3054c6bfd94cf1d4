// The clock behind 'now' / 'today', per engine, so every date filter registration (Ruby
// compatibility or Braze) reads the same, pinnable clock regardless of registration order.
import type { Liquid } from 'liquidjs';

const clocks = new WeakMap<Liquid, () => Date>();

export function setClock(liquid: Liquid, now: () => Date): void {
  clocks.set(liquid, now);
}

export function clockOf(liquid: Liquid): () => Date {
  return clocks.get(liquid) ?? (() => new Date());
}
