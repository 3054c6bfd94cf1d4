// Input coercion shared by the Braze filters: Liquid prints nil as '' and arrays joined.
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(toText).join('');
  if (typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function') {
    const text = String(value);
    return text === '[object Object]' ? JSON.stringify(value) : text;
  }
  return String(value);
}
