// The two engines the conformance run compares: the product engine and stock liquidjs.
import { Liquid } from 'liquidjs';
import type { EngineFactory } from './liquid-spec.js';
import { registerBrazeFilters } from '../../src/liquid/filters/index.js';
import { registerRubyCompat } from '../../src/liquid/ruby-compat/index.js';

export const stockEngine: EngineFactory = () => new Liquid();

/** Product engine: createLiquid() when the engine module provides it. */
export async function productEngine(): Promise<EngineFactory> {
  try {
    const mod = (await import('../../src/liquid/index.js')) as { createLiquid?: (o: { now: () => Date }) => unknown };
    if (typeof mod.createLiquid === 'function') {
      const create = mod.createLiquid;
      return (opts) => asLiquid(create({ now: opts.now }));
    }
  } catch {
    // Engine module not present yet: assemble the same registrations by hand.
  }
  return (opts) => {
    const liquid = new Liquid();
    registerRubyCompat(liquid);
    registerBrazeFilters(liquid, { now: opts.now });
    return liquid;
  };
}

function asLiquid(engine: unknown): Liquid {
  if (engine instanceof Liquid) return engine;
  const inner = (engine as { liquid?: unknown }).liquid;
  if (inner instanceof Liquid) return inner;
  throw new Error('createLiquid() returned neither a Liquid nor an object with a .liquid engine');
}
