import { computeCutPoints, quantileOfSorted, type RfmValues } from '@seg/domain-rfm';
import { type ClusterSummary, type PopulationSummary } from './segment-names';

/** A scored customer as profiling needs it. */
export interface ProfileInput extends RfmValues {
  /** Purchases in thousandths (CustomerMetrics.monetaryMilli), summed exactly into revenue. */
  readonly monetaryMilli: number;
  readonly country?: string;
}

/** A cluster summary with the extras a profile page shows. */
export interface ClusterProfile extends ClusterSummary {
  readonly medians: { recencyDays: number; frequency: number; monetary: number };
  /** Share of the population's customers, 0..1. */
  readonly customerShare: number;
  /** Share of the population's revenue, 0..1. */
  readonly revenueShare: number;
  /** Up to 3 countries with the most customers (ties: alphabetical). */
  readonly topCountries: readonly { readonly country: string; readonly customers: number }[];
}

function median(values: number[]): number {
  return quantileOfSorted(values.sort((a, b) => a - b), 0.5);
}

function medians(customers: readonly ProfileInput[]): { recencyDays: number; frequency: number; monetary: number } {
  return {
    recencyDays: median(customers.map((c) => c.recencyDays)),
    frequency: median(customers.map((c) => c.frequency)),
    monetary: median(customers.map((c) => c.monetary)),
  };
}

/** Size, revenue, medians (numpy's median) and RFM cut-points of the scored population. */
export function summarisePopulation(customers: readonly ProfileInput[]): PopulationSummary {
  if (customers.length === 0) throw new RangeError('summarisePopulation needs at least one customer');
  return {
    customers: customers.length,
    revenueMilli: customers.reduce((sum, c) => sum + c.monetaryMilli, 0),
    medians: medians(customers),
    cutPoints: computeCutPoints(customers),
  };
}

/**
 * Profiles each cluster of a model: `labels[i]` is the cluster of `customers[i]`, `centroids[c]`
 * the centroid of cluster c in original units (recency days, orders, currency), e.g. from
 * inverseTransform. A cluster without customers gets size 0 and medians of 0.
 */
export function summariseClusters(
  customers: readonly ProfileInput[],
  labels: readonly number[],
  centroids: readonly ClusterSummary['centroid'][],
): ClusterProfile[] {
  if (labels.length !== customers.length) throw new RangeError(`expected ${customers.length} labels, got ${labels.length}`);
  const members = centroids.map((): ProfileInput[] => []);
  labels.forEach((label, i) => {
    const group = members[label];
    if (group === undefined) throw new RangeError(`label ${label} has no centroid`);
    group.push(customers[i]!);
  });
  const totalRevenue = customers.reduce((sum, c) => sum + c.monetaryMilli, 0);
  return centroids.map((centroid, cluster) => {
    const group = members[cluster]!;
    const revenueMilli = group.reduce((sum, c) => sum + c.monetaryMilli, 0);
    const byCountry = new Map<string, number>();
    for (const c of group) if (c.country !== undefined) byCountry.set(c.country, (byCountry.get(c.country) ?? 0) + 1);
    const topCountries = [...byCountry]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([country, count]) => ({ country, customers: count }));
    return {
      cluster,
      size: group.length,
      revenueMilli,
      centroid: { recencyDays: centroid.recencyDays, frequency: centroid.frequency, monetary: centroid.monetary },
      medians: group.length === 0 ? { recencyDays: 0, frequency: 0, monetary: 0 } : medians(group),
      customerShare: customers.length === 0 ? 0 : group.length / customers.length,
      revenueShare: totalRevenue === 0 ? 0 : revenueMilli / totalRevenue,
      topCountries,
    };
  });
}
