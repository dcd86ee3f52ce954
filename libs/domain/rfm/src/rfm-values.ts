import { milliToUnits } from '@seg/domain-transactions';
import { recencyDays } from './analysis-date';
import { type CustomerMetrics } from './customer-metrics';

/** The three RFM inputs of one customer. */
export interface RfmValues {
  readonly customerId: string;
  readonly recencyDays: number;
  readonly frequency: number;
  /** Currency units, rounded to 2 decimals (half away from zero). */
  readonly monetary: number;
}

/** return_rate = |cancelled amount| / monetary; it can exceed 1 when goods bought before the data window come back. */
export function returnRate(m: CustomerMetrics): number {
  return m.monetaryMilli === 0 ? 0 : m.cancelledMilli / m.monetaryMilli;
}

/** Monetary net of cancellations, in thousandths (may be negative). */
export function netMonetaryMilli(m: CustomerMetrics): number {
  return m.monetaryMilli - m.cancelledMilli;
}

/** Average order value = monetary / frequency, in thousandths (not rounded). */
export function averageOrderValueMilli(m: CustomerMetrics): number {
  return m.frequency === 0 ? 0 : m.monetaryMilli / m.frequency;
}

/** The customer's recency, frequency and monetary as of the analysis date. */
export function toRfmValues(m: CustomerMetrics, asOf: string): RfmValues {
  return {
    customerId: m.customerId,
    recencyDays: recencyDays(asOf, m.lastPurchaseAt),
    frequency: m.frequency,
    monetary: milliToUnits(m.monetaryMilli),
  };
}
