import type { CustomerMetrics } from './customer-metrics';
import { buildSnapshot, SnapshotCache } from './rfm-snapshot';

const customer = (customerId: string, lastPurchaseAt: string, frequency: number, monetaryMilli: number, cancelledMilli = 0): CustomerMetrics => ({
  customerId,
  country: 'United Kingdom',
  firstPurchaseAt: '2010-12-01T09:00:00Z',
  lastPurchaseAt,
  frequency,
  monetaryMilli,
  cancelledMilli,
});

// Five customers, chosen so that every number below can be checked by hand.
// The latest purchase is 2011-02-28 12:00, so asOf = 2011-03-01 12:00 and the recency days are
// A 1, B 3, C 10, D 30 (Jan 30 -> Mar 1), E 90 (Dec 1 -> Mar 1 = 31 + 31 + 28).
const metrics: CustomerMetrics[] = [
  customer('A', '2011-02-28T12:00:00Z', 10, 5_000_000),
  customer('B', '2011-02-26T12:00:00Z', 5, 250_500),
  customer('C', '2011-02-19T12:00:00Z', 2, 1_000_000, 250_000),
  customer('D', '2011-01-30T12:00:00Z', 1, 20_000, 40_000),
  customer('E', '2010-12-01T12:00:00Z', 1, 3_000_000),
];

describe('buildSnapshot', () => {
  const snapshot = buildSnapshot(metrics);

  it('takes the analysis date from the latest purchase + 1 day', () => {
    expect(snapshot.asOf).toBe('2011-03-01T12:00:00Z');
    expect([...snapshot.customers.values()].map((c) => c.values.recencyDays)).toEqual([1, 3, 10, 30, 90]);
  });

  it('exposes the 20/40/60/80th percentiles (linear interpolation, h = (n - 1) q = 0.8, 1.6, 2.4, 3.2)', () => {
    const cuts = snapshot.cutPoints!;
    // recency [1, 3, 10, 30, 90]: 1 + 0.8 x 2, 3 + 0.6 x 7, 10 + 0.4 x 20, 30 + 0.2 x 60
    expect(cuts.recency[0]).toBeCloseTo(2.6, 10);
    expect(cuts.recency[1]).toBeCloseTo(7.2, 10);
    expect(cuts.recency[2]).toBeCloseTo(18, 10);
    expect(cuts.recency[3]).toBeCloseTo(42, 10);
    // frequency [1, 1, 2, 5, 10]: 1, 1 + 0.6 x 1, 2 + 0.4 x 3, 5 + 0.2 x 5
    expect(cuts.frequency[0]).toBeCloseTo(1, 10);
    expect(cuts.frequency[1]).toBeCloseTo(1.6, 10);
    expect(cuts.frequency[2]).toBeCloseTo(3.2, 10);
    expect(cuts.frequency[3]).toBeCloseTo(6, 10);
    // monetary [20, 250.5, 1000, 3000, 5000]: 20 + 0.8 x 230.5, 250.5 + 0.6 x 749.5, 1000 + 0.4 x 2000, 3000 + 0.2 x 2000
    expect(cuts.monetary[0]).toBeCloseTo(204.4, 10);
    expect(cuts.monetary[1]).toBeCloseTo(700.2, 10);
    expect(cuts.monetary[2]).toBeCloseTo(1800, 10);
    expect(cuts.monetary[3]).toBeCloseTo(3400, 10);
  });

  it('scores each customer against those cut-points and names the segment', () => {
    const scores = Object.fromEntries([...snapshot.customers].map(([id, c]) => [id, { code: c.score.code, segment: c.score.segment }]));
    expect(scores).toEqual({
      // R: 5 - cuts below recency; F and M: 1 + cuts below the value.
      A: { code: '555', segment: 'Champions' }, // recency 1 < 2.6; 10 > 6; 5000 > 3400
      B: { code: '442', segment: 'Potential Loyalist' }, // 3 > 2.6 only; 5 > 1, 1.6, 3.2; 250.5 > 204.4 only
      C: { code: '333', segment: 'Potential Loyalist' }, // 10 > 2.6, 7.2; 2 > 1, 1.6; 1000 > 204.4, 700.2
      D: { code: '211', segment: 'Hibernating' }, // 30 > three cuts; 1 is not above 1; 20 below all
      E: { code: '114', segment: 'Cannot Lose Them' }, // 90 > all four; frequency 1 as D (equal values, equal scores); 3000 > three cuts
    });
  });

  it('gives the return rate (it may exceed 1) and keeps each customer\'s metrics', () => {
    expect(snapshot.customers.get('C')?.returnRate).toBe(0.25); // 250.00 / 1000.00
    expect(snapshot.customers.get('D')?.returnRate).toBe(2); // 40.00 / 20.00
    expect(snapshot.customers.get('A')?.returnRate).toBe(0);
    expect(snapshot.customers.get('B')?.metrics).toBe(metrics[1]);
    expect(snapshot.customers.get('B')?.values.monetary).toBe(250.5);
  });

  it('counts customers per named segment, largest first', () => {
    expect(snapshot.segmentCounts[0]).toEqual({ segment: 'Potential Loyalist', customers: 2 });
    expect([...snapshot.segmentCounts].sort((a, b) => a.segment.localeCompare(b.segment))).toEqual([
      { segment: 'Cannot Lose Them', customers: 1 },
      { segment: 'Champions', customers: 1 },
      { segment: 'Hibernating', customers: 1 },
      { segment: 'Potential Loyalist', customers: 2 },
    ]);
  });

  it('does not depend on the order of the customers', () => {
    const reversed = buildSnapshot([...metrics].reverse());
    expect(reversed.cutPoints).toEqual(snapshot.cutPoints);
    for (const [id, scored] of snapshot.customers) expect(reversed.customers.get(id)?.score).toEqual(scored.score);
  });

  it('is empty without customers', () => {
    expect(buildSnapshot([])).toEqual({ asOf: null, cutPoints: null, customers: new Map(), segmentCounts: [] });
  });
});

describe('SnapshotCache', () => {
  it('rebuilds only when the fingerprint changes, and shares one load between concurrent readers', async () => {
    let fingerprint = 'v1';
    let loads = 0;
    const cache = new SnapshotCache(
      async () => fingerprint,
      async () => {
        loads++;
        return fingerprint === 'v1' ? metrics.slice(0, 3) : metrics;
      },
    );
    const [first, concurrent] = await Promise.all([cache.get(), cache.get()]);
    expect(loads).toBe(1);
    expect(concurrent).toBe(first);
    expect(first.customers.size).toBe(3);
    expect(await cache.get()).toBe(first);
    expect(loads).toBe(1);

    fingerprint = 'v2';
    const second = await cache.get();
    expect(loads).toBe(2);
    expect(second.customers.size).toBe(5);
    expect(await cache.get()).toBe(second);
    expect(loads).toBe(2);
  });
});
