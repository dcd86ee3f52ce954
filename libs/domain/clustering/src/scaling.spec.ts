import { fitScaler, inverseTransform, transform } from './scaling';

describe('fitScaler', () => {
  it('z-scores with the population standard deviation; a constant feature gets scale 1', () => {
    // column 1: mean 3, variance ((-2)^2 + 0 + 2^2) / 3 = 8/3; column 2 is constant
    const scaler = fitScaler([[1, 10], [3, 10], [5, 10]], ['a', 'b'], { logTransform: false });
    expect(scaler).toEqual({ method: 'zscore', logTransform: false, features: ['a', 'b'], center: [3, 10], scale: [Math.sqrt(8 / 3), 1] });
    expect(transform(scaler, [5, 10])).toEqual([2 / Math.sqrt(8 / 3), 0]);
  });

  it('min-max scales to [0, 1]', () => {
    const scaler = fitScaler([[1], [3], [5]], ['a'], { scaling: 'minmax', logTransform: false });
    expect([scaler.center, scaler.scale]).toEqual([[1], [4]]);
    expect(transform(scaler, [3])).toEqual([0.5]);
  });

  it('robust-scales by median and interquartile range', () => {
    // sorted [1,2,3,4,100]: median 3, q25 = x[1] = 2, q75 = x[3] = 4 (h = 4 x q lands on ranks)
    const scaler = fitScaler([[100], [2], [3], [1], [4]], ['a'], { scaling: 'robust', logTransform: false });
    expect([scaler.center, scaler.scale]).toEqual([[3], [2]]);
  });

  it('applies log1p first by default', () => {
    // log1p(e - 1) = 1 and log1p(e^3 - 1) = 3: mean 2, std 1
    const scaler = fitScaler([[Math.E - 1], [Math.exp(3) - 1]], ['monetary']);
    expect(scaler.center[0]).toBeCloseTo(2, 12);
    expect(scaler.scale[0]).toBeCloseTo(1, 12);
  });

  it.each(['zscore', 'minmax', 'robust'] as const)('%s round-trips through transform and inverseTransform', (scaling) => {
    const rows = [[1, 1, 15.3], [30, 4, 1234.57], [373, 1, 0.85], [2, 209, 279489.02]];
    const scaler = fitScaler(rows, ['recencyDays', 'frequency', 'monetary'], { scaling });
    for (const row of rows) {
      const back = inverseTransform(scaler, transform(scaler, row));
      back.forEach((value, j) => expect(value).toBeCloseTo(row[j]!, 8));
    }
  });

  it('survives JSON, so a stored model places new customers the same way', () => {
    const scaler = fitScaler([[1, 2], [3, 5], [8, 13]], ['x', 'y']);
    expect(transform(JSON.parse(JSON.stringify(scaler)), [4, 4])).toEqual(transform(scaler, [4, 4]));
  });

  it('rejects rows of the wrong width and values log1p cannot take', () => {
    expect(() => fitScaler([[1, 2], [3]], ['x', 'y'])).toThrow(RangeError);
    expect(() => fitScaler([[-2]], ['x'])).toThrow(RangeError);
  });
});
