import { RFM_SEGMENT_NAMES } from '@seg/domain-rfm';
import {
  type ClusterSummary,
  decideRename,
  displayedSegmentNames,
  nameClusters,
  type PopulationSummary,
  sameSegmentName,
  validateSegmentName,
} from './segment-names';

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
    expect(names[1]!.reasons[0]).toBe('last order 5 days ago vs a median of 51');
    expect(names[1]!.description).toBe('Bought recently, buy often and spend the most.');
  });

  it('says "1 day" for a centroid a day (rounded) from the analysis date', () => {
    const recent = nameClusters([cluster(0, { recencyDays: 0.6, frequency: 2, monetary: 300 }, 1_000, 10), ...clusters.slice(1)], population);
    expect(recent[0]!.reasons[0]).toBe('last order 1 day ago vs a median of 51');
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

  it('says "1 day" for a centroid a day (rounded) from the analysis date', () => {
    const recent = nameClusters([cluster(0, { recencyDays: 0.6, frequency: 2, monetary: 300 }, 1_000, 10), ...clusters.slice(1)], population);
    expect(recent[0]!.reasons[0]).toBe('last order 1 day ago vs a median of 51');
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

describe('validateSegmentName', () => {
  it('trims a name and accepts up to 64 characters', () => {
    expect(validateSegmentName('  Winter VIPs ')).toEqual({ ok: true, value: 'Winter VIPs' });
    expect(validateSegmentName('x'.repeat(64)).ok).toBe(true);
  });

  it.each([['an empty name', ' \t '], ['65 characters', 'x'.repeat(65)], ['a line break', 'Winter\nVIPs']])('refuses %s as INVALID', (_what, name) => {
    expect(validateSegmentName(name)).toEqual({ ok: false, error: expect.objectContaining({ field: ['name'], code: 'INVALID' }) });
  });
});

describe('sameSegmentName', () => {
  it('ignores case and surrounding spaces, as the database collation does', () => {
    expect(sameSegmentName('At Risk', ' at risk')).toBe(true);
    expect(sameSegmentName('At Risk', 'At Risk 2')).toBe(false);
  });
});

describe('displayedSegmentNames and decideRename', () => {
  // The names the example model above computed, under stable keys.
  const computed = [
    { key: 'm1-0', name: 'Loyal' },
    { key: 'm1-1', name: 'Champions' },
    { key: 'm1-2', name: 'Lost' },
    { key: 'm1-3', name: 'At Risk' },
  ];
  const none = new Map<string, string>();

  it('shows marketing\'s name over the computed one and says so', () => {
    const shown = displayedSegmentNames(computed, new Map([['m1-3', 'Win-back targets']]));
    expect([...shown.entries()]).toEqual([
      ['m1-0', { name: 'Loyal', overridden: false }],
      ['m1-1', { name: 'Champions', overridden: false }],
      ['m1-2', { name: 'Lost', overridden: false }],
      ['m1-3', { name: 'Win-back targets', overridden: true }],
    ]);
  });

  it('keeps names unique when a retrain computes a name marketing gave another segment: the chosen name wins', () => {
    // m1-2 was renamed 'Champions' while no segment had that name; the next model computed it for m1-1.
    const shown = displayedSegmentNames(computed, new Map([['m1-2', 'champions']]));
    expect(shown.get('m1-2')).toEqual({ name: 'champions', overridden: true });
    expect(shown.get('m1-1')).toEqual({ name: 'Champions 2', overridden: false });
  });

  it('stores a new name as an override, and clears the override when the computed name comes back', () => {
    expect(decideRename(computed, none, 'm1-3', '  Win-back targets ')).toEqual({ ok: true, value: 'Win-back targets' });
    expect(decideRename(computed, new Map([['m1-3', 'Win-back targets']]), 'm1-3', 'At Risk')).toEqual({ ok: true, value: null });
    // Another spelling of the computed name is a choice of its own.
    expect(decideRename(computed, none, 'm1-3', 'AT RISK')).toEqual({ ok: true, value: 'AT RISK' });
  });

  it('refuses a name another segment of the model shows (NAME_TAKEN), whatever its case', () => {
    expect(decideRename(computed, none, 'm1-3', 'loyal')).toEqual({ ok: false, error: expect.objectContaining({ field: ['name'], code: 'NAME_TAKEN' }) });
    const renamed = new Map([['m1-0', 'Big spenders']]);
    expect(decideRename(computed, renamed, 'm1-3', 'Big Spenders')).toMatchObject({ ok: false, error: { code: 'NAME_TAKEN' } });
    // The computed name a renamed segment gave up is free again.
    expect(decideRename(computed, renamed, 'm1-3', 'Loyal')).toEqual({ ok: true, value: 'Loyal' });
    // Renaming a segment to the name it shows already is no conflict.
    expect(decideRename(computed, renamed, 'm1-0', 'Big spenders')).toEqual({ ok: true, value: 'Big spenders' });
  });

  it('answers NOT_FOUND for a key outside the model and INVALID for a bad name', () => {
    expect(decideRename(computed, none, 'm9-0', 'Anything')).toMatchObject({ ok: false, error: { field: ['id'], code: 'NOT_FOUND' } });
    expect(decideRename(computed, none, 'm1-0', '')).toMatchObject({ ok: false, error: { field: ['name'], code: 'INVALID' } });
  });
});
