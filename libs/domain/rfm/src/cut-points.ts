import { type RfmValues } from './rfm-values';

/** c1..c4: the 20th, 40th, 60th and 80th percentiles of one metric. */
export type CutPoints = readonly [number, number, number, number];

/** Cut-points of the three RFM metrics, over all scored customers. */
export interface RfmCutPoints {
  readonly recency: CutPoints;
  readonly frequency: CutPoints;
  readonly monetary: CutPoints;
}

// numpy's _lerp: interpolating from the nearer end keeps the result bit-identical to numpy.
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The q-quantile (0..1) of ascending-sorted values with numpy's default 'linear' method:
 * h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty list');
  const h = (n - 1) * q;
  const below = Math.min(Math.max(Math.floor(h), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  return lerp(sorted[below]!, sorted[above]!, h - below);
}

/** The 20/40/60/80th percentiles (numpy 'linear'); throws on an empty list. */
export function cutPoints(values: readonly number[]): CutPoints {
  const sorted = Float64Array.from(values).sort();
  const asArray = Array.from(sorted);
  return [0.2, 0.4, 0.6, 0.8].map((q) => quantileOfSorted(asArray, q)) as unknown as CutPoints;
}

/** Cut-points for recency, frequency and monetary over the given customers. */
export function computeCutPoints(values: readonly RfmValues[]): RfmCutPoints {
  return {
    recency: cutPoints(values.map((v) => v.recencyDays)),
    frequency: cutPoints(values.map((v) => v.frequency)),
    monetary: cutPoints(values.map((v) => v.monetary)),
  };
}
