// property_accessor: read a hash value by a key computed at render time.
import type { FilterImplOptions } from 'liquidjs';

export const miscFilters: Record<string, FilterImplOptions> = {
  property_accessor: (hash: unknown, key: unknown) => {
    if (hash === null || typeof hash !== 'object' || key === undefined || key === null) return undefined;
    const name = String(key);
    return Object.prototype.hasOwnProperty.call(hash, name) ? (hash as Record<string, unknown>)[name] : undefined;
  },
};
