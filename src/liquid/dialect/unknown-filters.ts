// Ruby Liquid (lax mode, as Braze runs it) lets an unknown filter pass its input through.
// liquidjs does the same with strictFilters off, silently; this watcher notes the names that
// were looked up and not found while a template is parsed, so they can be reported.
import type { Liquid } from 'liquidjs';

export interface UnknownFilterWatcher {
  /** Runs a synchronous parse and returns the unknown filter names it looked up. */
  collect(parse: () => void): Set<string>;
}

export function watchUnknownFilters(liquid: Liquid): UnknownFilterWatcher {
  let current: Set<string> | undefined;
  const filters = liquid.filters as Record<string, unknown>;
  const watched = new Proxy(filters, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (value === undefined && current && typeof name === 'string') current.add(name);
      return value;
    },
  });
  Object.defineProperty(liquid, 'filters', { value: watched, writable: false, configurable: true });
  return {
    collect(parse) {
      const found = new Set<string>();
      const previous = current;
      current = found;
      try {
        parse();
      } finally {
        current = previous;
      }
      return found;
    },
  };
}
