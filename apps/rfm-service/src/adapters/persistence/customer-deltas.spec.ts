import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers } from '@seg/domain-rfm';
import { makeTransactionLine } from '@seg/domain-transactions';
import { customerDeltas, storedLine } from './customer-deltas';

const line = (customerId: string, invoiceNo: string, invoiceDate: string, quantity: number, unitPriceMilli: number, country: string, stockCode = 'S1'): TransactionLineData => ({
  ...makeTransactionLine({ invoiceNo, stockCode, description: 'item', quantity, invoiceDate, unitPriceMilli, customerId, country }),
  customerId,
  source: { kind: 'api', importJobId: null, lineNumber: null },
});

describe('customerDeltas', () => {
  const lines = [
    line('1', '100', '2011-01-02T10:00:00Z', 2, 1_500, 'Spain'),
    line('1', '100', '2011-01-02T10:00:00Z', 1, 3_000, 'France', 'S2'),
    line('1', '101', '2011-01-01T09:00:00Z', 1, 1_000, 'Germany'),
    line('1', 'C102', '2011-01-03T09:00:00Z', -1, 1_000, 'Germany'),
    line('2', 'C200', '2011-01-03T09:00:00Z', -3, 500, 'EIRE'),
    line('3', '300', '2011-01-03T09:00:00Z', 0, 500, 'EIRE'),
  ];

  it('sums, bounds and the latest purchase country agree with the in-memory aggregation', () => {
    const deltas = customerDeltas(lines.map(storedLine));
    const [reference] = aggregateCustomers(lines).customers;
    const one = deltas.get('1')!;
    expect(one).toEqual({ customerId: '1', invoices: new Set(['100', '101']), firstPurchaseAt: '2011-01-01T09:00:00Z', lastPurchaseAt: '2011-01-02T10:00:00Z', country: 'France', monetaryMilli: 7_000, cancelledMilli: 1_000 });
    expect(reference).toMatchObject({ customerId: '1', country: one.country, firstPurchaseAt: one.firstPurchaseAt, lastPurchaseAt: one.lastPurchaseAt, frequency: one.invoices.size, monetaryMilli: one.monetaryMilli, cancelledMilli: one.cancelledMilli });
  });

  it('gives customers without a purchase a delta without purchase fields', () => {
    const deltas = customerDeltas(lines.map(storedLine));
    expect(deltas.get('2')).toMatchObject({ invoices: new Set(), lastPurchaseAt: null, country: null, monetaryMilli: 0, cancelledMilli: 1_500 });
    expect(deltas.get('3')).toMatchObject({ invoices: new Set(), lastPurchaseAt: null, monetaryMilli: 0, cancelledMilli: 0 });
  });

  it('does not depend on the order of the lines', () => {
    expect(customerDeltas([...lines].reverse().map(storedLine)).get('1')).toEqual(customerDeltas(lines.map(storedLine)).get('1'));
  });
});
