import { DEFAULT_COUPON_RULES } from '@seg/domain-profiling';
import type { CustomerRow } from '../application/segment-customers';
import { customerCsvLine, formatRate } from './customers-csv';

describe('customers.csv lines', () => {
  it('writes rates with at most 4 decimals and no trailing zeros', () => {
    expect([0, 1, 0.25, 1.5, 2 / 3, 0.00004].map(formatRate)).toEqual(['0', '1', '0.25', '1.5', '0.6667', '0']);
  });

  it('defuses a customer id that a spreadsheet would run as a formula, and rounds money half away from zero', () => {
    const row: CustomerRow = {
      customerId: '=HYPERLINK("http://example.com")',
      country: 'United Kingdom',
      recency_days: 3,
      frequency: 2,
      monetary: 10.01,
      return_rate: 0,
      tenure_days: 9,
      monetaryMilli: 10_005, // 10.005 -> 10.01
      cancelledMilli: 0,
      r: 5,
      f: 3,
      m: 1,
      code: '531',
      rfmSegment: 'Potential Loyalist',
      cluster: 0,
      segmentName: '-Potential Loyalist',
      coupon: DEFAULT_COUPON_RULES[2]!,
    };
    expect(customerCsvLine(row)).toBe(
      `"'=HYPERLINK(""http://example.com"")",3,2,10.01,0,9,5,3,1,Potential Loyalist,0,'-Potential Loyalist,loyalty-programme enrolment bonus; cross-category coupon\r\n`,
    );
  });
});
