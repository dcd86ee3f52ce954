import type { TransactionLineData } from '@seg/contracts-events';
import { makeTransactionLine } from '@seg/domain-transactions';

/**
 * Customer ids that are different customers to the code (exact comparison) and the same under a
 * case- and accent-insensitive collation: pairs differing only by case and only by an accent.
 */
export const LOOK_ALIKE_IDS = { lower: 'abc', upper: 'ABC', accented: 'Ä1', plain: 'A1' } as const;

const line = (customerId: string, invoiceNo: string, stockCode: string, quantity: number, unitPriceMilli: number, invoiceDate: string, country: string, lineNumber: number): TransactionLineData => ({
  ...makeTransactionLine({ invoiceNo, stockCode, description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity, invoiceDate, unitPriceMilli, customerId, country }),
  customerId,
  source: { kind: 'api', importJobId: null, lineNumber },
});

/**
 * For the rfm service's tests: lines of the look-alike customers, each with aggregates of its own
 * (purchases on different days in different countries, cancellations). The case pair shares an
 * invoice number, so that each one's frequency depends on its own row of purchase invoices.
 */
export function lookAlikeLines(): { readonly first: TransactionLineData[]; readonly second: TransactionLineData[] } {
  const { lower, upper, accented, plain } = LOOK_ALIKE_IDS;
  return {
    // One of each pair...
    first: [
      line(lower, '536365', '85123A', 6, 2_550, '2010-12-01T08:26:00Z', 'United Kingdom', 1),
      line(lower, '536370', '22728', 24, 3_750, '2010-12-01T08:45:00Z', 'France', 2),
      line(lower, 'C536379', '22728', -2, 3_750, '2010-12-02T09:41:00Z', 'France', 3),
      line(accented, '540001', '21754', 4, 1_500, '2011-01-03T10:00:00Z', 'Spain', 4),
    ],
    // ... and the other, in another batch: the upsert meets the first one's stored row, if any.
    second: [
      line(upper, '536365', '71053', 3, 4_250, '2010-12-05T11:00:00Z', 'Germany', 5),
      line(upper, '536400', '84406B', 1, 9_990, '2011-01-10T12:30:00Z', 'EIRE', 6),
      line(plain, '540002', '84029G', 10, 850, '2011-01-04T13:15:00Z', 'Portugal', 7),
      line(plain, 'C540010', '84029G', -3, 850, '2011-01-05T14:00:00Z', 'Portugal', 8),
    ],
  };
}
