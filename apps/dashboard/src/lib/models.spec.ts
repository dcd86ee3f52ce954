import { currentModel, projectionSeries } from './models';

describe('currentModel', () => {
  const models = [{ version: 3 }, { version: 5 }, { version: 4 }];
  it('takes the segments\' model, else the newest', () => {
    expect(currentModel(models, 4)).toEqual({ version: 4 });
    expect(currentModel(models, undefined)).toEqual({ version: 5 });
    expect(currentModel(models, 9)).toEqual({ version: 5 });
    expect(currentModel([], 1)).toBeUndefined();
  });
});

describe('projectionSeries', () => {
  it('groups points by cluster in cluster order, named after the segments', () => {
    const series = projectionSeries(
      [
        { x: 1, y: 1, cluster: 1 },
        { x: 0, y: 0, cluster: 0 },
        { x: 2, y: 2, cluster: 1 },
        { x: 3, y: 3, cluster: 7 },
      ],
      [
        { cluster: 0, name: 'Champions' },
        { cluster: 1, name: 'At Risk' },
      ],
    );
    expect(series.map((s) => [s.cluster, s.name, s.points.length])).toEqual([
      [0, 'Champions', 1],
      [1, 'At Risk', 2],
      [7, 'cluster 7', 1],
    ]);
  });
});
