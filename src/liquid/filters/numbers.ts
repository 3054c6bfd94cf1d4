// Braze's number formatting: number_with_delimiter (Rails) and money, which in Braze formats
// the amount as given (145 → 145.00), unlike Shopify which reads it as cents.
import type { FilterImplOptions } from 'liquidjs';

function numeric(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  if (typeof input === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(input)) return Number(input);
  return undefined;
}

function groupThousands(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567.891 → "1,234,567.891": commas in the integer part, decimals kept as written. */
export function numberWithDelimiter(input: unknown, delimiter = ',', separator = '.'): unknown {
  const value = numeric(input);
  if (value === undefined) return input;
  const text = typeof input === 'string' ? input.trim().replace(/^\+/, '') : String(value);
  if (/e/i.test(text)) return text;
  const [whole, fraction] = text.split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const grouped = groupThousands(whole!.replace('-', '')).replace(/,/g, delimiter);
  return `${sign}${grouped}${fraction !== undefined ? separator + fraction : ''}`;
}

/** 145 → "145.00", 350000.25 → "350,000.25", 17.8 → "17.80". */
export function money(input: unknown): unknown {
  const value = numeric(input);
  if (value === undefined) return input;
  const fixed = Math.abs(value).toFixed(2);
  const [whole, cents] = fixed.split('.');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${groupThousands(whole!)}.${cents}`;
}

export const numberFilters: Record<string, FilterImplOptions> = {
  number_with_delimiter: (input: unknown, delimiter?: unknown, separator?: unknown) =>
    numberWithDelimiter(input, delimiter === undefined ? ',' : String(delimiter), separator === undefined ? '.' : String(separator)),
  money,
};
