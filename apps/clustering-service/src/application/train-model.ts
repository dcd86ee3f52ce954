import { fitKMeans, fitScaler, inverseTransform, nearestCentroid, transform, type FittedScaler } from '@seg/domain-clustering';
import { analysisDate, computeCutPoints, quantileOfSorted, toRfmValues, type CustomerMetrics, type RfmCutPoints, type RfmValues } from '@seg/domain-rfm';

export const FEATURES = ['recency_days', 'frequency', 'monetary'] as const;

export interface RfmTriple {
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
}

export interface ClusterProfile {
  readonly cluster: number;
  readonly size: number;
  readonly revenueMilli: number;
  /** Centroid in original units (back-transformed from the scaled space). */
  readonly centroid: RfmTriple;
  readonly medians: RfmTriple;
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
  readonly population: { readonly customers: number; readonly revenueMilli: number; readonly medians: RfmTriple; readonly cutPoints: RfmCutPoints };
  readonly assignments: readonly { readonly customerId: string; readonly cluster: number; readonly distance: number }[];
}

const row = (v: RfmValues): number[] => [v.recencyDays, v.frequency, v.monetary];
const median = (values: readonly number[]): number => (values.length === 0 ? 0 : quantileOfSorted([...values].sort((a, b) => a - b), 0.5));
const medians = (values: readonly RfmValues[]): RfmTriple => ({
  recencyDays: median(values.map((v) => v.recencyDays)),
  frequency: median(values.map((v) => v.frequency)),
  monetary: median(values.map((v) => v.monetary)),
});

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

  const members = Array.from({ length: model.k }, () => [] as number[]);
  model.labels.forEach((label, i) => members[label]?.push(i));
  const clusters = members.map((indices, cluster) => {
    const [recencyDays = 0, frequency = 0, monetary = 0] = inverseTransform(scaler, model.centroids[cluster] ?? []);
    return {
      cluster,
      size: indices.length,
      revenueMilli: indices.reduce((sum, i) => sum + (customers[i]?.monetaryMilli ?? 0), 0),
      centroid: { recencyDays, frequency, monetary },
      medians: medians(indices.map((i) => values[i] as RfmValues)),
    };
  });
  return {
    asOf,
    k: model.k,
    seed: options.seed,
    inertia: model.inertia,
    scaler,
    centroids: model.centroids,
    clusters,
    population: {
      customers: customers.length,
      revenueMilli: customers.reduce((sum, c) => sum + c.monetaryMilli, 0),
      medians: medians(values),
      cutPoints: computeCutPoints(values),
    },
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
