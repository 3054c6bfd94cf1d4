import type { Liquid, Template } from 'liquidjs';
import { RubyTablerowTag } from './tablerow.js';
import { useRubyContext } from './context.js';
import { RubyForTag } from './tags/for.js';
import { RubyIncludeTag, RubyRenderTag } from './tags/partials.js';
import { RubyDecrementTag, RubyIncrementTag } from './tags/counters.js';
import { RubyCycleTag } from './tags/cycle.js';
import { RubyCaseTag } from './tags/case.js';
import { DocTag, IfchangedTag, NestingCommentTag } from './tags/blocks.js';
import { rubySource } from './source.js';
import { renderErrorsInline } from './inline-errors.js';
import { rubyCollectionFilters } from './collections.js';
import { rubyDate } from './date.js';
import { rubyFilters } from './filters.js';
import { rubyMathFilters } from './numbers.js';
import { registerRubyOperators } from './operators.js';
import { rubyParsed } from './parsed.js';
import { registerStringInputs } from './string-filters.js';
import { outputText } from './to-s.js';

export { setClock, clockOf } from './clock.js';
export { ZonedTime, inZone } from './time/zoned-time.js';
export { toZonedTime } from './time/parse.js';
export { strftime } from './time/strftime.js';
export { dateFilter, rubyDate } from './date.js';
export { RubyFloat, RubyRange, formatFloat, inspect, toS, outputText } from './to-s.js';

type PartialParser = (file: string, sync?: boolean, currentFile?: string) => Generator<unknown, Template[], unknown>;

/** Every template this engine parses, partials included, gets Ruby's parse-time semantics. */
function hookParsing(liquid: Liquid): void {
  const parse = liquid.parse.bind(liquid);
  liquid.parse = (html: string, filepath?: string) => rubyParsed(parse(rubySource(String(html)), filepath));
  const host = liquid as unknown as { _parsePartialFile: PartialParser };
  const parsePartial = host._parsePartialFile.bind(liquid);
  host._parsePartialFile = function* (file, sync, currentFile) {
    return rubyParsed((yield parsePartial(file, sync, currentFile)) as Template[]);
  };
}

export interface RubyCompatOptions {
  /** Render errors into the output, as Ruby's Template#render does. */
  inlineErrors?: boolean;
}

/** Aligns liquidjs with Shopify's Ruby Liquid where they differ (tags, filters, output). */
export function registerRubyCompat(liquid: Liquid, options: RubyCompatOptions = {}): void {
  liquid.registerTag('tablerow', RubyTablerowTag);
  liquid.registerTag('for', RubyForTag);
  liquid.registerTag('include', RubyIncludeTag);
  liquid.registerTag('render', RubyRenderTag);
  liquid.registerTag('increment', RubyIncrementTag);
  liquid.registerTag('decrement', RubyDecrementTag);
  liquid.registerTag('cycle', RubyCycleTag);
  liquid.registerTag('case', RubyCaseTag);
  liquid.registerTag('ifchanged', IfchangedTag);
  liquid.registerTag('comment', NestingCommentTag);
  liquid.registerTag('doc', DocTag);
  liquid.registerFilter('date', rubyDate);
  for (const filters of [rubyFilters, rubyMathFilters, rubyCollectionFilters]) {
    for (const [name, filter] of Object.entries(filters)) liquid.registerFilter(name, filter);
  }
  registerStringInputs(liquid);
  registerRubyOperators(liquid);
  // `{{ }}` and echo write values as Ruby's to_s does (hashes inspected, floats with a point).
  liquid.options.outputEscape = outputText;
  hookParsing(liquid);
  useRubyContext(liquid);
  if (options.inlineErrors) renderErrorsInline(liquid);
}
