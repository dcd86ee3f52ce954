import { fitPca, projectPca, symmetricEigen } from './pca';

describe('symmetricEigen', () => {
  it('diagonalises [[2, 1], [1, 2]]: eigenvalues 3 and 1 on (1, 1) and (1, -1)', () => {
    const { values, vectors } = symmetricEigen([[2, 1], [1, 2]]);
    expect([...values].sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
    const i = values[0]! > values[1]! ? 0 : 1;
    expect(Math.abs(vectors[0]![i]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0]![i]! * vectors[1]![i]!).toBeGreaterThan(0);
  });
});

describe('fitPca', () => {
  it('finds the line the points lie on', () => {
    // points on y = 2x, mean (0.2, 0.4): all variance along (1, 2) / sqrt(5), pointing to (3, 6), the point
    // furthest from the mean (scikit-learn gives the same). Variance along the line: the distances
    // from the mean are sqrt(5) x (-2.2, -1.2, -0.2, 0.8, 2.8): squares sum to 5 x 14.8 = 74, / (n - 1) = 18.5
    const points = [[-2, -4], [-1, -2], [0, 0], [1, 2], [3, 6]];
    const model = fitPca(points, 2);
    expect(model.components[0]![0]).toBeCloseTo(1 / Math.sqrt(5), 12);
    expect(model.components[0]![1]).toBeCloseTo(2 / Math.sqrt(5), 12);
    expect(model.explainedVariance[0]).toBeCloseTo(18.5, 12);
    expect(model.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
    expect(projectPca(model, [3, 6])[0]).toBeCloseTo(2.8 * Math.sqrt(5), 12);
  });

  it('refuses impossible requests', () => {
    expect(() => fitPca([[1, 2]])).toThrow(RangeError);
    expect(() => fitPca([[1, 2], [3, 4]], 3)).toThrow(RangeError);
  });
});
