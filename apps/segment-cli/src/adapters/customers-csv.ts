import { formatMoney } from '@seg/domain-transactions';
import { csvRow } from '@seg/platform-csv';
import type { CustomerRow } from '../application/segment-customers';

/** The columns of customers.csv, in order. */
export const CUSTOMER_COLUMNS = [
  'customer_id',
  'recency_days',
  'frequency',
  'monetary',
  'return_rate',
  'tenure_days',
  'r',
  'f',
  'm',
  'rfm_segment',
  'cluster',
  'segment_name',
  'coupon',
] as const;

/** A ratio with at most 4 decimals and no trailing zeros: 0.25, 1, 0.0884. */
export function formatRate(rate: number): string {
  return String(Number(rate.toFixed(4)));
}

/** The header line of customers.csv. */
export function customersCsvHeader(): string {
  return csvRow(CUSTOMER_COLUMNS);
}

/**
 * One customer as a customers.csv line. Monetary is exact to the cent (from thousandths, half
 * away from zero); the coupon is the offer of the customer's segment.
 */
export function customerCsvLine(c: CustomerRow): string {
  return csvRow([
    c.customerId,
    c.recency_days,
    c.frequency,
    formatMoney(c.monetaryMilli),
    formatRate(c.return_rate),
    c.tenure_days,
    c.r,
    c.f,
    c.m,
    c.rfmSegment,
    c.cluster,
    c.segmentName,
    c.coupon.offer,
  ]);
}
