import { epochMsToIso, isoToEpochMs } from '@seg/domain-transactions';

const DAY_MS = 86_400_000;

/**
 * The analysis date: the latest purchase time seen + 1 day (product.md), as 'YYYY-MM-DDTHH:MM:SSZ'.
 * Throws on an empty input: there is nothing to analyse.
 */
export function analysisDate(lastPurchaseTimes: Iterable<string>): string {
  let latest: string | undefined;
  for (const time of lastPurchaseTimes) if (latest === undefined || time > latest) latest = time;
  if (latest === undefined) throw new RangeError('analysisDate needs at least one purchase time');
  return epochMsToIso(isoToEpochMs(latest) + DAY_MS);
}

/** Whole days between a purchase time and the analysis date, rounded down. */
function wholeDaysBetween(asOf: string, earlier: string): number {
  return Math.floor((isoToEpochMs(asOf) - isoToEpochMs(earlier)) / DAY_MS);
}

/** recency_days = floor((asOf - last purchase) / 1 day). */
export function recencyDays(asOf: string, lastPurchaseAt: string): number {
  return wholeDaysBetween(asOf, lastPurchaseAt);
}

/** tenure_days = floor((asOf - first purchase) / 1 day). */
export function tenureDays(asOf: string, firstPurchaseAt: string): number {
  return wholeDaysBetween(asOf, firstPurchaseAt);
}
