import { centroidDistance, settleSegmentIdentities, type PreviousSegment } from './segment-identity';
import type { ClusterSummary, SegmentName } from './segment-names';

const cluster = (n: number, recencyDays: number, frequency: number, monetary: number): ClusterSummary => ({
  cluster: n,
  size: 10,
  revenueMilli: 1_000,
  centroid: { recencyDays, frequency, monetary },
});
const named = (n: number, name: string): SegmentName => ({ cluster: n, name, rfmSegment: 'Loyal', description: '', reasons: [] });
const key = (n: number) => `v2-${n}`;

describe('centroidDistance', () => {
  it('measures moves on a log1p scale', () => {
    // log1p(e - 1) = 1 and log1p(0) = 0: a unit step on one axis.
    expect(centroidDistance({ recencyDays: Math.E - 1, frequency: 0, monetary: 0 }, { recencyDays: 0, frequency: 0, monetary: 0 })).toBeCloseTo(1, 12);
    // Three unit steps: sqrt(3).
    const e = Math.E - 1;
    expect(centroidDistance({ recencyDays: e, frequency: e, monetary: e }, { recencyDays: 0, frequency: 0, monetary: 0 })).toBeCloseTo(Math.sqrt(3), 12);
  });
});

describe('settleSegmentIdentities', () => {
  const previous: PreviousSegment[] = [
    { key: 'v1-0', name: 'Champions', centroid: { recencyDays: 10, frequency: 12, monetary: 5_000 } },
    { key: 'v1-1', name: 'At Risk', centroid: { recencyDays: 200, frequency: 3, monetary: 900 } },
  ];

  it('keeps the key and name of a segment whose centroid barely moved', () => {
    // Cluster 1 sits 10% away from the old Champions on every axis: about 0.1 * sqrt(3) in log space.
    const clusters = [cluster(0, 190, 3, 950), cluster(1, 11, 13, 5_400)];
    const result = settleSegmentIdentities(previous, clusters, [named(0, 'Hibernating'), named(1, 'Loyal')], key);
    expect(result).toEqual([
      expect.objectContaining({ cluster: 0, key: 'v1-1', name: 'At Risk', inheritedFrom: 'v1-1' }),
      expect.objectContaining({ cluster: 1, key: 'v1-0', name: 'Champions', inheritedFrom: 'v1-0' }),
    ]);
    expect(result[1]?.distance).toBeLessThan(0.25);
  });

  it('makes a new segment of a cluster that moved too far, without reusing an inherited name', () => {
    // Cluster 0 continues Champions; cluster 1 is far from At Risk (recency 200 -> 20), so it is new.
    // Its computed name 'Champions' is taken by the inherited segment: it gets the free computed name.
    const clusters = [cluster(0, 10, 12, 5_000), cluster(1, 20, 3, 900)];
    const result = settleSegmentIdentities(previous, clusters, [named(0, 'Loyal'), named(1, 'Champions')], key);
    expect(result).toEqual([
      { cluster: 0, key: 'v1-0', name: 'Champions', inheritedFrom: 'v1-0', distance: 0 },
      { cluster: 1, key: 'v2-1', name: 'Loyal', inheritedFrom: null, distance: null },
    ]);
  });

  it('gives each old segment to at most one new cluster, the closest', () => {
    const clusters = [cluster(0, 10.5, 12, 5_000), cluster(1, 10, 12, 5_000)];
    const result = settleSegmentIdentities(previous.slice(0, 1), clusters, [named(0, 'Loyal'), named(1, 'Promising')], key);
    expect(result.map((r) => r.key)).toEqual(['v2-0', 'v1-0']);
    expect(new Set(result.map((r) => r.name)).size).toBe(2);
  });

  it('starts every segment afresh when there is no previous model', () => {
    const result = settleSegmentIdentities([], [cluster(0, 1, 1, 1), cluster(1, 9, 9, 9)], [named(0, 'Lost'), named(1, 'Loyal')], key);
    expect(result.map((r) => [r.key, r.name])).toEqual([
      ['v2-0', 'Lost'],
      ['v2-1', 'Loyal'],
    ]);
  });
});
