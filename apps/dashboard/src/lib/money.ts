/** Sums amounts with two decimals exactly (in cents), so totals match the API's figures to the cent. */
export function sumMoney(values: readonly number[]): number {
  let cents = 0;
  for (const v of values) if (Number.isFinite(v)) cents += Math.round(v * 100);
  return cents / 100;
}

/** The median of the values (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
