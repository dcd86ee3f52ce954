import { classifyLine, lineAmountMilli, type LineKind } from '@seg/domain-transactions';
import { toSqlDateTime } from '@seg/platform-persistence';
import type { RecordableLine } from '../../application/record-lines';

/** A line as the rfm repository stores it: its kind, amount and DATETIME literal computed once. */
export interface StoredLine {
  readonly lineId: string;
  readonly customerId: string;
  readonly invoiceNo: string;
  readonly kind: LineKind;
  /** ISO instant, as in the events. */
  readonly invoiceDate: string;
  /** The same instant as a DATETIME literal. */
  readonly sqlDate: string;
  /** Quantity x unit price, in thousandths (negative for cancellations). */
  readonly amountMilli: number;
  readonly country: string;
}

/** A line as the repository works with it: its kind, amount and DATETIME computed once (the LOAD DATA row, the point reads and the deltas all need them). */
export const storedLine = (line: RecordableLine): StoredLine => ({
  lineId: line.lineId,
  customerId: line.customerId,
  invoiceNo: line.invoiceNo,
  kind: classifyLine(line),
  invoiceDate: line.invoiceDate,
  sqlDate: toSqlDateTime(line.invoiceDate),
  amountMilli: lineAmountMilli(line),
  country: line.country,
});

/**
 * What lines not stored before add to one customer's aggregates. Every part merges with the stored
 * aggregates whatever the order of arrival: sums add up, first and last purchase are a minimum and
 * a maximum, and the country is that of the latest purchase, ties going to the first in code point
 * order (as aggregateCustomers in @seg/domain-rfm does). The frequency is not a sum: the
 * repository stores the purchase invoices and counts those of the customer.
 */
export interface CustomerDelta {
  readonly customerId: string;
  /** Purchase invoices among the new lines. */
  readonly invoices: Set<string>;
  /** Null when the new lines hold no purchase. */
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  /** Country of the latest new purchase (ties: the first in code point order); null without a purchase. */
  country: string | null;
  monetaryMilli: number;
  /** Minus the sum of the new cancellation lines' amounts (positive for ordinary cancellations). */
  cancelledMilli: number;
}

/** Code point order for the country tie rule: the same as MariaDB's utf8mb4_bin for every character outside the surrogate range. */
const before = (a: string, b: string): boolean => a < b;

/**
 * Folds lines not stored before (each line once) into one delta per customer, in the order the
 * customers first appear. Lines that are neither purchases nor cancellations change nothing, but
 * their customers still get a (neutral) delta: they were touched.
 */
export function customerDeltas(lines: readonly StoredLine[]): Map<string, CustomerDelta> {
  const deltas = new Map<string, CustomerDelta>();
  for (const line of lines) {
    let delta = deltas.get(line.customerId);
    if (delta === undefined) {
      delta = { customerId: line.customerId, invoices: new Set(), firstPurchaseAt: null, lastPurchaseAt: null, country: null, monetaryMilli: 0, cancelledMilli: 0 };
      deltas.set(line.customerId, delta);
    }
    const { kind } = line;
    if (kind === 'cancellation') delta.cancelledMilli -= line.amountMilli;
    if (kind !== 'purchase') continue;
    delta.invoices.add(line.invoiceNo);
    delta.monetaryMilli += line.amountMilli;
    if (delta.firstPurchaseAt === null || line.invoiceDate < delta.firstPurchaseAt) delta.firstPurchaseAt = line.invoiceDate;
    if (delta.lastPurchaseAt === null || line.invoiceDate > delta.lastPurchaseAt) {
      delta.lastPurchaseAt = line.invoiceDate;
      delta.country = line.country;
    } else if (line.invoiceDate === delta.lastPurchaseAt && before(line.country, delta.country ?? line.country)) {
      delta.country = line.country;
    }
  }
  return deltas;
}
