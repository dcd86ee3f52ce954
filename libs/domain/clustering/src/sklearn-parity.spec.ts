// Compares with scikit-learn 1.2 on the same points and labels; the expected values come from
// fixtures/sklearn_metrics.py (its docstring says how to regenerate them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitKMeans } from './kmeans';
import { fitPca, projectPca } from './pca';
import { calinskiHarabaszScore, daviesBouldinScore, silhouetteScore } from './quality-metrics';
import { fitScaler, transform } from './scaling';

interface Run {
  k: number;
  inertia: number;
  labels: number[];
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}
interface Fixture {
  rfm: {
    features: string[];
    raw: number[][];
    scaled: number[][];
    zscore: { center: number[]; scale: number[] };
    minmax: { center: number[]; scale: number[] };
    robust: { center: number[]; scale: number[] };
    runs: Run[];
    pca: { components: number[][]; explainedVariance: number[]; explainedVarianceRatio: number[]; projectedHead: number[][] };
  };
  blobs: { points: number[][]; runs: Run[] };
  small: { points: number[][]; labels: number[]; silhouette: number; daviesBouldin: number; calinskiHarabasz: number };
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/sklearn_metrics.expected.json'), 'utf8')) as Fixture;
const TOLERANCE = 1e-6;

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(expected)));
}

describe('scaling vs scikit-learn (after log1p)', () => {
  const { raw, features } = fixture.rfm;
  it.each([
    ['zscore', 'zscore'],
    ['minmax', 'minmax'],
    ['robust', 'robust'],
  ] as const)('%s equals its scikit-learn scaler', (method, key) => {
    const scaler = fitScaler(raw, features, { scaling: method });
    scaler.center.forEach((c, j) => expectClose(c, fixture.rfm[key].center[j]!));
    scaler.scale.forEach((s, j) => expectClose(s, fixture.rfm[key].scale[j]!));
  });

  it('z-scores every customer as StandardScaler does', () => {
    const scaler = fitScaler(raw, features);
    raw.forEach((row, i) => transform(scaler, row).forEach((v, j) => expectClose(v, fixture.rfm.scaled[i]![j]!)));
  });
});

describe.each([
  ['RFM customers of the three-month slice', fixture.rfm.scaled, fixture.rfm.runs],
  ['make_blobs', fixture.blobs.points, fixture.blobs.runs],
] as const)('metrics vs scikit-learn on %s', (_name, points, runs) => {
  it.each(runs.map((run) => [run.k, run] as const))('k = %d: silhouette, Davies-Bouldin, Calinski-Harabasz', (_k, run) => {
    const silhouette = silhouetteScore(points, run.labels);
    expect(silhouette.exact).toBe(true);
    expectClose(silhouette.score, run.silhouette);
    expectClose(daviesBouldinScore(points, run.labels), run.daviesBouldin);
    expectClose(calinskiHarabaszScore(points, run.labels), run.calinskiHarabasz);
  });

  it('k-means reaches scikit-learn inertia (10 starts each) within 0.5%', () => {
    for (const run of runs) {
      const model = fitKMeans(points, { k: run.k, seed: 42, restarts: 10 });
      expect(model.inertia).toBeLessThanOrEqual(run.inertia * 1.005);
    }
  });
});

describe('metrics vs scikit-learn with a one-point cluster and a repeated point', () => {
  it('match', () => {
    const { points, labels } = fixture.small;
    expectClose(silhouetteScore(points, labels).score, fixture.small.silhouette);
    expectClose(daviesBouldinScore(points, labels), fixture.small.daviesBouldin);
    expectClose(calinskiHarabaszScore(points, labels), fixture.small.calinskiHarabasz);
  });
});

describe('PCA vs scikit-learn on the scaled RFM customers', () => {
  const model = fitPca(fixture.rfm.scaled, 2);
  const expected = fixture.rfm.pca;

  it('has the same components (signs included) and explained variance', () => {
    model.components.forEach((axis, c) => axis.forEach((x, j) => expectClose(x, expected.components[c]![j]!)));
    model.explainedVariance.forEach((v, c) => expectClose(v, expected.explainedVariance[c]!));
    model.explainedVarianceRatio.forEach((v, c) => expectClose(v, expected.explainedVarianceRatio[c]!));
  });

  it('projects points to the same coordinates', () => {
    expected.projectedHead.forEach((xy, i) => projectPca(model, fixture.rfm.scaled[i]!).forEach((v, c) => expectClose(v, xy[c]!)));
  });
});
