import { RFM_SEGMENT_NAMES } from '@seg/domain-rfm';
import { type ClusterSummary, nameClusters, type PopulationSummary } from './segment-names';

const population: PopulationSummary = {
  customers: 1000,
  revenueMilli: 2_000_000_000,
  medians: { recencyDays: 51, frequency: 2, monetary: 640 },
  cutPoints: { recency: [10, 30, 60, 150], frequency: [1, 2, 3, 6], monetary: [200, 400, 800, 2000] },
};

function cluster(cluster: number, centroid: ClusterSummary['centroid'], revenueMilli: number, size = 100): ClusterSummary {
  return { cluster, size, revenueMilli, centroid };
}

describe('nameClusters', () => {
  // R = 5 - cuts below recency; F, M = 1 + cuts below the value:
  // 0: 12 days (10 below -> R4), 13.8 orders (F5), 5,210 (M5) -> 455 Champions
  // 1: 5 days (R5), 8 orders (F5), 3,000 (M5) -> 555 Champions, more revenue than 0
  // 2: 200 days (R1), 1 order (F1), 150 (M1) -> 111 Lost
  // 3: 100 days (R2), 4 orders (F4), 1,000 (M4) -> 244 At Risk
  const clusters = [
    cluster(0, { recencyDays: 12, frequency: 13.8, monetary: 5210 }, 400_000_000, 150),
    cluster(1, { recencyDays: 5, frequency: 8, monetary: 3000 }, 900_000_000, 80),
    cluster(2, { recencyDays: 200, frequency: 1, monetary: 150 }, 50_000_000, 500),
    cluster(3, { recencyDays: 100, frequency: 4, monetary: 1000 }, 650_000_000, 270),
  ];
  const names = nameClusters(clusters, population);

  it('names each cluster from the RFM segment of its centroid', () => {
    expect(names.map((n) => [n.cluster, n.name, n.rfmSegment])).toEqual([
      [0, 'Loyal', 'Loyal'], // 455 loses Champions to cluster 1; 355 (Loyal) is 1 step away, the only non-Champions neighbour
      [1, 'Champions', 'Champions'],
      [2, 'Lost', 'Lost'],
      [3, 'At Risk', 'At Risk'],
    ]);
  });

  it('explains the name in words', () => {
    expect(names[0]!.reasons).toEqual([
      'last order 12 days ago vs a median of 51',
      '13.8 orders vs a median of 2',
      'spends 5,210.00 vs 640.00',
      "scores R4 F5 M5 (455) against the population's cut-points: Champions",
      'cluster 1 also scores Champions and brings more revenue, so this cluster takes the nearest free segment, Loyal (1 score step away)',
      '150 customers (15.0%) bring 20.0% of revenue',
    ]);
    expect(names[1]!.reasons).toHaveLength(5); // no collision line
    expect(names[1]!.description).toBe('Bought recently, buy often and spend the most.');
  });

  it('does not depend on the order clusters are given in', () => {
    const reversed = nameClusters([...clusters].reverse(), population);
    expect([...reversed].reverse()).toEqual(names);
  });

  it('qualifies a name when no free segment is one step away', () => {
    // both 555; cluster 1 has more revenue and keeps Champions; every neighbour of 555 is Champions too.
    // cluster 0 differs most on frequency: log1p(20) - log1p(8) = 0.85 vs spend log1p(4000) - log1p(3000) = 0.29
    const result = nameClusters(
      [cluster(0, { recencyDays: 6, frequency: 20, monetary: 4000 }, 100), cluster(1, { recencyDays: 5, frequency: 8, monetary: 3000 }, 200)],
      population,
    );
    expect(result.map((n) => n.name)).toEqual(['Champions (more orders)', 'Champions']);
    expect(result[0]!.reasons[4]).toBe(
      'cluster 1 also scores Champions and brings more revenue; no free segment is within 1 score step, so the name is qualified',
    );
  });

  it('does not depend on the order clusters are given in', () => {
    const reversed = nameClusters([...clusters].reverse(), population);
    expect([...reversed].reverse()).toEqual(names);
  });

  it('never uses a name twice, even when many clusters sit in the same cell', () => {
    const same = Array.from({ length: 13 }, (_, i) => cluster(i, { recencyDays: 300, frequency: 1, monetary: 10 }, 1000 * (13 - i)));
    const result = nameClusters(same, population);
    expect(new Set(result.map((n) => n.name)).size).toBe(13);
    // 111's neighbours 112, 121 and 211: Lost, Lost, Hibernating; identical centroids cannot be qualified: numbered
    expect(result.map((n) => n.name)).toEqual([
      'Lost', 'Hibernating', 'Lost 2', 'Lost 3', 'Lost 4', 'Lost 5', 'Lost 6', 'Lost 7', 'Lost 8', 'Lost 9', 'Lost 10', 'Lost 11', 'Lost 12',
    ]);
  });

  it('keeps names unique over many random models', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let model = 0; model < 200; model++) {
      const k = 2 + (model % 12);
      const result = nameClusters(
        Array.from({ length: k }, (_, i) =>
          cluster(i, { recencyDays: Math.floor(random() * 400), frequency: 1 + Math.floor(random() * 12), monetary: random() * 5000 }, Math.floor(random() * 1e9)),
        ),
        population,
      );
      expect(new Set(result.map((n) => n.name)).size).toBe(k);
      for (const n of result) expect(RFM_SEGMENT_NAMES).toContain(n.rfmSegment);
    }
  });
});
