import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kneedleElbow, type KSweepEntry, proposeK, sweepK } from './k-sweep';

describe('kneedleElbow', () => {
  it('finds the point furthest below the chord', () => {
    // scaled: x = 0, .25, .5, .75, 1; y = 1, .4, .2, .1, 0; 1 - x - y = 0, .35, .3, .15, 0 -> k = 2
    expect(kneedleElbow([1, 2, 3, 4, 5], [100, 40, 20, 10, 0])).toBe(2);
  });
  it('finds none on a straight line, a flat line or too few points', () => {
    expect(kneedleElbow([1, 2, 3], [30, 20, 10])).toBeNull();
    expect(kneedleElbow([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(kneedleElbow([1, 2], [9, 1])).toBeNull();
  });
});

function entry(k: number, inertia: number, silhouette: number): KSweepEntry {
  return { k, inertia, silhouette, daviesBouldin: 1 / silhouette, calinskiHarabasz: 100 * silhouette, sizes: [], iterations: 1, converged: true };
}

describe('proposeK', () => {
  // inertia 100, 40, 20, 10, 0 over k = 2..6: elbow at k = 3 (as above, shifted by one)
  const inertias = [100, 40, 20, 10, 0];

  it('takes the elbow when its silhouette is within 0.05 of the best', () => {
    const proposal = proposeK([0.50, 0.47, 0.30, 0.30, 0.20].map((s, i) => entry(i + 2, inertias[i]!, s)));
    expect(proposal).toMatchObject({ k: 3, elbowK: 3, bestSilhouetteK: 2 });
    expect(proposal.reasons[1]).toBe('its silhouette 0.470 is within 0.05 of the best, 0.500 at k=2');
  });

  it('otherwise takes the acceptable k nearest to the elbow', () => {
    // best 0.60 at k = 5; within 0.05: k = 5 (0.60) and k = 6 (0.56); the elbow k = 3 is at 0.40
    const proposal = proposeK([0.30, 0.40, 0.50, 0.60, 0.56].map((s, i) => entry(i + 2, inertias[i]!, s)));
    expect(proposal).toMatchObject({ k: 5, elbowK: 3, bestSilhouetteK: 5 });
  });

  it('falls back to the best silhouette without an elbow', () => {
    const proposal = proposeK([entry(2, 30, 0.3), entry(3, 20, 0.5), entry(4, 10, 0.4)]);
    expect(proposal).toMatchObject({ k: 3, elbowK: null });
  });
});

describe('sweepK', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/sklearn_metrics.expected.json'), 'utf8')) as {
    rfm: { scaled: number[][]; runs: { k: number; silhouette: number }[] };
  };
  const points = fixture.rfm.scaled;

  it('proposes k = 4 for the RFM customers of the three-month slice, with reasons', () => {
    const sweep = sweepK(points);
    expect(sweep.entries.map((e) => e.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sweep).toMatchObject({ silhouetteSampleSize: 1682, silhouetteExact: true });
    // inertia falls with k
    sweep.entries.slice(1).forEach((e, i) => expect(e.inertia).toBeLessThan(sweep.entries[i]!.inertia));
    expect(sweep.proposal).toMatchObject({ k: 4, elbowK: 4, bestSilhouetteK: 2 });
    expect(sweep.proposal.reasons[0]).toBe('elbow (kneedle) of the inertia curve at k=4');
  });

  it('is deterministic and reports a silhouette sample above the limit', () => {
    const a = sweepK(points, { kMax: 4, silhouetteSampleSize: 500, restarts: 2 });
    expect(sweepK(points, { kMax: 4, silhouetteSampleSize: 500, restarts: 2 })).toEqual(a);
    expect(a).toMatchObject({ silhouetteSampleSize: 500, silhouetteExact: false });
  });

  it('refuses impossible ranges', () => {
    expect(() => sweepK(points, { kMin: 1 })).toThrow(RangeError);
    expect(() => sweepK(points.slice(0, 5), { kMax: 10 })).toThrow(RangeError);
  });
});
