import { milliToUnits } from '@seg/domain-transactions';
import { FEATURE_SETS } from '../application/features';
import type { SegmentationResult } from '../application/segment-customers';
import type { EncodingReport } from '@seg/platform-csv';

/** Where the data came from, for the reports. */
export interface InputSummary {
  readonly path: string;
  readonly bytes: number;
  readonly gzip: boolean;
  readonly encoding: EncodingReport;
}

/** Version of report.json's layout; a breaking change to it is a new version. */
export const REPORT_VERSION = 1;

/**
 * report.json: everything needed to check or reproduce the run. Money is given both exactly (in
 * thousandths, `*Milli`) and in currency units rounded to the cent.
 */
export function buildJsonReport(result: SegmentationResult, input: InputSummary) {
  const { options, quality, population } = result;
  const features = FEATURE_SETS[options.features];
  return {
    reportVersion: REPORT_VERSION,
    input,
    options: {
      k: options.k,
      kMin: options.kMin,
      kMax: options.kMax,
      seed: options.seed,
      restarts: options.restarts,
      scaling: options.scaling,
      features: options.features,
    },
    asOf: result.asOf,
    quality: {
      rowsRead: result.rowsRead,
      rejectedRows: result.rejected,
      ...quality,
      purchaseAmount: milliToUnits(quality.purchaseMilli),
      cancelledAmount: milliToUnits(quality.cancelledMilli),
    },
    cutPoints: population.cutPoints,
    population: {
      customers: population.customers,
      revenueMilli: population.revenueMilli,
      revenue: milliToUnits(population.revenueMilli),
      medians: population.medians,
    },
    rfmSegments: result.rfmSegments.map((s) => ({
      ...s,
      revenue: milliToUnits(s.revenueMilli),
      customerShare: s.customers / population.customers,
      revenueShare: population.revenueMilli === 0 ? 0 : s.revenueMilli / population.revenueMilli,
    })),
    kSweep: {
      kMin: options.kMin,
      kMax: options.kMax,
      silhouetteSampleSize: result.sweep.silhouetteSampleSize,
      silhouetteExact: result.sweep.silhouetteExact,
      entries: result.sweep.entries,
      proposal: result.sweep.proposal,
    },
    chosenK: result.chosen,
    model: {
      ...result.model,
      features,
      scaler: result.scaler,
      seed: options.seed,
      restarts: options.restarts,
      centroids: result.segments.map((s) => ({ cluster: s.cluster, ...s.centroidFeatures })),
    },
    projection: result.projection,
    segments: result.segments.map((s) => ({
      cluster: s.cluster,
      name: s.name,
      rfmSegment: s.rfmSegment,
      description: s.description,
      size: s.size,
      customerShare: s.customerShare,
      revenueMilli: s.revenueMilli,
      revenue: milliToUnits(s.revenueMilli),
      revenueShare: s.revenueShare,
      centroid: s.centroidFeatures,
      medians: s.medians,
      topCountries: s.topCountries,
      reasons: s.reasons,
      coupon: s.coupon,
    })),
  };
}

/** The shape of report.json. */
export type JsonReport = ReturnType<typeof buildJsonReport>;
