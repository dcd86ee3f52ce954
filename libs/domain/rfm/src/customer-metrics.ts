import { type LineKind, type TransactionLine, classifyLine, lineAmountMilli } from '@seg/domain-transactions';

/** Per-customer facts over the cleaned lines, for a customer with at least one purchase. */
export interface CustomerMetrics {
  readonly customerId: string;
  /** Country of the latest purchase (ties: the alphabetically first), so the order of lines does not matter. */
  readonly country: string;
  readonly firstPurchaseAt: string;
  readonly lastPurchaseAt: string;
  /** Distinct purchase invoices. */
  readonly frequency: number;
  /** Sum of purchase amounts, in thousandths. */
  readonly monetaryMilli: number;
  /** |sum of cancellation amounts|, in thousandths (positive). */
  readonly cancelledMilli: number;
}

/**
 * What cleaning did with the input. Each line lands in exactly one funnel step, in this order:
 * missingCustomer, duplicates, cancellations, adjustments, otherLines, purchases; their sum is totalLines.
 */
export interface QualityReport {
  readonly totalLines: number;
  /** Kinds of all input lines before cleaning (e.g. every cancellation, with or without customer). */
  readonly byKind: Readonly<Record<LineKind, number>>;
  /** Lines without a customer id: not attributable, not used (rule 1). */
  readonly missingCustomer: number;
  /** Exact repeats (same lineId) among lines with a customer id: counted once (rule 2). */
  readonly duplicates: number;
  /** Cancellation lines: not purchases, their amount goes to the customer's cancelledMilli (rule 3). */
  readonly cancellations: number;
  /** Bad-debt adjustment lines ('A' prefix): reported, not used (rule 3). */
  readonly adjustments: number;
  /** Non-cancellation lines with quantity <= 0 or unit price <= 0 (rule 4) = the three counts below. */
  readonly otherLines: number;
  readonly nonPositiveQuantity: number;
  /** Quantity > 0 and price = 0 (free items, samples). */
  readonly zeroPrice: number;
  /** Quantity > 0 and price < 0 outside adjustments. */
  readonly negativePrice: number;
  /** Lines used as purchases. */
  readonly purchases: number;
  readonly purchaseInvoices: number;
  /** Customers with at least one purchase (those in `customers`). */
  readonly customers: number;
  /** Customer ids seen on used lines with no purchase (e.g. only cancellations). */
  readonly customersWithoutPurchase: number;
  readonly purchaseMilli: number;
  /** |sum of cancellation amounts| over the counted cancellations. */
  readonly cancelledMilli: number;
}

interface Accumulator {
  country: string;
  firstPurchaseAt: string;
  lastPurchaseAt: string;
  invoices: Set<string>;
  monetaryMilli: number;
  cancellationSumMilli: number;
}

function newAccumulator(): Accumulator {
  return { country: '', firstPurchaseAt: '', lastPurchaseAt: '', invoices: new Set(), monetaryMilli: 0, cancellationSumMilli: 0 };
}

/**
 * Applies product.md's cleaning rules and aggregates purchases per customer. Customers come out
 * sorted by id; the result does not depend on the order of the lines.
 */
export function aggregateCustomers(lines: Iterable<TransactionLine>): {
  customers: CustomerMetrics[];
  quality: QualityReport;
} {
  const byKind: Record<LineKind, number> = { purchase: 0, cancellation: 0, adjustment: 0, other: 0 };
  let totalLines = 0, missingCustomer = 0, duplicates = 0, cancellations = 0, adjustments = 0;
  let nonPositiveQuantity = 0, zeroPrice = 0, negativePrice = 0, purchases = 0;
  let purchaseMilli = 0, cancellationSumMilli = 0;
  const seen = new Set<string>();
  const invoices = new Set<string>();
  const byCustomer = new Map<string, Accumulator>();
  const accumulatorOf = (customerId: string): Accumulator => {
    let acc = byCustomer.get(customerId);
    if (acc === undefined) {
      acc = newAccumulator();
      byCustomer.set(customerId, acc);
    }
    return acc;
  };

  for (const line of lines) {
    totalLines++;
    const kind = classifyLine(line);
    byKind[kind]++;
    const customerId = line.customerId;
    if (customerId === null) {
      missingCustomer++;
      continue;
    }
    if (seen.has(line.lineId)) {
      duplicates++;
      continue;
    }
    seen.add(line.lineId);
    const amount = lineAmountMilli(line);
    switch (kind) {
      case 'cancellation': {
        cancellations++;
        cancellationSumMilli += amount;
        accumulatorOf(customerId).cancellationSumMilli += amount;
        break;
      }
      case 'adjustment':
        adjustments++;
        break;
      case 'other':
        if (line.quantity <= 0) nonPositiveQuantity++;
        else if (line.unitPriceMilli === 0) zeroPrice++;
        else negativePrice++;
        break;
      case 'purchase': {
        purchases++;
        purchaseMilli += amount;
        invoices.add(line.invoiceNo);
        const acc = accumulatorOf(customerId);
        acc.monetaryMilli += amount;
        acc.invoices.add(line.invoiceNo);
        if (acc.firstPurchaseAt === '' || line.invoiceDate < acc.firstPurchaseAt) acc.firstPurchaseAt = line.invoiceDate;
        if (acc.lastPurchaseAt === '' || line.invoiceDate > acc.lastPurchaseAt) {
          acc.lastPurchaseAt = line.invoiceDate;
          acc.country = line.country;
        } else if (line.invoiceDate === acc.lastPurchaseAt && line.country < acc.country) {
          acc.country = line.country;
        }
        break;
      }
    }
  }

  const customers: CustomerMetrics[] = [];
  let customersWithoutPurchase = 0;
  const ids = [...byCustomer.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const customerId of ids) {
    const acc = byCustomer.get(customerId)!;
    if (acc.invoices.size === 0) {
      customersWithoutPurchase++;
      continue;
    }
    customers.push({
      customerId,
      country: acc.country,
      firstPurchaseAt: acc.firstPurchaseAt,
      lastPurchaseAt: acc.lastPurchaseAt,
      frequency: acc.invoices.size,
      monetaryMilli: acc.monetaryMilli,
      cancelledMilli: Math.abs(acc.cancellationSumMilli),
    });
  }

  return {
    customers,
    quality: {
      totalLines,
      byKind,
      missingCustomer,
      duplicates,
      cancellations,
      adjustments,
      otherLines: nonPositiveQuantity + zeroPrice + negativePrice,
      nonPositiveQuantity,
      zeroPrice,
      negativePrice,
      purchases,
      purchaseInvoices: invoices.size,
      customers: customers.length,
      customersWithoutPurchase,
      purchaseMilli,
      cancelledMilli: Math.abs(cancellationSumMilli),
    },
  };
}
