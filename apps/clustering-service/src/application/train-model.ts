import {
  calinskiHarabaszScore,
  daviesBouldinScore,
  fitKMeans,
  fitPca,
  fitScaler,
  inverseTransform,
  nearestCentroid,
  projectPca,
  sampleIndices,
  seededRandom,
  silhouetteScore,
  sweepK,
  transform,
  type FittedScaler,
} from '@seg/domain-clustering';
import { analysisDate, toRfmValues, type CustomerMetrics, type RfmValues } from '@seg/domain-rfm';
import { summariseClusters, summarisePopulation, type ClusterProfile, type PopulationSummary } from '@seg/domain-profiling';

export const FEATURES = ['recency_days', 'frequency', 'monetary'] as const;

/** Customers shown on the 2-D projection at most (a seeded sample above that). */
export const PROJECTION_POINTS = 2_000;
/** Points the silhouettes are computed on at most (a seeded sample above that). */
export const SILHOUETTE_SAMPLE = 5_000;
const SWEEP_K_MIN = 2;
const SWEEP_K_MAX = 10;

export interface KSweepPoint {
  readonly k: number;
  readonly inertia: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
}

export interface ProjectedPoint {
  readonly customerId: string;
  readonly x: number;
  readonly y: number;
  readonly cluster: number;
}

/** Quality of a trained model, for the elbow / silhouette charts and the 2-D scatter. JSON-serialisable. */
export interface ModelMetrics {
  /** Of the model's own k (null when it is undefined, e.g. a single non-empty cluster). */
  readonly silhouette: number | null;
  readonly daviesBouldin: number | null;
  readonly calinskiHarabasz: number | null;
  /** Every k of 2..10 (bounded by the customers), fitted with the model's seed and restarts. */
  readonly kSweep: readonly KSweepPoint[];
  readonly proposedK: number | null;
  readonly proposalReasons: readonly string[];
  readonly projection: {
    /** Variance along the two principal components (of the scaled features). */
    readonly explainedVariance: readonly number[];
    readonly explainedVarianceRatio: readonly number[];
    /** Up to PROJECTION_POINTS customers, a sample seeded with the model seed. */
    readonly points: readonly ProjectedPoint[];
    readonly centroids: readonly { readonly cluster: number; readonly x: number; readonly y: number }[];
  } | null;
}

export interface TrainedModel {
  readonly asOf: string;
  readonly k: number;
  readonly seed: number;
  readonly inertia: number;
  readonly scaler: FittedScaler;
  /** Centroids in scaled feature space, for placing new customers. */
  readonly centroids: readonly (readonly number[])[];
  readonly clusters: readonly ClusterProfile[];
  readonly population: PopulationSummary;
  readonly assignments: readonly { readonly customerId: string; readonly cluster: number; readonly distance: number }[];
  /** Null when trained without them (computed after the model is published). */
  readonly metrics: ModelMetrics | null;
}

const row = (v: RfmValues): number[] => [v.recencyDays, v.frequency, v.monetary];

/**
 * Trains a segmentation model over every customer's metrics: RFM values at the analysis date,
 * log1p + z-score features, seeded k-means with restarts, then per-cluster profiles in
 * original units for naming. With `metrics: false` the quality metrics (the k sweep: most of the
 * time) are left out (null), for {@link trainedModelMetrics} to compute later.
 */
export function trainModel(customers: readonly CustomerMetrics[], options: { k: number; seed: number; restarts: number; metrics?: boolean }): TrainedModel {
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const values = customers.map((c) => toRfmValues(c, asOf));
  const rows = values.map(row);
  const scaler = fitScaler(rows, FEATURES);
  const points = rows.map((r) => transform(scaler, r));
  const model = fitKMeans(points, { k: options.k, seed: options.seed, restarts: options.restarts });
  const ids = customers.map((c) => c.customerId);

  const profiles = values.map((v, i) => ({ ...v, monetaryMilli: customers[i]?.monetaryMilli ?? 0, country: customers[i]?.country ?? '' }));
  const centroids = model.centroids.map((centroid) => {
    const [recencyDays = 0, frequency = 0, monetary = 0] = inverseTransform(scaler, centroid);
    return { recencyDays, frequency, monetary };
  });
  return {
    asOf,
    k: model.k,
    seed: options.seed,
    inertia: model.inertia,
    scaler,
    centroids: model.centroids,
    clusters: summariseClusters(profiles, model.labels, centroids),
    population: summarisePopulation(profiles),
    assignments: customers.map((c, i) => {
      const cluster = model.labels[i] ?? 0;
      return { customerId: c.customerId, cluster, distance: nearestCentroid(points[i] ?? [], model.centroids).distance };
    }),
    metrics: options.metrics === false ? null : modelMetrics(points, ids, model, options),
  };
}

/** What {@link trainedModelMetrics} needs of a trained model. */
export type MetricsInput = Pick<TrainedModel, 'asOf' | 'k' | 'scaler' | 'centroids' | 'assignments'>;

/**
 * The quality metrics of a model that {@link trainModel} trained without them, from the same
 * customers: the same points (the model's scaler at its analysis date) and labels, so the same
 * metrics as trainModel computes in one go. `trained.assignments` are in the order of `customers`.
 */
export function trainedModelMetrics(
  customers: readonly CustomerMetrics[],
  trained: MetricsInput,
  options: { seed: number; restarts: number },
): ModelMetrics {
  const points = customers.map((c) => transform(trained.scaler, row(toRfmValues(c, trained.asOf))));
  const labels = trained.assignments.map((a) => a.cluster);
  return modelMetrics(points, customers.map((c) => c.customerId), { k: trained.k, centroids: trained.centroids, labels }, options);
}

/**
 * The sweep of k (same points, seed and restarts as the model, so the row of the model's k is the
 * model itself: fitKMeans is deterministic), the model's own scores and its 2-D projection.
 */
export function modelMetrics(
  points: readonly (readonly number[])[],
  customerIds: readonly string[],
  model: { readonly k: number; readonly centroids: readonly (readonly number[])[]; readonly labels: readonly number[] },
  options: { seed: number; restarts: number },
): ModelMetrics {
  const kMax = Math.min(SWEEP_K_MAX, points.length - 1);
  const sweep =
    kMax >= SWEEP_K_MIN
      ? sweepK(points, { kMin: SWEEP_K_MIN, kMax, seed: options.seed, restarts: options.restarts, silhouetteSampleSize: SILHOUETTE_SAMPLE })
      : null;
  const kSweep = (sweep?.entries ?? []).map(({ k, inertia, silhouette, daviesBouldin, calinskiHarabasz }) => ({
    k,
    inertia,
    silhouette,
    daviesBouldin,
    calinskiHarabasz,
  }));
  const own = kSweep.find((e) => e.k === model.k);
  const present = new Set(model.labels).size >= 2;
  // A k outside the sweep (11..20) is scored here, with the sweep's silhouette sample.
  const scores = own
    ? { silhouette: own.silhouette, daviesBouldin: own.daviesBouldin, calinskiHarabasz: own.calinskiHarabasz }
    : present
      ? {
          silhouette: silhouetteScore(points, model.labels, { sampleSize: SILHOUETTE_SAMPLE, seed: options.seed }).score,
          daviesBouldin: daviesBouldinScore(points, model.labels),
          calinskiHarabasz: calinskiHarabaszScore(points, model.labels),
        }
      : { silhouette: null, daviesBouldin: null, calinskiHarabasz: null };

  let projection: ModelMetrics['projection'] = null;
  if (points.length >= 2) {
    const pca = fitPca(points, 2);
    const sample = sampleIndices(seededRandom(options.seed), points.length, Math.min(PROJECTION_POINTS, points.length));
    projection = {
      explainedVariance: pca.explainedVariance,
      explainedVarianceRatio: pca.explainedVarianceRatio,
      points: sample.map((i) => {
        const [x = 0, y = 0] = projectPca(pca, points[i] ?? []);
        return { customerId: customerIds[i] ?? '', x, y, cluster: model.labels[i] ?? 0 };
      }),
      centroids: model.centroids.map((centroid, cluster) => {
        const [x = 0, y = 0] = projectPca(pca, centroid);
        return { cluster, x, y };
      }),
    };
  }
  return { ...scores, kSweep, proposedK: sweep?.proposal.k ?? null, proposalReasons: sweep?.proposal.reasons ?? [], projection };
}

/** Places customers on the nearest centroid of a stored model, between training runs. */
export function placeCustomers(
  customers: readonly CustomerMetrics[],
  model: { readonly scaler: FittedScaler; readonly centroids: readonly (readonly number[])[] },
  asOf: string,
): { customerId: string; cluster: number; distance: number }[] {
  return customers.map((c) => {
    const point = transform(model.scaler, row(toRfmValues(c, asOf)));
    return { customerId: c.customerId, ...nearestCentroid(point, model.centroids) };
  });
}
