// Histogram binning for the RFM distributions. Every bin is [x0, x1): the lower edge included, the
// upper excluded, except that the last bin also takes its upper edge.
import { formatCompact } from './format';

export interface Bin {
  readonly x0: number;
  readonly x1: number;
  readonly count: number;
  readonly label: string;
}

export interface Histogram {
  readonly bins: readonly Bin[];
  /** Values the bins cannot show (not finite, or not positive on a log scale). */
  readonly excluded: number;
  readonly total: number;
}

/** A step of 1, 2 or 5 times a power of ten, near `range / target`. */
export function niceStep(range: number, target: number): number {
  if (!(range > 0) || !(target > 0)) return 1;
  const raw = range / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Counts values into bins between consecutive edges (ascending, at least two). */
export function countIntoBins(values: readonly number[], edges: readonly number[], label: (x0: number, x1: number, last: boolean) => string): Histogram {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  let excluded = 0;
  const first = edges[0];
  const lastEdge = edges[edges.length - 1];
  for (const value of values) {
    if (!Number.isFinite(value) || first === undefined || lastEdge === undefined || value < first || value > lastEdge) {
      excluded++;
      continue;
    }
    // Binary search for the last edge <= value.
    let lo = 0;
    let hi = edges.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((edges[mid] as number) <= value) lo = mid;
      else hi = mid;
    }
    const bin = Math.min(lo, counts.length - 1);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const bins = counts.map((count, i) => {
    const x0 = edges[i] as number;
    const x1 = edges[i + 1] as number;
    return { x0, x1, count, label: label(x0, x1, i === counts.length - 1) };
  });
  return { bins, excluded, total: values.length };
}

/**
 * Equal-width bins with round edges, about `target` of them, from 0 (or below the smallest value)
 * up. For whole numbers (`integers`, such as days) a bin is at least 1 wide and is labelled by the
 * values it holds ("7" or "10–19").
 */
export function linearHistogram(values: readonly number[], target = 20, integers = false): Histogram {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { bins: [], excluded: values.length, total: values.length };
  const min = Math.min(0, ...finite);
  const max = Math.max(...finite);
  const step = integers ? Math.max(1, Math.round(niceStep(max - min || 1, target))) : niceStep(max - min || 1, target);
  const start = Math.floor(min / step) * step;
  const edges: number[] = [start];
  while ((edges[edges.length - 1] as number) <= max) edges.push(Number(((edges[edges.length - 1] as number) + step).toFixed(10)));
  const label = integers ? (x0: number, x1: number) => (x1 - x0 === 1 ? String(x0) : `${x0}–${x1 - 1}`) : (x0: number, x1: number) => `${formatCompact(x0)}–${formatCompact(x1)}`;
  return countIntoBins(values, edges, label);
}

/** Edges 1, 2, 5, 10, 20, 50, ... (times powers of ten) from at or below `min` to above `max`; both > 0. */
export function logEdges(min: number, max: number): number[] {
  const steps = [1, 2, 5];
  let exponent = Math.floor(Math.log10(min));
  const edges: number[] = [];
  for (;;) {
    for (const s of steps) {
      const edge = Number((s * 10 ** exponent).toPrecision(12));
      if (edges.length === 0 && edge * (s === 5 ? 2 : s === 2 ? 2.5 : 2) <= min) continue;
      edges.push(edge);
      if (edge > max) return edges;
    }
    exponent++;
  }
}

/**
 * Bins of equal width on a log scale (edges 1-2-5 per decade), for skewed amounts such as the
 * monetary value; zero and negative values are counted as excluded.
 */
export function logHistogram(values: readonly number[]): Histogram {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return { bins: [], excluded: values.length, total: values.length };
  const edges = logEdges(Math.min(...positive), Math.max(...positive));
  return countIntoBins(values, edges, (x0, x1) => `${formatCompact(x0)}–${formatCompact(x1)}`);
}

/**
 * Bins for whole counts such as the number of orders: one bin per value from 1 to 5, then wider
 * ones (6–10, 11–20, 21–50, 51–100, 101–200, ...), enough to hold the largest value.
 */
export function countHistogram(values: readonly number[]): Histogram {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 1);
  if (finite.length === 0) return { bins: [], excluded: values.length, total: values.length };
  const max = Math.max(...finite);
  const edges = [1, 2, 3, 4, 5, 6];
  for (let exponent = 1; (edges[edges.length - 1] as number) <= max; exponent++) {
    for (const s of [1, 2, 5]) {
      edges.push(s * 10 ** exponent + 1);
      if ((edges[edges.length - 1] as number) > max) break;
    }
  }
  // Whole numbers: [x0, x1) holds x0..x1-1.
  return countIntoBins(
    values.map((v) => (v >= 1 ? v : Number.NaN)),
    edges,
    (x0, x1) => (x1 - x0 === 1 ? String(x0) : `${x0}–${x1 - 1}`),
  );
}
