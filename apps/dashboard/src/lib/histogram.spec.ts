import { countHistogram, countIntoBins, linearHistogram, logEdges, logHistogram, niceStep } from './histogram';

const counts = (h: { bins: readonly { count: number }[] }) => h.bins.map((b) => b.count);

describe('niceStep', () => {
  it('rounds to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(100, 10)).toBe(10);
    expect(niceStep(373, 20)).toBe(20);
    expect(niceStep(373, 10)).toBe(50);
    expect(niceStep(0.9, 10)).toBeCloseTo(0.1);
    expect(niceStep(0, 10)).toBe(1);
  });
});

describe('countIntoBins', () => {
  it('puts a value on an edge into the bin that starts there, and the top edge into the last bin', () => {
    const h = countIntoBins([0, 1, 1.5, 2, 3], [0, 1, 2, 3], (a, b) => `${a}-${b}`);
    expect(counts(h)).toEqual([1, 2, 2]);
    expect(h.excluded).toBe(0);
    expect(h.bins[0]).toEqual({ x0: 0, x1: 1, count: 1, label: '0-1' });
  });

  it('excludes values outside the edges and values that are not numbers', () => {
    const h = countIntoBins([-1, 4, Number.NaN, 1], [0, 1, 2, 3], () => '');
    expect(counts(h)).toEqual([0, 1, 0]);
    expect(h.excluded).toBe(3);
    expect(h.total).toBe(4);
  });
});

describe('linearHistogram', () => {
  it('covers 0 to the largest value with round edges and keeps every value', () => {
    const recency = [0, 3, 7, 14, 29, 30, 88, 89];
    const h = linearHistogram(recency, 9);
    expect(h.bins[0]?.x0).toBe(0);
    expect(h.bins.every((b) => b.x1 - b.x0 === 10)).toBe(true);
    expect(h.bins[h.bins.length - 1]!.x1).toBeGreaterThan(89);
    expect(counts(h).reduce((a, b) => a + b, 0)).toBe(recency.length);
    expect(counts(h).slice(0, 4)).toEqual([3, 1, 1, 1]);
    expect(h.bins[1]?.label).toBe('10–20');
  });

  it('keeps whole-number bins at least one wide and labels them by their values', () => {
    const days = linearHistogram([1, 1, 2, 3], 20, true);
    expect(days.bins.map((b) => b.label)).toEqual(['0', '1', '2', '3']);
    expect(counts(days)).toEqual([0, 2, 1, 1]);
    expect(linearHistogram([0, 5, 373], 20, true).bins[1]?.label).toBe('20–39');
  });

  it('returns no bins for no values', () => {
    expect(linearHistogram([]).bins).toEqual([]);
  });
});

describe('logHistogram', () => {
  it('uses 1-2-5 edges per decade around the data', () => {
    expect(logEdges(3.5, 180)).toEqual([2, 5, 10, 20, 50, 100, 200]);
    expect(logEdges(1, 1)).toEqual([1, 2]);
    expect(logEdges(0.15, 0.4)).toEqual([0.1, 0.2, 0.5]);
    expect(logEdges(10, 99)).toEqual([10, 20, 50, 100]);
  });

  it('bins monetary values on a log scale and excludes zero or negative amounts', () => {
    const monetary = [15.3, 19.99, 20, 45, 120.5, 980, 1500, 0, -3.2];
    const h = logHistogram(monetary);
    expect(h.bins.map((b) => b.label)).toEqual(['10–20', '20–50', '50–100', '100–200', '200–500', '500–1k', '1k–2k']);
    expect(counts(h)).toEqual([2, 2, 0, 1, 0, 1, 1]);
    expect(h.excluded).toBe(2);
  });
});

describe('countHistogram', () => {
  it('has one bin per order count up to 5, then widening bins', () => {
    const frequency = [1, 1, 1, 2, 3, 5, 6, 10, 11, 37, 120];
    const h = countHistogram(frequency);
    expect(h.bins.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5', '6–10', '11–20', '21–50', '51–100', '101–200']);
    expect(counts(h)).toEqual([3, 1, 1, 0, 1, 2, 1, 1, 0, 1]);
  });

  it('stops at the bin that holds the largest value', () => {
    expect(countHistogram([1, 2]).bins.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5']);
    expect(countHistogram([0, 1]).excluded).toBe(1);
  });
});
