// Principal components for the 2-D plot of a segmentation. Features are few (three for RFM), so
// the covariance matrix is small and a Jacobi eigen-decomposition is exact and dependency-free.

type Points = readonly (readonly number[])[];

/** A fitted projection, JSON-serialisable. */
export interface PcaModel {
  readonly mean: readonly number[];
  /** Unit vectors, strongest first. */
  readonly components: readonly (readonly number[])[];
  /** Variance along each component (n - 1 denominator, as scikit-learn). */
  readonly explainedVariance: readonly number[];
  /** Share of the total variance along each component. */
  readonly explainedVarianceRatio: readonly number[];
}

/** Eigenvalues and eigenvectors (as columns) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const d = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v };
}

/**
 * Fits a principal-component projection (default 2 components). Signs follow scikit-learn's
 * convention: on each component, the point furthest from the mean has a positive coordinate.
 */
export function fitPca(points: Points, components = 2): PcaModel {
  const n = points.length;
  if (n < 2) throw new RangeError('fitPca needs at least two points');
  const d = points[0]!.length;
  if (!Number.isInteger(components) || components < 1 || components > d) {
    throw new RangeError(`components must be between 1 and ${d}, got ${components}`);
  }
  const mean = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) mean[j]! += p[j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const p of points) {
    for (let i = 0; i < d; i++) {
      const di = p[i]! - mean[i]!;
      for (let j = i; j < d; j++) cov[i]![j]! += di * (p[j]! - mean[j]!);
    }
  }
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) cov[j]![i] = cov[i]![j]! /= n - 1;

  const { values, vectors } = symmetricEigen(cov);
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  const total = values.reduce((sum, value) => sum + Math.max(value, 0), 0);
  const chosen = order.slice(0, components).map((i) => {
    const axis = vectors.map((row) => row[i]!);
    // Sign: the point with the largest |coordinate| (first one on ties) is positive.
    let extreme = 0;
    let extremeAbs = -1;
    for (const p of points) {
      let score = 0;
      for (let j = 0; j < d; j++) score += (p[j]! - mean[j]!) * axis[j]!;
      if (Math.abs(score) > extremeAbs) {
        extremeAbs = Math.abs(score);
        extreme = score;
      }
    }
    return { axis: extreme < 0 ? axis.map((x) => -x) : axis, variance: Math.max(values[i]!, 0) };
  });
  return {
    mean,
    components: chosen.map((c) => c.axis),
    explainedVariance: chosen.map((c) => c.variance),
    explainedVarianceRatio: chosen.map((c) => (total === 0 ? 0 : c.variance / total)),
  };
}

/** Coordinates of a point on the model's components. */
export function projectPca(model: PcaModel, point: readonly number[]): number[] {
  return model.components.map((axis) => axis.reduce((sum, a, j) => sum + a * (point[j]! - model.mean[j]!), 0));
}
