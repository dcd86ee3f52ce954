import { fitKMeans, fitScaler, inverseTransform, nearestCentroid, transform, type FittedScaler } from '@seg/domain-clustering';
import { analysisDate, toRfmValues, type CustomerMetrics, type RfmValues } from '@seg/domain-rfm';
import { summariseClusters, summarisePopulation, type ClusterProfile, type PopulationSummary } from '@seg/domain-profiling';

export const FEATURES = ['recency_days', 'frequency', 'monetary'] as const;

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
}

const row = (v: RfmValues): number[] => [v.recencyDays, v.frequency, v.monetary];

/**
 * Trains a segmentation model over every customer's metrics: RFM values at the analysis date,
 * log1p + z-score features, seeded k-means with restarts, then per-cluster profiles in
 * original units for naming.
 */
export function trainModel(customers: readonly CustomerMetrics[], options: { k: number; seed: number; restarts: number }): TrainedModel {
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const values = customers.map((c) => toRfmValues(c, asOf));
  const rows = values.map(row);
  const scaler = fitScaler(rows, FEATURES);
  const points = rows.map((r) => transform(scaler, r));
  const model = fitKMeans(points, { k: options.k, seed: options.seed, restarts: options.restarts });

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
  };
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
