// Cluster-quality metrics with scikit-learn's definitions (silhouette_score, davies_bouldin_score,
// calinski_harabasz_score), computed without an n x n matrix: memory stays O(n k).

import { sampleIndices, seededRandom } from './random';

type Points = readonly (readonly number[])[];

interface Prepared {
  readonly n: number;
  readonly width: number;
  readonly flat: Float64Array;
  /** Labels renumbered 0..clusters-1 in ascending order of the given labels (as LabelEncoder). */
  readonly codes: Int32Array;
  readonly clusters: number;
  readonly sizes: Float64Array;
}

function prepare(points: Points, labels: readonly number[]): Prepared {
  const n = points.length;
  if (labels.length !== n) throw new RangeError(`expected ${n} labels, got ${labels.length}`);
  const width = n === 0 ? 0 : points[0]!.length;
  const distinct = [...new Set(labels)].sort((a, b) => a - b);
  const clusters = distinct.length;
  if (clusters < 2 || clusters > n - 1) {
    throw new RangeError(`the number of clusters must be between 2 and n - 1 = ${n - 1}, got ${clusters}`);
  }
  const codeOf = new Map(distinct.map((label, code) => [label, code]));
  const flat = new Float64Array(n * width);
  const codes = new Int32Array(n);
  const sizes = new Float64Array(clusters);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    if (p.length !== width) throw new RangeError('points must all have the same number of coordinates');
    flat.set(p, i * width);
    codes[i] = codeOf.get(labels[i]!)!;
    sizes[codes[i]!]!++;
  }
  return { n, width, flat, codes, clusters, sizes };
}

function clusterMeans(p: Prepared): Float64Array {
  const means = new Float64Array(p.clusters * p.width);
  for (let i = 0; i < p.n; i++) {
    const c = p.codes[i]!;
    for (let j = 0; j < p.width; j++) means[c * p.width + j]! += p.flat[i * p.width + j]!;
  }
  for (let c = 0; c < p.clusters; c++) for (let j = 0; j < p.width; j++) means[c * p.width + j]! /= p.sizes[c]!;
  return means;
}

/**
 * Silhouette of every point: (b - a) / max(a, b), a = mean distance to the other points of its
 * cluster, b = the lowest mean distance to another cluster; 0 for a point alone in its cluster.
 * Exact, O(n^2) time, O(n k) memory.
 */
export function silhouetteSamples(points: Points, labels: readonly number[]): number[] {
  const p = prepare(points, labels);
  const { n, width, flat, codes, clusters, sizes } = p;
  // sums[i * clusters + c] = sum of distances from point i to the points of cluster c
  const sums = new Float64Array(n * clusters);
  for (let i = 0; i < n; i++) {
    const ci = codes[i]!;
    const oi = i * width;
    for (let j = i + 1; j < n; j++) {
      const oj = j * width;
      let squared = 0;
      for (let d = 0; d < width; d++) {
        const diff = flat[oi + d]! - flat[oj + d]!;
        squared += diff * diff;
      }
      const distance = Math.sqrt(squared);
      sums[i * clusters + codes[j]!]! += distance;
      sums[j * clusters + ci]! += distance;
    }
  }
  const result = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const own = codes[i]!;
    const ownSize = sizes[own]!;
    if (ownSize <= 1) {
      result[i] = 0;
      continue;
    }
    const a = sums[i * clusters + own]! / (ownSize - 1);
    let b = Infinity;
    for (let c = 0; c < clusters; c++) if (c !== own) b = Math.min(b, sums[i * clusters + c]! / sizes[c]!);
    const denominator = Math.max(a, b);
    result[i] = denominator === 0 ? 0 : (b - a) / denominator;
  }
  return result;
}

export interface SilhouetteOptions {
  /** Points above this count are scored on a seeded random sample of this size. Default 10,000. */
  readonly sampleSize?: number;
  /** Seed of the sample. Default 42. */
  readonly seed?: number;
}

export interface SilhouetteResult {
  /** Mean silhouette (scikit-learn's silhouette_score). */
  readonly score: number;
  /** Points it was computed on. */
  readonly sampleSize: number;
  /** True when every point was used. */
  readonly exact: boolean;
}

/**
 * Mean silhouette. Exact up to `sampleSize` points; above, computed on a seeded sample without
 * replacement (as scikit-learn's `sample_size`), and says so.
 */
export function silhouetteScore(points: Points, labels: readonly number[], options: SilhouetteOptions = {}): SilhouetteResult {
  const limit = options.sampleSize ?? 10_000;
  if (points.length <= limit) {
    const samples = silhouetteSamples(points, labels);
    return { score: mean(samples), sampleSize: points.length, exact: true };
  }
  const picked = sampleIndices(seededRandom(options.seed ?? 42), points.length, limit);
  return silhouetteOfSample(points, labels, picked);
}

/** The mean silhouette over the given subset of points (indices into `points`). */
export function silhouetteOfSample(points: Points, labels: readonly number[], indices: readonly number[]): SilhouetteResult {
  const samples = silhouetteSamples(
    indices.map((i) => points[i]!),
    indices.map((i) => labels[i]!),
  );
  return { score: mean(samples), sampleSize: indices.length, exact: indices.length === points.length };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Davies-Bouldin index (lower is better): the mean over clusters of the worst
 * (s_i + s_j) / d(c_i, c_j), s = mean distance of a cluster's points to its mean.
 */
export function daviesBouldinScore(points: Points, labels: readonly number[]): number {
  const p = prepare(points, labels);
  const { n, width, flat, codes, clusters, sizes } = p;
  const means = clusterMeans(p);
  const intra = new Float64Array(clusters);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    let squared = 0;
    for (let j = 0; j < width; j++) squared += (flat[i * width + j]! - means[c * width + j]!) ** 2;
    intra[c]! += Math.sqrt(squared);
  }
  for (let c = 0; c < clusters; c++) intra[c]! /= sizes[c]!;
  const between = (a: number, b: number): number => {
    let squared = 0;
    for (let j = 0; j < width; j++) squared += (means[a * width + j]! - means[b * width + j]!) ** 2;
    return Math.sqrt(squared);
  };
  // scikit-learn returns 0 when every cluster is a point or every centroid coincides (numpy.allclose to 0).
  const allClose = (values: number[]): boolean => values.every((v) => Math.abs(v) <= 1e-8);
  const pairDistances: number[] = [];
  for (let a = 0; a < clusters; a++) for (let b = 0; b < clusters; b++) pairDistances.push(between(a, b));
  if (allClose([...intra]) || allClose(pairDistances)) return 0;
  let total = 0;
  for (let a = 0; a < clusters; a++) {
    let worst = -Infinity;
    for (let b = 0; b < clusters; b++) {
      const d = pairDistances[a * clusters + b]!;
      worst = Math.max(worst, (intra[a]! + intra[b]!) / (d === 0 ? Infinity : d));
    }
    total += worst;
  }
  return total / clusters;
}

/**
 * Calinski-Harabasz index (higher is better): between-cluster dispersion / within-cluster
 * dispersion x (n - k) / (k - 1); 1 when the clusters have no spread, as in scikit-learn.
 */
export function calinskiHarabaszScore(points: Points, labels: readonly number[]): number {
  const p = prepare(points, labels);
  const { n, width, flat, codes, clusters, sizes } = p;
  const means = clusterMeans(p);
  const overall = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) overall[j]! += flat[i * width + j]!;
  for (let j = 0; j < width; j++) overall[j]! /= n;
  let extra = 0;
  for (let c = 0; c < clusters; c++) {
    let squared = 0;
    for (let j = 0; j < width; j++) squared += (means[c * width + j]! - overall[j]!) ** 2;
    extra += sizes[c]! * squared;
  }
  let intra = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    for (let j = 0; j < width; j++) intra += (flat[i * width + j]! - means[c * width + j]!) ** 2;
  }
  return intra === 0 ? 1 : (extra * (n - clusters)) / (intra * (clusters - 1));
}

