// Braze's JSON filters: escape a string for embedding in JSON, parse JSON text into Liquid
// values, and serialise values back to JSON text.
import type { Context, FilterImplOptions } from 'liquidjs';
import { renderStateOf } from '../render-state.js';
import { toText } from './text.js';

export const jsonFilters: Record<string, FilterImplOptions> = {
  json_escape: (input: unknown) => JSON.stringify(toText(input)).slice(1, -1),
  json_parse: function (this: { context: Context }, input: unknown) {
    if (typeof input !== 'string') return input;
    try {
      return JSON.parse(input) as unknown;
    } catch (error) {
      renderStateOf(this.context)?.warnings.push(`json_parse: invalid JSON (${(error as Error).message})`);
      return undefined;
    }
  },
  as_json_string: (input: unknown) => JSON.stringify(input === undefined ? null : input),
};
