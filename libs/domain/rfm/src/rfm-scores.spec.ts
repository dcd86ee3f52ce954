import { computeCutPoints, cutPoints } from './cut-points';
import { recencyScore, higherIsBetterScore, scoreCustomer } from './rfm-scores';
import { RFM_SEGMENTS, segmentForCode } from './rfm-segments';

describe('cutPoints (numpy linear)', () => {
  it('interpolates between closest ranks: [1..5]', () => {
    // h = (n - 1) q = 4 x 0.2 = 0.8 -> 1 + 0.8 x (2 - 1) = 1.8; 4 x 0.4 = 1.6 -> 2.6; 2.4 -> 3.4; 3.2 -> 4.2
    const cuts = cutPoints([5, 3, 1, 4, 2]);
    expect(cuts[0]).toBeCloseTo(1.8, 12);
    expect(cuts[1]).toBeCloseTo(2.6, 12);
    expect(cuts[2]).toBeCloseTo(3.4, 12);
    expect(cuts[3]).toBeCloseTo(4.2, 12);
  });

  it('handles ties: [1,1,1,1,2,2,3,10]', () => {
    // n = 8: h = 1.4 -> x1..x2 = 1, 1; h = 2.8 -> 1, 1; h = 4.2 -> 2, 2; h = 5.6 -> 2 + 0.6 x (3 - 2) = 2.6
    const cuts = cutPoints([1, 1, 1, 1, 2, 2, 3, 10]);
    expect(cuts.slice(0, 3)).toEqual([1, 1, 2]);
    expect(cuts[3]).toBeCloseTo(2.6, 12);
  });

  it('of a single value is that value four times', () => {
    expect(cutPoints([7])).toEqual([7, 7, 7, 7]);
  });

  it('matches numpy bit for bit where the naive a + t(b - a) would not', () => {
    // numpy.percentile([0.1, 0.9], 80) == 0.74: numpy interpolates from the upper end when t >= 0.5
    // (0.9 - 0.8 x 0.2), while the naive 0.1 + 0.8 x 0.8 gives 0.7400000000000001.
    expect(0.1 + 0.8 * (0.9 - 0.1)).toBe(0.7400000000000001);
    expect(cutPoints([0.1, 0.9])[3]).toBe(0.74);
    // numpy.percentile([0.2, 0.7], 60) == 0.5 (naive: 0.49999999999999994)
    expect(cutPoints([0.2, 0.7])[2]).toBe(0.5);
  });

  it('throws on an empty list', () => {
    expect(() => cutPoints([])).toThrow(RangeError);
  });
});

describe('scores', () => {
  const cuts = [10, 20, 30, 40] as const;

  it('F and M: 1 + cut-points strictly below', () => {
    expect([5, 10, 10.5, 20, 40, 41].map((v) => higherIsBetterScore(v, cuts))).toEqual([1, 1, 2, 2, 4, 5]);
  });

  it('R: 5 - cut-points strictly below (recent is better)', () => {
    expect([0, 10, 11, 30, 40, 400].map((v) => recencyScore(v, cuts))).toEqual([5, 5, 4, 3, 2, 1]);
  });

  it('gives equal values equal scores, even on heavily tied data', () => {
    // frequency values [1,1,1,1,2,2,3,10] have cut-points [1, 1, 2, 2.6] (see above)
    const frequencies = [1, 1, 1, 1, 2, 2, 3, 10];
    const fc = cutPoints(frequencies);
    const scores = frequencies.map((v) => higherIsBetterScore(v, fc));
    expect(scores).toEqual([1, 1, 1, 1, 3, 3, 5, 5]); // 1: none below; 2: 1,1 below; 3: all four below
  });

  it('scores a customer into a code and its named segment', () => {
    const population = [
      { customerId: 'a', recencyDays: 1, frequency: 10, monetary: 1000 },
      { customerId: 'b', recencyDays: 10, frequency: 5, monetary: 500 },
      { customerId: 'c', recencyDays: 50, frequency: 3, monetary: 300 },
      { customerId: 'd', recencyDays: 100, frequency: 2, monetary: 200 },
      { customerId: 'e', recencyDays: 300, frequency: 1, monetary: 100 },
    ];
    const rfmCuts = computeCutPoints(population);
    // recency cuts: 4 x 0.2 = 0.8 -> 1 + 0.8 x 9 = 8.2; 1.6 -> 10 + 0.6 x 40 = 34; 2.4 -> 50 + 0.4 x 50 = 70;
    // 3.2 -> 100 + 0.2 x 200 = 140, in floats exactly numpy.percentile([1, 10, 50, 100, 300], [20, 40, 60, 80]).
    expect(rfmCuts.recency).toEqual([8.200000000000001, 34, 70, 140.00000000000003]);
    expect(scoreCustomer(population[0]!, rfmCuts)).toEqual({ r: 5, f: 5, m: 5, code: '555', segment: 'Champions' });
    expect(scoreCustomer(population[4]!, rfmCuts)).toEqual({ r: 1, f: 1, m: 1, code: '111', segment: 'Lost' });
    // b: recency 10 has 8.2 below -> R4; frequency 5 has 1.8, 2.6, 4.2 below (cuts of [1,2,3,5,10] are 1.8, 2.6, 4.2, 6) -> F4
    expect(scoreCustomer(population[1]!, rfmCuts).code).toBe('444');
  });
});

describe('named segments', () => {
  it('cover all 125 codes, each exactly once', () => {
    const all = RFM_SEGMENTS.flatMap((segment) => segment.codes);
    expect(all).toHaveLength(125);
    expect(new Set(all).size).toBe(125);
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) {
          const code = `${r}${f}${m}`;
          expect(RFM_SEGMENTS.filter((segment) => segment.codes.includes(code))).toHaveLength(1);
        }
  });

  it('have the 11 names with product.md sizes', () => {
    expect(RFM_SEGMENTS.map((s) => [s.name, s.codes.length])).toEqual([
      ['Champions', 7], ['Loyal', 8], ['Potential Loyalist', 24], ['New Customers', 7], ['Promising', 16],
      ['Need Attention', 8], ['About To Sleep', 8], ['At Risk', 22], ['Cannot Lose Them', 8], ['Hibernating', 11], ['Lost', 6],
    ]);
  });

  it('map codes to names', () => {
    expect(segmentForCode('545')).toBe('Champions');
    expect(segmentForCode('155')).toBe('Cannot Lose Them');
    expect(segmentForCode('111')).toBe('Lost');
    expect(() => segmentForCode('605')).toThrow(RangeError);
  });
});
