import { makeTransactionLine, type TransactionLine, type TransactionLineFields } from '@seg/domain-transactions';
import { aggregateCustomers } from './customer-metrics';

function line(overrides: Partial<TransactionLineFields>): TransactionLine {
  return makeTransactionLine({
    invoiceNo: '536365', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6,
    invoiceDate: '2010-12-01T08:26:00Z', unitPriceMilli: 2550, customerId: '17850', country: 'United Kingdom',
    ...overrides,
  });
}

// Customer 17850: invoice 536365 (two lines: 6 x 2.55 = 15.30 and 2 x 0.10 = 0.20), the first line
// repeated, invoice 536366 (1 x 0.20), a cancellation of one 2.55 item, plus lines cleaning drops.
const lines: TransactionLine[] = [
  line({}),
  line({ stockCode: '71053', quantity: 2, unitPriceMilli: 100 }),
  line({}), // exact duplicate
  line({ invoiceNo: '536366', stockCode: '22633', quantity: 1, unitPriceMilli: 200, invoiceDate: '2010-12-03T10:00:00Z' }),
  line({ invoiceNo: 'C536379', quantity: -1, invoiceDate: '2010-12-04T09:41:00Z' }),
  line({ invoiceNo: 'C536379', quantity: -1, invoiceDate: '2010-12-04T09:41:00Z' }), // duplicate cancellation
  line({ invoiceNo: 'A563185', stockCode: 'B', quantity: 1, unitPriceMilli: 11062060 }),
  line({ invoiceNo: '536414', stockCode: '22139', quantity: 56, unitPriceMilli: 0 }), // zero price
  line({ invoiceNo: '536415', quantity: -3 }), // negative quantity without C prefix
  line({ customerId: null, invoiceNo: '536544' }), // not attributable
  line({ customerId: null, invoiceNo: 'C536545', quantity: -1 }),
  line({ customerId: '12346', invoiceNo: 'C541433', quantity: -74215, unitPriceMilli: 1040 }), // cancellation only
];

describe('aggregateCustomers', () => {
  const { customers, quality } = aggregateCustomers(lines);

  it('aggregates purchases per customer', () => {
    expect(customers).toEqual([
      {
        customerId: '17850',
        country: 'United Kingdom',
        firstPurchaseAt: '2010-12-01T08:26:00Z',
        lastPurchaseAt: '2010-12-03T10:00:00Z',
        frequency: 2, // 536365 and 536366
        monetaryMilli: 15700, // 15.30 + 0.20 + 0.20 = 15.70; the duplicate is not added
        cancelledMilli: 2550, // |-1 x 2.55|, the repeated cancellation counted once
      },
    ]);
  });

  it('reports every cleaning step, each line in exactly one', () => {
    expect(quality).toEqual({
      totalLines: 12,
      byKind: { purchase: 5, cancellation: 4, adjustment: 1, other: 2 }, // before cleaning
      missingCustomer: 2,
      duplicates: 2,
      cancellations: 2, // 17850's and 12346's
      adjustments: 1,
      otherLines: 2,
      nonPositiveQuantity: 1,
      zeroPrice: 1,
      negativePrice: 0,
      purchases: 3,
      purchaseInvoices: 2,
      customers: 1,
      customersWithoutPurchase: 1, // 12346 only cancelled
      purchaseMilli: 15700,
      cancelledMilli: 2550 + 74215 * 1040, // 2.55 + 74,215 x 1.04 = 77,186.15
    });
    const q = quality;
    expect(q.missingCustomer + q.duplicates + q.cancellations + q.adjustments + q.otherLines + q.purchases).toBe(q.totalLines);
  });

  it('does not depend on the order of the lines', () => {
    expect(aggregateCustomers([...lines].reverse())).toEqual({ customers, quality });
  });

  it('is idempotent under a full replay of the same lines', () => {
    const replayed = aggregateCustomers([...lines, ...lines]);
    expect(replayed.customers).toEqual(customers);
    expect(replayed.quality.duplicates).toBe(quality.duplicates + 10); // the 10 attributable lines again
  });

  it('keeps money exact: 0.1 + 0.2 is 300 milli', () => {
    const result = aggregateCustomers([
      line({ stockCode: 'X1', quantity: 1, unitPriceMilli: 100 }),
      line({ stockCode: 'X2', quantity: 1, unitPriceMilli: 200 }),
    ]);
    expect(result.customers[0]?.monetaryMilli).toBe(300);
  });

  it('takes the country of the latest purchase, ties to the alphabetically first', () => {
    const result = aggregateCustomers([
      line({ country: 'United Kingdom', invoiceDate: '2011-01-01T10:00:00Z' }),
      line({ invoiceNo: '2', country: 'France', invoiceDate: '2011-02-01T10:00:00Z' }),
      line({ invoiceNo: '3', country: 'EIRE', invoiceDate: '2011-02-01T10:00:00Z' }),
    ]);
    expect(result.customers[0]?.country).toBe('EIRE');
  });
});
