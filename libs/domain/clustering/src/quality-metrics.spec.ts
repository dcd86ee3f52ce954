import { calinskiHarabaszScore, daviesBouldinScore, silhouetteSamples, silhouetteScore } from './quality-metrics';
import { seededRandom } from './random';

// Two clusters on a line: {0, 1} and {10, 11}.
const points = [[0], [1], [10], [11]];
const labels = [0, 0, 1, 1];

describe('silhouette', () => {
  it('is (b - a) / max(a, b) per point', () => {
    // point 0: a = 1, b = mean(10, 11) = 10.5; point 1: a = 1, b = mean(9, 10) = 9.5; the other two mirror them
    expect(silhouetteSamples(points, labels)).toEqual([9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5]);
    expect(silhouetteScore(points, labels)).toEqual({ score: (9.5 / 10.5 + 8.5 / 9.5) / 2, sampleSize: 4, exact: true });
  });

  it('is 0 for a point alone in its cluster', () => {
    expect(silhouetteSamples([[0], [1], [5]], [0, 0, 1])[2]).toBe(0);
  });

  it('does not care how the clusters are numbered', () => {
    expect(silhouetteSamples(points, [7, 7, 3, 3])).toEqual(silhouetteSamples(points, labels));
  });

  it('samples above the limit, reproducibly, and says how many points it used', () => {
    const random = seededRandom(3);
    const many = Array.from({ length: 3000 }, (_, i) => [(i % 2) * 10 + random(), random()]);
    const manyLabels = many.map((_, i) => i % 2);
    const exact = silhouetteScore(many, manyLabels);
    const sampled = silhouetteScore(many, manyLabels, { sampleSize: 1000, seed: 1 });
    expect(exact.exact).toBe(true);
    expect(sampled).toMatchObject({ sampleSize: 1000, exact: false });
    expect(silhouetteScore(many, manyLabels, { sampleSize: 1000, seed: 1 })).toEqual(sampled);
    expect(Math.abs(sampled.score - exact.score)).toBeLessThan(0.01);
  });

  it('needs between 2 and n - 1 clusters', () => {
    expect(() => silhouetteScore(points, [0, 0, 0, 0])).toThrow(RangeError);
    expect(() => silhouetteScore(points, [0, 1, 2, 3])).toThrow(RangeError);
  });
});

describe('Davies-Bouldin', () => {
  it('is the mean of the worst (s_i + s_j) / d_ij', () => {
    // means 0.5 and 10.5, each point 0.5 from its mean: (0.5 + 0.5) / 10 = 0.1 for both clusters
    expect(daviesBouldinScore(points, labels)).toBeCloseTo(0.1, 15);
  });
  it('is 0 when every cluster is a single repeated point', () => {
    expect(daviesBouldinScore([[0], [0], [5], [5]], [0, 0, 1, 1])).toBe(0);
  });
});

describe('Calinski-Harabasz', () => {
  it('is between / within dispersion x (n - k) / (k - 1)', () => {
    // overall mean 5.5: between = 2 x 5^2 + 2 x 5^2 = 100; within = 4 x 0.5^2 = 1; x (4 - 2) / (2 - 1) = 200
    expect(calinskiHarabaszScore(points, labels)).toBe(200);
  });
  it('is 1 when the clusters have no spread', () => {
    expect(calinskiHarabaszScore([[0], [0], [5], [5]], [0, 0, 1, 1])).toBe(1);
  });
});
