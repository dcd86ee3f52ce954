import { kmeans } from 'ml-kmeans';
import { fitKMeans, kmeansPlusPlus, nearestCentroid } from './kmeans';
import { seededRandom } from './random';

/** Three round blobs of 50 points around (0,0), (10,0) and (0,10), spread +-1: clearly separable. */
function blobs(seed: number): { points: number[][]; truth: number[] } {
  const random = seededRandom(seed);
  const centers = [[10, 0], [0, 10], [0, 0]];
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 150; i++) {
    const c = i % 3;
    points.push([centers[c]![0]! + random() * 2 - 1, centers[c]![1]! + random() * 2 - 1]);
    truth.push(c);
  }
  return { points, truth };
}

describe('fitKMeans', () => {
  it('solves a hand-checkable case: [0], [1], [10], [11] with k = 2', () => {
    // centroids 0.5 and 10.5; every point is 0.5 away: inertia 4 x 0.25 = 1
    const model = fitKMeans([[10], [0], [11], [1]], { k: 2 });
    expect(model.centroids).toEqual([[0.5], [10.5]]);
    expect(model.labels).toEqual([1, 0, 1, 0]);
    expect(model.inertia).toBe(1);
    expect(model.sizes).toEqual([2, 2]);
    expect(model.converged).toBe(true);
  });

  it('with k = 1 gives the mean and the total sum of squares', () => {
    // mean of 0, 2, 4 is 2; inertia 4 + 0 + 4 = 8
    const model = fitKMeans([[0], [2], [4]], { k: 1 });
    expect(model.centroids).toEqual([[2]]);
    expect(model.inertia).toBe(8);
  });

  it('recovers separable blobs, numbered by ascending centroid', () => {
    const { points, truth } = blobs(7);
    const model = fitKMeans(points, { k: 3, seed: 1 });
    // canonical order sorts by x then y: (0,0) -> 0, (0,10) -> 1, (10,0) -> 2
    const expected = truth.map((c) => ({ 0: 2, 1: 1, 2: 0 })[c as 0 | 1 | 2]);
    expect(model.labels).toEqual(expected);
    expect(model.sizes).toEqual([50, 50, 50]);
    model.centroids.forEach((centroid, c) => {
      const target = [[0, 0], [0, 10], [10, 0]][c]!;
      expect(Math.hypot(centroid[0]! - target[0]!, centroid[1]! - target[1]!)).toBeLessThan(0.3);
    });
    // the inertia is the sum of squared distances to the returned centroids
    const recomputed = points.reduce((sum, p) => sum + nearestCentroid(p, model.centroids).distance ** 2, 0);
    expect(model.inertia).toBeCloseTo(recomputed, 9);
  });

  it('is deterministic for a seed and independent of the labels ml-kmeans would have returned', () => {
    const { points } = blobs(11);
    const a = fitKMeans(points, { k: 4, seed: 5 });
    const b = fitKMeans(points, { k: 4, seed: 5 });
    expect(b).toEqual(a);
    a.labels.forEach((label, i) => expect(label).toBe(nearestCentroid(points[i]!, a.centroids).cluster));
  });

  it('keeps the best of several restarts: never worse than a single start', () => {
    const { points } = blobs(3);
    const single = fitKMeans(points, { k: 6, seed: 9, restarts: 1 });
    const many = fitKMeans(points, { k: 6, seed: 9, restarts: 10 });
    expect(many.inertia).toBeLessThanOrEqual(single.inertia);
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'runs the very Lloyd iterations of ml-kmeans with its default distance (points of width %i)',
    (width) => {
      const random = seededRandom(100 + width);
      const points = Array.from({ length: 300 }, (_, i) => Array.from({ length: width }, (_, j) => ((i % 4) * 3 + j) * (1 + random()) - random() * 1e-3));
      const k = 5;
      const model = fitKMeans(points, { k, seed: 3, restarts: 1 });
      // The same start: fitKMeans' first draw of its seeded k-means++.
      const initial = kmeansPlusPlus(points, k, seededRandom(3));
      const means = Array.from({ length: width }, (_, j) => points.reduce((sum, p) => sum + p[j]!, 0) / points.length);
      const meanVariance =
        means.reduce((total, mean, j) => total + points.reduce((sum, p) => sum + (p[j]! - mean) ** 2, 0) / points.length, 0) / width;
      const reference = kmeans(points, k, { initialization: initial, maxIterations: 300, tolerance: 1e-4 * meanVariance });
      expect(model.iterations).toBe(reference.iterations);
      expect([...model.centroids].sort()).toEqual(reference.centroids.map((c) => [...c]).sort());
    },
  );

  it('refuses impossible requests', () => {
    expect(() => fitKMeans([[1], [2]], { k: 3 })).toThrow(RangeError);
    expect(() => fitKMeans([[1], [2]], { k: 0 })).toThrow(RangeError);
    expect(() => fitKMeans([[1, 2], [2]], { k: 1 })).toThrow(RangeError);
  });
});

describe('kmeansPlusPlus', () => {
  it('picks distinct far-apart starting points on separable blobs', () => {
    const { points } = blobs(2);
    const centers = kmeansPlusPlus(points, 3, seededRandom(42));
    const near = centers.map((c) => nearestCentroid(c, [[10, 0], [0, 10], [0, 0]]).cluster).sort();
    expect(near).toEqual([0, 1, 2]);
  });

  it('copes with identical points', () => {
    expect(kmeansPlusPlus([[1], [1], [1]], 2, seededRandom(1))).toEqual([[1], [1]]);
  });
});

describe('nearestCentroid', () => {
  it('returns the Euclidean distance: (3, 4) is 5 away from the origin', () => {
    expect(nearestCentroid([3, 4], [[0, 0], [10, 10]])).toEqual({ cluster: 0, distance: 5 });
  });
  it('breaks ties to the lower index', () => {
    expect(nearestCentroid([5], [[0], [10]]).cluster).toBe(0);
  });
});
