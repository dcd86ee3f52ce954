import { fitKMeans, type KMeansOptions } from './kmeans';
import { sampleIndices, seededRandom } from './random';
import { calinskiHarabaszScore, daviesBouldinScore, silhouetteOfSample } from './quality-metrics';

export interface KSweepOptions extends Omit<KMeansOptions, 'k'> {
  /** Default 2. */
  readonly kMin?: number;
  /** Default 10. */
  readonly kMax?: number;
  /** Silhouette is exact up to this many points, else on a seeded sample of this size. Default 10,000. */
  readonly silhouetteSampleSize?: number;
  /** See {@link proposeK}. Default 0.05. */
  readonly silhouetteTolerance?: number;
}

/** One k of a sweep, with the metrics shown side by side. */
export interface KSweepEntry {
  readonly k: number;
  /** Sum of squared distances to the centroids (lower is better, always falls with k). */
  readonly inertia: number;
  /** Mean silhouette, -1..1 (higher is better). */
  readonly silhouette: number;
  /** Lower is better. */
  readonly daviesBouldin: number;
  /** Higher is better. */
  readonly calinskiHarabasz: number;
  readonly sizes: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
}

export interface KProposal {
  readonly k: number;
  /** Kneedle elbow of the inertia curve; null when the curve has no knee. */
  readonly elbowK: number | null;
  readonly bestSilhouetteK: number;
  readonly bestDaviesBouldinK: number;
  readonly bestCalinskiHarabaszK: number;
  readonly reasons: readonly string[];
}

export interface KSweep {
  readonly entries: readonly KSweepEntry[];
  /** Points the silhouettes were computed on (the same points for every k). */
  readonly silhouetteSampleSize: number;
  readonly silhouetteExact: boolean;
  readonly proposal: KProposal;
}

/**
 * Kneedle (Satopaa et al. 2011) for a falling, convex curve such as inertia over k: with k and
 * the values scaled to [0, 1], the knee is where the curve lies furthest below the straight
 * line joining its ends (ties: the smaller k). Null with fewer than 3 points or no point below.
 */
export function kneedleElbow(ks: readonly number[], values: readonly number[]): number | null {
  if (ks.length < 3 || ks.length !== values.length) return null;
  const k0 = ks[0]!;
  const kSpan = ks[ks.length - 1]! - k0;
  const vMax = Math.max(...values);
  const vMin = Math.min(...values);
  if (kSpan <= 0 || vMax === vMin) return null;
  let best: number | null = null;
  let bestGap = 1e-12;
  for (let i = 0; i < ks.length; i++) {
    const x = (ks[i]! - k0) / kSpan;
    const y = (values[i]! - vMin) / (vMax - vMin);
    const gap = 1 - x - y;
    if (gap > bestGap) {
      bestGap = gap;
      best = ks[i]!;
    }
  }
  return best;
}

function round(value: number, digits: number): string {
  return value.toFixed(digits);
}

function argBest(entries: readonly KSweepEntry[], value: (e: KSweepEntry) => number, higher: boolean): KSweepEntry {
  return entries.reduce((best, e) => ((higher ? value(e) > value(best) : value(e) < value(best)) ? e : best));
}

/**
 * Proposes k from a sweep. Rule: take the elbow (kneedle on inertia) when its silhouette is within
 * `silhouetteTolerance` (default 0.05) of the best silhouette, since it is the usual notebook
 * choice and still separates well; otherwise the k within that tolerance of the best silhouette
 * that is nearest to the elbow (ties: the smaller k); without an elbow, the best silhouette.
 * Davies-Bouldin and Calinski-Harabasz are reported alongside, not voted.
 */
export function proposeK(entries: readonly KSweepEntry[], options: { silhouetteTolerance?: number } = {}): KProposal {
  if (entries.length === 0) throw new RangeError('proposeK needs at least one k');
  const tolerance = options.silhouetteTolerance ?? 0.05;
  const sorted = [...entries].sort((a, b) => a.k - b.k);
  const elbowK = kneedleElbow(
    sorted.map((e) => e.k),
    sorted.map((e) => e.inertia),
  );
  const bestSil = argBest(sorted, (e) => e.silhouette, true);
  const bestDb = argBest(sorted, (e) => e.daviesBouldin, false);
  const bestCh = argBest(sorted, (e) => e.calinskiHarabasz, true);
  const acceptable = sorted.filter((e) => e.silhouette >= bestSil.silhouette - tolerance);
  const reasons: string[] = [];
  let k: number;
  if (elbowK === null) {
    k = bestSil.k;
    reasons.push(`the inertia curve has no elbow; best silhouette ${round(bestSil.silhouette, 3)} at k=${k}`);
  } else {
    const elbow = sorted.find((e) => e.k === elbowK)!;
    reasons.push(`elbow (kneedle) of the inertia curve at k=${elbowK}`);
    if (acceptable.includes(elbow)) {
      k = elbowK;
      reasons.push(
        elbowK === bestSil.k
          ? `k=${elbowK} also has the best silhouette, ${round(elbow.silhouette, 3)}`
          : `its silhouette ${round(elbow.silhouette, 3)} is within ${tolerance} of the best, ${round(bestSil.silhouette, 3)} at k=${bestSil.k}`,
      );
    } else {
      const nearest = acceptable.reduce((best, e) =>
        Math.abs(e.k - elbowK) < Math.abs(best.k - elbowK) ? e : best,
      );
      k = nearest.k;
      reasons.push(
        `its silhouette ${round(elbow.silhouette, 3)} is more than ${tolerance} below the best, ${round(bestSil.silhouette, 3)} at k=${bestSil.k}; ` +
          `k=${k} (silhouette ${round(nearest.silhouette, 3)}) is the nearest k within ${tolerance}`,
      );
    }
  }
  reasons.push(
    `Davies-Bouldin is lowest at k=${bestDb.k} (${round(bestDb.daviesBouldin, 3)}), ` +
      `Calinski-Harabasz highest at k=${bestCh.k} (${round(bestCh.calinskiHarabasz, 1)})`,
  );
  return { k, elbowK, bestSilhouetteK: bestSil.k, bestDaviesBouldinK: bestDb.k, bestCalinskiHarabaszK: bestCh.k, reasons };
}

/**
 * Fits k-means for every k in kMin..kMax (default 2..10) with the same seed and options, scores
 * each with inertia, silhouette, Davies-Bouldin and Calinski-Harabasz, and proposes k. Refit the
 * chosen k with the same options to get its model: fitKMeans is deterministic.
 */
export function sweepK(points: readonly (readonly number[])[], options: KSweepOptions = {}): KSweep {
  const kMin = options.kMin ?? 2;
  const kMax = options.kMax ?? 10;
  if (!(Number.isInteger(kMin) && Number.isInteger(kMax) && kMin >= 2 && kMax >= kMin)) {
    throw new RangeError(`need integers 2 <= kMin <= kMax, got ${kMin}..${kMax}`);
  }
  if (points.length <= kMax) throw new RangeError(`k up to ${kMax} needs more than ${kMax} points, got ${points.length}`);
  const sampleLimit = options.silhouetteSampleSize ?? 10_000;
  // One sample for every k, so that silhouettes compare like with like.
  const sample = sampleIndices(seededRandom(options.seed ?? 42), points.length, Math.min(sampleLimit, points.length));
  const entries: KSweepEntry[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const model = fitKMeans(points, { ...options, k });
    const present = new Set(model.labels).size;
    const silhouette = present >= 2 ? silhouetteOfSample(points, model.labels, sample).score : 0;
    entries.push({
      k,
      inertia: model.inertia,
      silhouette,
      daviesBouldin: present >= 2 ? daviesBouldinScore(points, model.labels) : 0,
      calinskiHarabasz: present >= 2 ? calinskiHarabaszScore(points, model.labels) : 1,
      sizes: model.sizes,
      iterations: model.iterations,
      converged: model.converged,
    });
  }
  const proposalOptions = options.silhouetteTolerance === undefined ? {} : { silhouetteTolerance: options.silhouetteTolerance };
  return {
    entries,
    silhouetteSampleSize: sample.length,
    silhouetteExact: sample.length === points.length,
    proposal: proposeK(entries, proposalOptions),
  };
}
