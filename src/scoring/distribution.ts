// Score distribution summaries for backtests: fixed-width histogram and nearest-rank percentiles.

export interface HistogramBucket {
  /** Inclusive lower bound. */
  min: number;
  /** Exclusive upper bound. */
  max: number;
  count: number;
}

export interface ScoreDistribution {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  percentiles: Record<'p10' | 'p25' | 'p50' | 'p75' | 'p90' | 'p95' | 'p99', number | null>;
  bucketWidth: number;
  buckets: HistogramBucket[];
}

const PERCENTILES = [10, 25, 50, 75, 90, 95, 99] as const;
/** Beyond this many buckets the width doubles, keeping reports readable. */
const MAX_BUCKETS = 40;

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function summarizeScores(scores: readonly number[], bucketWidth = 10): ScoreDistribution {
  if (!(bucketWidth > 0)) throw new RangeError('bucketWidth must be positive');
  const sorted = [...scores].sort((a, b) => a - b);
  const percentiles = Object.fromEntries(PERCENTILES.map((p) => [`p${p}`, percentile(sorted, p)])) as ScoreDistribution['percentiles'];
  if (sorted.length === 0)
    return { count: 0, min: null, max: null, mean: null, percentiles, bucketWidth, buckets: [] };
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  let width = bucketWidth;
  while (Math.floor(max / width) - Math.floor(min / width) + 1 > MAX_BUCKETS) width *= 2;
  const first = Math.floor(min / width) * width;
  const buckets: HistogramBucket[] = [];
  for (let lo = first; lo <= max; lo += width) buckets.push({ min: lo, max: lo + width, count: 0 });
  for (const s of sorted) buckets[Math.floor((s - first) / width)]!.count++;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, min, max, mean: Math.round(mean * 100) / 100, percentiles, bucketWidth: width, buckets };
}
