import { analysisDate, recencyDays, tenureDays } from './analysis-date';
import { type CustomerMetrics } from './customer-metrics';
import { averageOrderValueMilli, netMonetaryMilli, returnRate, toRfmValues } from './rfm-values';

const metrics: CustomerMetrics = {
  customerId: '17850',
  country: 'United Kingdom',
  firstPurchaseAt: '2010-12-01T08:26:00Z',
  lastPurchaseAt: '2011-12-08T12:00:00Z',
  frequency: 4,
  monetaryMilli: 1234565, // 1,234.565
  cancelledMilli: 2469130, // twice the purchases: returns of goods bought before the window
};

describe('analysis date and day counts', () => {
  it('is the latest purchase time + 1 day', () => {
    expect(analysisDate(['2011-12-09T12:50:00Z', '2010-12-01T08:26:00Z', '2011-12-08T12:00:00Z'])).toBe('2011-12-10T12:50:00Z');
    expect(analysisDate(['2012-02-28T23:00:00Z'])).toBe('2012-02-29T23:00:00Z'); // leap day
  });

  it('throws when there is no purchase at all', () => {
    expect(() => analysisDate([])).toThrow(RangeError);
  });

  it('counts whole days, rounded down', () => {
    expect(recencyDays('2011-12-10T12:50:00Z', '2011-12-09T12:50:00Z')).toBe(1); // exactly 24 h
    expect(recencyDays('2011-12-10T12:50:00Z', '2011-12-09T12:51:00Z')).toBe(0); // 23 h 59 min
    expect(recencyDays('2011-12-10T12:50:00Z', '2011-12-08T12:00:00Z')).toBe(2); // 2 days 50 min
    expect(recencyDays('2011-03-28T00:00:00Z', '2011-03-27T00:00:00Z')).toBe(1); // UK clocks went forward that day: no effect
    expect(tenureDays('2011-12-10T12:50:00Z', '2010-12-01T08:26:00Z')).toBe(374); // 2010-12-01 -> 2011-12-10 is 374 days, +4 h 24 min
  });
});

describe('derived values', () => {
  it('return rate can exceed 1', () => {
    expect(returnRate(metrics)).toBe(2);
    expect(returnRate({ ...metrics, monetaryMilli: 0 })).toBe(0);
  });

  it('net monetary and average order value', () => {
    expect(netMonetaryMilli(metrics)).toBe(-1234565);
    expect(averageOrderValueMilli(metrics)).toBe(1234565 / 4);
  });

  it('gives RFM values with monetary rounded half away from zero to the cent', () => {
    expect(toRfmValues(metrics, '2011-12-10T12:50:00Z')).toEqual({
      customerId: '17850',
      recencyDays: 2,
      frequency: 4,
      monetary: 1234.57, // 1,234.565 -> 1,234.57
    });
  });
});
