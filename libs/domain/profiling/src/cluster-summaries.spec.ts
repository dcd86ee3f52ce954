import { summariseClusters, summarisePopulation, type ProfileInput } from './cluster-summaries';

function customer(customerId: string, recencyDays: number, frequency: number, monetaryMilli: number, country: string): ProfileInput {
  return { customerId, recencyDays, frequency, monetary: monetaryMilli / 1000, monetaryMilli, country };
}

const customers = [
  customer('a', 2, 10, 5_000_000, 'United Kingdom'),
  customer('b', 5, 8, 3_000_000, 'France'),
  customer('c', 200, 1, 100_000, 'United Kingdom'),
  customer('d', 300, 1, 50_000, 'Germany'),
  customer('e', 150, 2, 350_000, 'Germany'),
];

describe('summarisePopulation', () => {
  it('gives size, exact revenue, medians and cut-points', () => {
    const population = summarisePopulation(customers);
    expect(population.customers).toBe(5);
    expect(population.revenueMilli).toBe(8_500_000); // 5,000 + 3,000 + 100 + 50 + 350
    // sorted recency 2, 5, 150, 200, 300 -> median 150; frequency 1, 1, 2, 8, 10 -> 2; monetary -> 350
    expect(population.medians).toEqual({ recencyDays: 150, frequency: 2, monetary: 350 });
    // frequency cut-points: h = 0.8, 1.6, 2.4, 3.2 -> 1, 1 + 0.6 x 1 = 1.6, 2 + 0.4 x 6 = 4.4, 8 + 0.2 x 2 = 8.4
    expect(population.cutPoints.frequency.map((c) => Math.round(c * 1e9) / 1e9)).toEqual([1, 1.6, 4.4, 8.4]);
  });
});

describe('summariseClusters', () => {
  const centroids = [
    { recencyDays: 3.2, frequency: 8.9, monetary: 3873 },
    { recencyDays: 210, frequency: 1.3, monetary: 130 },
    { recencyDays: 0, frequency: 0, monetary: 0 },
  ];
  const profiles = summariseClusters(customers, [0, 0, 1, 1, 1], centroids);

  it('sums sizes and revenue per cluster and gives shares', () => {
    expect(profiles.map((p) => [p.cluster, p.size, p.revenueMilli])).toEqual([
      [0, 2, 8_000_000],
      [1, 3, 500_000],
      [2, 0, 0], // an empty cluster
    ]);
    expect(profiles[0]!.revenueShare).toBeCloseTo(8 / 8.5, 12);
    expect(profiles[1]!.customerShare).toBe(0.6);
  });

  it('gives medians and top countries (most customers, then alphabetical)', () => {
    // cluster 1: recency 150, 200, 300 -> 200; frequency 1, 1, 2 -> 1; monetary 50, 100, 350 -> 100
    expect(profiles[1]!.medians).toEqual({ recencyDays: 200, frequency: 1, monetary: 100 });
    expect(profiles[1]!.topCountries).toEqual([{ country: 'Germany', customers: 2 }, { country: 'United Kingdom', customers: 1 }]);
    expect(profiles[0]!.topCountries).toEqual([{ country: 'France', customers: 1 }, { country: 'United Kingdom', customers: 1 }]);
  });

  it('refuses labels without a centroid', () => {
    expect(() => summariseClusters(customers, [0, 0, 1, 1, 5], centroids)).toThrow(RangeError);
  });
});
