import { kmeans } from 'ml-kmeans';
import { type Random, randomIndex, seededRandom } from './random';

export interface KMeansOptions {
  readonly k: number;
  /** Default 42. */
  readonly seed?: number;
  /** Independent k-means++ starts; the lowest inertia wins. Default 10. */
  readonly restarts?: number;
  /** Lloyd iterations per start. Default 300. */
  readonly maxIterations?: number;
  /**
   * Relative tolerance, as scikit-learn's `tol` (default 1e-4): a start has converged when no
   * centroid moves by more than tolerance x the mean feature variance (squared distance).
   */
  readonly tolerance?: number;
}

export interface KMeansModel {
  readonly k: number;
  /** Centroids in the space of the points, in canonical order (ascending by coordinates). */
  readonly centroids: number[][];
  /** Cluster of each point, against the final centroids. */
  readonly labels: number[];
  /** Sum of squared distances of points to their centroid. */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Points per cluster. */
  readonly sizes: number[];
  /** The restart (0-based) whose result was kept. */
  readonly bestRestart: number;
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const d = a[j]! - b[j]!;
    sum += d * d;
  }
  return sum;
}

/** The nearest centroid of a point and the Euclidean distance to it (ties: the lower index). */
export function nearestCentroid(
  point: readonly number[],
  centroids: readonly (readonly number[])[],
): { cluster: number; distance: number } {
  let cluster = -1;
  let best = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]!);
    if (d < best) {
      best = d;
      cluster = c;
    }
  }
  if (cluster < 0) throw new RangeError('nearestCentroid needs at least one centroid');
  return { cluster, distance: Math.sqrt(best) };
}

/**
 * Greedy k-means++ seeding as in scikit-learn: each new center is the best of 2 + floor(ln k)
 * candidates drawn with probability proportional to the squared distance to the nearest chosen
 * center. ml-kmeans' own seeding is far slower, hence ours.
 */
export function kmeansPlusPlus(points: readonly (readonly number[])[], k: number, random: Random): number[][] {
  return seedCenters(flatten(points), points.length, points[0]?.length ?? 0, k, random);
}

/** Row-major copy of the points: the seeding and the final assignment read it in tight loops. */
function flatten(points: readonly (readonly number[])[]): Float64Array {
  const width = points[0]?.length ?? 0;
  const flat = new Float64Array(points.length * width);
  points.forEach((p, i) => flat.set(p, i * width));
  return flat;
}

/** Squared distance between row i of `flat` and row `other` of `rows` (both `width` wide). */
function rowDistance(flat: Float64Array, i: number, rows: Float64Array, other: number, width: number): number {
  let sum = 0;
  const a = i * width;
  const b = other * width;
  for (let j = 0; j < width; j++) {
    const d = flat[a + j]! - rows[b + j]!;
    sum += d * d;
  }
  return sum;
}

function seedCenters(flat: Float64Array, n: number, width: number, k: number, random: Random): number[][] {
  const trials = 2 + Math.floor(Math.log(k));
  const row = (i: number): number[] => Array.from(flat.subarray(i * width, (i + 1) * width));
  const first = randomIndex(random, n);
  const centers: number[][] = [row(first)];
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    closest[i] = rowDistance(flat, i, flat, first, width);
  }
  const cumulative = new Float64Array(n);
  const candidateDistances = new Float64Array(n);
  const bestDistances = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i]!;
      cumulative[i] = running;
    }
    let bestCandidate = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      // All points coincide with chosen centers: any point will do.
      const candidate = running > 0 ? searchCumulative(cumulative, random() * running) : randomIndex(random, n);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.min(closest[i]!, rowDistance(flat, i, flat, candidate, width));
        candidateDistances[i] = d;
        candidatePotential += d;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        bestDistances.set(candidateDistances);
      }
    }
    centers.push(row(bestCandidate));
    closest.set(bestDistances);
  }
  return centers;
}

/** Labels of every point against the centroids (ties: the lower index) and the inertia. */
function assign(flat: Float64Array, n: number, width: number, centroids: readonly (readonly number[])[]): { labels: number[]; inertia: number } {
  const k = centroids.length;
  const rows = flatten(centroids);
  const labels = new Array<number>(n);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let cluster = 0;
    for (let c = 0; c < k; c++) {
      const d = rowDistance(flat, i, rows, c, width);
      if (d < best) {
        best = d;
        cluster = c;
      }
    }
    labels[i] = cluster;
    inertia += best;
  }
  return { labels, inertia };
}

function searchCumulative(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cumulative[mid]! <= target) low = mid + 1;
    else high = mid;
  }
  return low;
}

function meanVariance(points: readonly (readonly number[])[]): number {
  const n = points.length;
  const width = points[0]!.length;
  let total = 0;
  for (let j = 0; j < width; j++) {
    let sum = 0;
    for (const p of points) sum += p[j]!;
    const mean = sum / n;
    let squares = 0;
    for (const p of points) squares += (p[j]! - mean) ** 2;
    total += squares / n;
  }
  return total / width;
}

function compareCentroids(a: readonly number[], b: readonly number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j]! - b[j]!;
  return 0;
}

/**
 * k-means with seeded k-means++ starts and Lloyd iterations by ml-kmeans; keeps the start with
 * the lowest inertia. Labels are recomputed against the final centroids (ml-kmeans' labels lag
 * one step) and clusters are numbered by ascending centroid, so equal inputs give equal models.
 */
export function fitKMeans(points: readonly (readonly number[])[], options: KMeansOptions): KMeansModel {
  const { k } = options;
  const n = points.length;
  const seed = options.seed ?? 42;
  const restarts = options.restarts ?? 10;
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-4;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (n < k) throw new RangeError(`k = ${k} needs at least ${k} points, got ${n}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a positive integer, got ${restarts}`);
  const width = points[0]!.length;
  for (const p of points) if (p.length !== width) throw new RangeError('points must all have the same number of coordinates');

  const absoluteTolerance = tolerance * meanVariance(points);
  const random = seededRandom(seed);
  // ml-kmeans reads the points without changing them.
  const data = points as number[][];
  let best: Omit<KMeansModel, 'k' | 'sizes'> | undefined;
  const flat = flatten(points);
  for (let restart = 0; restart < restarts; restart++) {
    const initial = seedCenters(flat, n, width, k, random);
    const result = kmeans(data, k, { initialization: initial, maxIterations, tolerance: absoluteTolerance });
    const centroids = result.centroids.map((c) => [...c]);
    const { labels, inertia } = assign(flat, n, width, centroids);
    if (best === undefined || inertia < best.inertia) {
      best = { centroids, labels, inertia, iterations: result.iterations, converged: result.converged, bestRestart: restart };
    }
  }
  const chosen = best!;

  // Canonical numbering: clusters sorted by centroid coordinates.
  const order = chosen.centroids.map((_, c) => c).sort((a, b) => compareCentroids(chosen.centroids[a]!, chosen.centroids[b]!) || a - b);
  const newIndex = new Array<number>(k);
  order.forEach((old, index) => (newIndex[old] = index));
  const labels = chosen.labels.map((label) => newIndex[label]!);
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]!++;
  return {
    k,
    centroids: order.map((old) => chosen.centroids[old]!),
    labels,
    inertia: chosen.inertia,
    iterations: chosen.iterations,
    converged: chosen.converged,
    sizes,
    bestRestart: chosen.bestRestart,
  };
}
