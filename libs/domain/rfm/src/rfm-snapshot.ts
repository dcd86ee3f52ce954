import { analysisDate } from './analysis-date';
import { type CustomerMetrics } from './customer-metrics';
import { computeCutPoints, type RfmCutPoints } from './cut-points';
import { scoreCustomer, type RfmScore } from './rfm-scores';
import { type RfmSegmentName } from './rfm-segments';
import { returnRate, toRfmValues, type RfmValues } from './rfm-values';

/** One customer's metrics with their RFM values and scores within a snapshot. */
export interface ScoredCustomer {
  readonly metrics: CustomerMetrics;
  readonly values: RfmValues;
  readonly score: RfmScore;
  readonly returnRate: number;
}

/** Every customer scored against the same cut-points, at one analysis date. */
export interface RfmSnapshot {
  readonly asOf: string | null;
  readonly cutPoints: RfmCutPoints | null;
  readonly customers: ReadonlyMap<string, ScoredCustomer>;
  readonly segmentCounts: readonly { segment: RfmSegmentName; customers: number }[];
}

/** Scores every customer against cut-points computed over all of them (order-independent). */
export function buildSnapshot(all: readonly CustomerMetrics[]): RfmSnapshot {
  if (all.length === 0) return { asOf: null, cutPoints: null, customers: new Map(), segmentCounts: [] };
  const asOf = analysisDate(all.map((m) => m.lastPurchaseAt));
  const values = all.map((m) => toRfmValues(m, asOf));
  const cutPoints = computeCutPoints(values);
  const customers = new Map<string, ScoredCustomer>();
  const counts = new Map<RfmSegmentName, number>();
  all.forEach((metrics, i) => {
    const v = values[i] as RfmValues;
    const score = scoreCustomer(v, cutPoints);
    customers.set(metrics.customerId, { metrics, values: v, score, returnRate: returnRate(metrics) });
    counts.set(score.segment, (counts.get(score.segment) ?? 0) + 1);
  });
  const segmentCounts = [...counts].map(([segment, n]) => ({ segment, customers: n })).sort((a, b) => b.customers - a.customers);
  return { asOf, cutPoints, customers, segmentCounts };
}

/** Keeps the latest snapshot and rebuilds it only when the stored aggregates changed. */
export class SnapshotCache {
  private current: { fingerprint: string; snapshot: RfmSnapshot } | undefined;
  private pending: Promise<RfmSnapshot> | undefined;

  constructor(
    private readonly fingerprint: () => Promise<string>,
    private readonly load: () => Promise<CustomerMetrics[]>,
  ) {}

  async get(): Promise<RfmSnapshot> {
    const fingerprint = await this.fingerprint();
    if (this.current?.fingerprint === fingerprint) return this.current.snapshot;
    this.pending ??= this.load()
      .then((all) => {
        const snapshot = buildSnapshot(all);
        this.current = { fingerprint, snapshot };
        return snapshot;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
