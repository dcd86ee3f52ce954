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
   * Relative tolerance, scaled as scikit-learn's `tol` (default 1e-4): a start has converged when
   * no centroid moves by more than tolerance x the mean feature variance (squared distance), which
   * is ml-kmeans' rule. scikit-learn bounds the sum of the centroids' squared moves instead, so a
   * start can stop a few iterations earlier here; dividing the bound by k to match it never stops
   * earlier, but took 1.6x the time on the Online Retail sweep for inertias lower by under 0.1%.
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
  return seedCenters(points, k, random, squaredDistanceFor(points[0]?.length ?? 0));
}

type SquaredDistance = (p: readonly number[], q: readonly number[]) => number;

// Squared Euclidean distances unrolled for the common widths, handed to ml-kmeans as its
// distanceFunction: it calls it for every point and center of every iteration, V8 inlines the
// unrolled body into ml-nearest-vector's loop, and with the default's loop over p.length a whole
// fit takes about 1.4x as long (bench/kmeans.ts). Each sums (p[j] - q[j])^2 from j = 0 up, as
// ml-distance-euclidean's squaredEuclidean (ml-kmeans' default) does, so every distance, and so
// every iteration, is the same to the last bit. The call site in ml-nearest-vector is shared by all
// users of ml-kmeans in a process: one that also ran ml-kmeans with another distance function
// would make it megamorphic (no inlining) for both.
const squared2: SquaredDistance = (p, q) => {
  const d0 = p[0]! - q[0]!;
  const d1 = p[1]! - q[1]!;
  return d0 * d0 + d1 * d1;
};
const squared3: SquaredDistance = (p, q) => {
  const d0 = p[0]! - q[0]!;
  const d1 = p[1]! - q[1]!;
  const d2 = p[2]! - q[2]!;
  return d0 * d0 + d1 * d1 + d2 * d2;
};
const squared4: SquaredDistance = (p, q) => {
  const d0 = p[0]! - q[0]!;
  const d1 = p[1]! - q[1]!;
  const d2 = p[2]! - q[2]!;
  const d3 = p[3]! - q[3]!;
  return d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
};
const squared5: SquaredDistance = (p, q) => {
  const d0 = p[0]! - q[0]!;
  const d1 = p[1]! - q[1]!;
  const d2 = p[2]! - q[2]!;
  const d3 = p[3]! - q[3]!;
  const d4 = p[4]! - q[4]!;
  return d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4;
};
const squaredAny: SquaredDistance = (p, q) => {
  let sum = 0;
  for (let j = 0; j < p.length; j++) {
    const d = p[j]! - q[j]!;
    sum += d * d;
  }
  return sum;
};

function squaredDistanceFor(width: number): SquaredDistance {
  return [squaredAny, squaredAny, squared2, squared3, squared4, squared5][width] ?? squaredAny;
}

/**
 * Scratch arrays of the seeding, one value per point each, allocated once per fit and reused by
 * every start: four fresh Float64Arrays per start cost as much as the seeding's own arithmetic.
 */
interface SeedingBuffers {
  readonly closest: Float64Array;
  readonly cumulative: Float64Array;
  readonly candidateDistances: Float64Array;
  readonly bestDistances: Float64Array;
}

function seedingBuffers(n: number): SeedingBuffers {
  return { closest: new Float64Array(n), cumulative: new Float64Array(n), candidateDistances: new Float64Array(n), bestDistances: new Float64Array(n) };
}

function seedCenters(
  rows: readonly (readonly number[])[],
  k: number,
  random: Random,
  distance: SquaredDistance,
  { closest, cumulative, candidateDistances, bestDistances }: SeedingBuffers = seedingBuffers(rows.length),
): number[][] {
  const n = rows.length;
  const trials = 2 + Math.floor(Math.log(k));
  const first = randomIndex(random, n);
  const centers: number[][] = [[...rows[first]!]];
  for (let i = 0; i < n; i++) {
    closest[i] = distance(rows[i]!, rows[first]!);
  }
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
      const candidateRow = rows[candidate]!;
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.min(closest[i]!, distance(rows[i]!, candidateRow));
        candidateDistances[i] = d;
        candidatePotential += d;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        bestDistances.set(candidateDistances);
      }
    }
    centers.push([...rows[bestCandidate]!]);
    closest.set(bestDistances);
  }
  return centers;
}

/** The cluster of each point against the centroids (ties: the lower index). */
function labelsOf(rows: readonly (readonly number[])[], centroids: readonly number[][], distance: SquaredDistance): number[] {
  const labels = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i]!;
    let best = Infinity;
    let cluster = 0;
    for (let c = 0; c < centroids.length; c++) {
      const d = distance(p, centroids[c]!);
      if (d < best) {
        best = d;
        cluster = c;
      }
    }
    labels[i] = cluster;
  }
  return labels;
}

/** Sum of squared distances of the points to their nearest centroid, summed in point order. */
function inertiaOf(rows: readonly (readonly number[])[], centroids: readonly number[][], distance: SquaredDistance): number {
  let inertia = 0;
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i]!;
    let best = Infinity;
    for (let c = 0; c < centroids.length; c++) {
      const d = distance(p, centroids[c]!);
      if (d < best) best = d;
    }
    inertia += best;
  }
  return inertia;
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
  // ml-kmeans reads the points without changing them.
  const rows = points as number[][];
  const distanceFunction = squaredDistanceFor(width);

  const absoluteTolerance = tolerance * meanVariance(points);
  const random = seededRandom(seed);
  let best: Omit<KMeansModel, 'k' | 'sizes' | 'labels'> | undefined;
  const buffers = seedingBuffers(n);
  for (let restart = 0; restart < restarts; restart++) {
    const initial = seedCenters(rows, k, random, distanceFunction, buffers);
    const result = kmeans(rows, k, { initialization: initial, maxIterations, tolerance: absoluteTolerance, distanceFunction });
    // ml-kmeans' centroids are fresh arrays of each run, and its labels lag them by one step.
    const { centroids } = result;
    const inertia = inertiaOf(rows, centroids, distanceFunction);
    if (best === undefined || inertia < best.inertia) {
      best = { centroids, inertia, iterations: result.iterations, converged: result.converged, bestRestart: restart };
    }
  }
  const chosen = { ...best!, labels: labelsOf(rows, best!.centroids, distanceFunction) };

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
