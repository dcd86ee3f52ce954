import {
  fitKMeans,
  fitPca,
  fitScaler,
  inverseTransform,
  projectPca,
  proposeK,
  sweepK,
  transform,
  type FittedScaler,
  type KSweep,
  type KSweepEntry,
  type ScalingMethod,
} from '@seg/domain-clustering';
import {
  couponForSegment,
  DEFAULT_COUPON_RULES,
  nameClusters,
  summariseClusters,
  summarisePopulation,
  type ClusterProfile,
  type CouponRule,
  type PopulationSummary,
  type ProfileInput,
} from '@seg/domain-profiling';
import {
  aggregateCustomers,
  analysisDate,
  RFM_SEGMENT_NAMES,
  returnRate,
  scoreCustomer,
  tenureDays,
  toRfmValues,
  type QualityReport,
  type RfmSegmentName,
} from '@seg/domain-rfm';
import { err, ok, type Result } from '@seg/domain-transactions';
import { FEATURE_SETS, featureRow, type FeatureName, type FeatureSet, type FeatureValues } from './features';
import { readTransactions, type ReadFailure, type RejectedRows, type SourceRecord } from './read-transactions';

export interface SegmentOptions {
  /** A fixed number of segments; null: chosen from the sweep. */
  readonly k: number | null;
  readonly kMin: number;
  readonly kMax: number;
  readonly seed: number;
  readonly restarts: number;
  readonly scaling: ScalingMethod;
  readonly features: FeatureSet;
  /** Rejected rows kept as examples in the quality report. */
  readonly maxExamples: number;
  /** Coupon rules to apply; segments they leave out get the default rule. */
  readonly couponRules?: readonly CouponRule[];
}

export const DEFAULT_OPTIONS: SegmentOptions = {
  k: null,
  kMin: 2,
  kMax: 10,
  seed: 42,
  restarts: 10,
  scaling: 'zscore',
  features: 'rfm',
  maxExamples: 20,
};

/** Where a run is, for a progress display. */
export type SegmentProgress =
  | { readonly phase: 'reading'; readonly rowsRead: number }
  | { readonly phase: 'sweeping'; readonly k: number; readonly done: number; readonly total: number }
  | { readonly phase: 'profiling' };

export type SegmentFailure =
  | ReadFailure
  | { readonly code: 'NO_CUSTOMERS' | 'NOT_ENOUGH_CUSTOMERS'; readonly column: null; readonly message: string };

/** One output row per customer with a purchase (customers.csv). */
export interface CustomerRow extends FeatureValues {
  readonly customerId: string;
  readonly country: string;
  readonly monetaryMilli: number;
  readonly cancelledMilli: number;
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly code: string;
  readonly rfmSegment: RfmSegmentName;
  readonly cluster: number;
  readonly segmentName: string;
  readonly coupon: CouponRule;
}

/** A cluster with its business name, the reasons for it and its coupon. */
export interface SegmentProfile extends ClusterProfile {
  readonly name: string;
  /** The named RFM segment the cluster's centroid stands for; it selects the coupon. */
  readonly rfmSegment: RfmSegmentName;
  readonly description: string;
  readonly reasons: readonly string[];
  readonly coupon: CouponRule;
  /** The centroid in original units over every clustered feature. */
  readonly centroidFeatures: Readonly<Partial<Record<FeatureName, number>>>;
}

export interface ChosenK {
  readonly k: number;
  readonly source: 'sweep' | 'option';
  readonly reasons: readonly string[];
  readonly inertia: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
}

export interface SegmentationResult {
  /** The options used, with k-max lowered when there are too few customers. */
  readonly options: SegmentOptions;
  readonly asOf: string;
  readonly rowsRead: number;
  readonly rejected: RejectedRows;
  readonly quality: QualityReport;
  /** Size, revenue, medians and RFM cut-points of the scored customers. */
  readonly population: PopulationSummary;
  readonly rfmSegments: readonly { readonly segment: RfmSegmentName; readonly customers: number; readonly revenueMilli: number }[];
  readonly scaler: FittedScaler;
  readonly sweep: KSweep;
  readonly chosen: ChosenK;
  readonly model: {
    readonly k: number;
    readonly inertia: number;
    readonly iterations: number;
    readonly converged: boolean;
    readonly bestRestart: number;
    /** Centroids in the scaled feature space (for placing new customers with the scaler). */
    readonly centroidsScaled: readonly (readonly number[])[];
  };
  /** First two principal components of the scaled features, and where each centroid lies on them. */
  readonly projection: {
    readonly components: readonly (readonly number[])[];
    readonly explainedVarianceRatio: readonly number[];
    readonly centroids: readonly (readonly number[])[];
  };
  readonly segments: readonly SegmentProfile[];
  /** Sorted by customer id. */
  readonly customers: readonly CustomerRow[];
}

/** The sweep's entry for one k: sweepK over k..k, with the seed, restarts and silhouette sample of a whole sweep. */
function sweepOne(points: readonly (readonly number[])[], k: number, options: SegmentOptions): { entry: KSweepEntry; sampleSize: number; exact: boolean } {
  const sweep = sweepK(points, { kMin: k, kMax: k, seed: options.seed, restarts: options.restarts });
  const [entry] = sweep.entries;
  if (entry === undefined) throw new Error(`the sweep of k = ${k} gave no entry`);
  return { entry, sampleSize: sweep.silhouetteSampleSize, exact: sweep.silhouetteExact };
}

function sweepWithProgress(
  points: readonly (readonly number[])[],
  options: SegmentOptions,
  onProgress: (event: SegmentProgress) => void,
): KSweep {
  // One k at a time, to report progress. The silhouette sample depends only on the seed and
  // the number of points, and fitKMeans is deterministic, so the entries equal one sweepK call's.
  const entries: KSweepEntry[] = [];
  let sample = { sampleSize: 0, exact: true };
  const total = options.kMax - options.kMin + 1;
  for (let k = options.kMin; k <= options.kMax; k++) {
    onProgress({ phase: 'sweeping', k, done: k - options.kMin, total });
    const { entry, ...rest } = sweepOne(points, k, options);
    entries.push(entry);
    sample = rest;
  }
  onProgress({ phase: 'sweeping', k: options.kMax, done: total, total });
  return { entries, silhouetteSampleSize: sample.sampleSize, silhouetteExact: sample.exact, proposal: proposeK(entries) };
}

// The lines are needed only until they are aggregated; returning from here lets them go.
async function readAndClean(records: AsyncIterable<SourceRecord>, maxExamples: number, onProgress: (event: SegmentProgress) => void) {
  const read = await readTransactions(records, { maxExamples, onRow: (rowsRead) => onProgress({ phase: 'reading', rowsRead }) });
  if (!read.ok) return read;
  const { customers, quality } = aggregateCustomers(read.value.lines);
  return ok({ metrics: customers, quality, rowsRead: read.value.rowsRead, rejected: read.value.rejected });
}

/** The item at an index that exists by construction (a label's cluster, a cluster's name). */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item at index ${index} of ${items.length}`);
  return item;
}

/**
 * The whole offline analysis, from source records to segments: validation and cleaning, RFM
 * metrics and scores, features, a k-means sweep with its quality metrics, the chosen k, profiles,
 * names, coupons and one row per customer. Bad rows are counted, never fatal; the run fails only
 * on a header without a required column, an empty file or too few customers.
 */
export async function segmentCustomers(
  records: AsyncIterable<SourceRecord>,
  requested: SegmentOptions,
  onProgress: (event: SegmentProgress) => void = () => undefined,
): Promise<Result<SegmentationResult, SegmentFailure>> {
  const cleaned = await readAndClean(records, requested.maxExamples, onProgress);
  if (!cleaned.ok) return cleaned;
  const { metrics, quality, rowsRead, rejected } = cleaned.value;
  const n = metrics.length;
  if (n === 0) {
    return err({ code: 'NO_CUSTOMERS', column: null, message: 'no customer has a purchase in the file: nothing to segment' });
  }

  // k-means with k clusters needs more than k customers (the metrics need a second cluster and a point to spare).
  const kMax = Math.min(requested.kMax, n - 1);
  const options: SegmentOptions = { ...requested, kMax };
  const neededK = Math.max(requested.kMin, requested.k ?? 0);
  if (n - 1 < neededK) {
    return err({
      code: 'NOT_ENOUGH_CUSTOMERS',
      column: null,
      message: `${n} customer${n === 1 ? ' has' : 's have'} a purchase: too few for k = ${neededK} (k-means needs more customers than segments)`,
    });
  }

  const asOf = analysisDate(metrics.map((m) => m.lastPurchaseAt));
  const scored = metrics.map((m) => {
    const rfm = toRfmValues(m, asOf);
    const profile: ProfileInput = { ...rfm, monetaryMilli: m.monetaryMilli, country: m.country };
    const values: FeatureValues = {
      recency_days: rfm.recencyDays,
      frequency: rfm.frequency,
      monetary: rfm.monetary,
      return_rate: returnRate(m),
      tenure_days: tenureDays(asOf, m.firstPurchaseAt),
    };
    return { metrics: m, profile, values };
  });
  const profileInputs = scored.map((s) => s.profile);
  const population = summarisePopulation(profileInputs);

  const featureNames = FEATURE_SETS[options.features];
  const rows = scored.map((s) => featureRow(s.values, options.features));
  const scaler = fitScaler(rows, featureNames, { scaling: options.scaling });
  const points = rows.map((row) => transform(scaler, row));

  const sweep = sweepWithProgress(points, options, onProgress);
  onProgress({ phase: 'profiling' });
  const k = options.k ?? sweep.proposal.k;
  const model = fitKMeans(points, { k, seed: options.seed, restarts: options.restarts });
  // A k outside the sweep's range is scored the same way, on the same seeded silhouette sample.
  const swept = sweep.entries.find((e) => e.k === k) ?? sweepOne(points, k, options).entry;
  const reasons: string[] = [];
  if (kMax < requested.kMax) reasons.push(`k-max lowered from ${requested.kMax} to ${kMax}: there are only ${n} customers`);
  if (options.k === null) reasons.push(...sweep.proposal.reasons);
  else reasons.push(`k = ${k} was given (--k); the sweep over ${options.kMin}..${kMax} proposes k = ${sweep.proposal.k}`, ...sweep.proposal.reasons);
  const chosen: ChosenK = {
    k,
    source: options.k === null ? 'sweep' : 'option',
    reasons,
    inertia: model.inertia,
    silhouette: swept.silhouette,
    daviesBouldin: swept.daviesBouldin,
    calinskiHarabasz: swept.calinskiHarabasz,
  };

  // Both feature sets start with recency, frequency and monetary, the three that name a segment.
  const centroidsRaw = model.centroids.map((centroid) => inverseTransform(scaler, centroid));
  const clusters = summariseClusters(
    profileInputs,
    model.labels,
    centroidsRaw.map(([recencyDays = 0, frequency = 0, monetary = 0]) => ({ recencyDays, frequency, monetary })),
  );
  const names = nameClusters(clusters, population);
  const rules = options.couponRules ?? DEFAULT_COUPON_RULES;
  const segments: SegmentProfile[] = clusters.map((cluster, c) => {
    const name = at(names, c);
    const raw = at(centroidsRaw, c);
    return {
      ...cluster,
      name: name.name,
      rfmSegment: name.rfmSegment,
      description: name.description,
      reasons: name.reasons,
      coupon: couponForSegment(rules, name.rfmSegment),
      centroidFeatures: Object.fromEntries(featureNames.map((feature, j) => [feature, at(raw, j)])),
    };
  });

  const bySegment = Object.fromEntries(RFM_SEGMENT_NAMES.map((segment) => [segment, { customers: 0, revenueMilli: 0 }])) as Record<
    RfmSegmentName,
    { customers: number; revenueMilli: number }
  >;
  const customers: CustomerRow[] = scored.map(({ metrics: m, profile, values }, i) => {
    const score = scoreCustomer(profile, population.cutPoints);
    const segment = at(segments, at(model.labels, i));
    bySegment[score.segment].customers++;
    bySegment[score.segment].revenueMilli += m.monetaryMilli;
    return {
      customerId: m.customerId,
      country: m.country,
      ...values,
      monetaryMilli: m.monetaryMilli,
      cancelledMilli: m.cancelledMilli,
      r: score.r,
      f: score.f,
      m: score.m,
      code: score.code,
      rfmSegment: score.segment,
      cluster: segment.cluster,
      segmentName: segment.name,
      coupon: segment.coupon,
    };
  });

  const pca = fitPca(points, 2);
  return ok({
    options,
    asOf,
    rowsRead,
    rejected,
    quality,
    population,
    rfmSegments: RFM_SEGMENT_NAMES.map((segment) => ({ segment, ...bySegment[segment] })),
    scaler,
    sweep,
    chosen,
    model: {
      k: model.k,
      inertia: model.inertia,
      iterations: model.iterations,
      converged: model.converged,
      bestRestart: model.bestRestart,
      centroidsScaled: model.centroids,
    },
    projection: {
      components: pca.components,
      explainedVarianceRatio: pca.explainedVarianceRatio,
      centroids: model.centroids.map((centroid) => projectPca(pca, centroid)),
    },
    segments,
    customers,
  });
}
