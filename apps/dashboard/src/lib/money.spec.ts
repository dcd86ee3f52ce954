import { median, sumMoney } from './money';

describe('money', () => {
  it('adds amounts to the cent without float drift', () => {
    expect(sumMoney([0.1, 0.2])).toBe(0.3);
    expect(sumMoney(Array.from({ length: 1000 }, () => 2.55))).toBe(2550);
    expect(sumMoney([1, Number.NaN])).toBe(1);
  });

  it('takes the median', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
