// Server hints about when to try again. Pure: the caller supplies `now` (epoch ms).

/** `Retry-After`: delta-seconds or an HTTP-date. Returns ms from `now`, or undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates always name a weekday or month; this keeps bare numbers like "1.5" out of Date.parse.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

// Values below this are read as a delta in seconds (some APIs send "seconds until reset").
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

/** `X-Rate-Limit-Reset`: epoch seconds of the reset (small values: seconds from now). */
export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const seconds = Number(text);
  if (seconds < EPOCH_SECONDS_FLOOR) return Math.round(seconds * 1000);
  return Math.max(0, Math.round(seconds * 1000 - now));
}

/** The wait a response asks for; `Retry-After` wins over `X-Rate-Limit-Reset`. Header names lower-case. */
export function retryHintMs(headers: Record<string, string | undefined>, now: number): number | undefined {
  return (
    parseRetryAfter(headers['retry-after'], now) ??
    parseRateLimitReset(headers['x-rate-limit-reset'] ?? headers['x-ratelimit-reset'], now)
  );
}
