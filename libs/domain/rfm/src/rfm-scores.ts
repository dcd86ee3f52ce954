import { type CutPoints, type RfmCutPoints } from './cut-points';
import { type RfmSegmentName, segmentForCode } from './rfm-segments';
import { type RfmValues } from './rfm-values';

/** R, F and M scores (1..5, 5 = best), their code and named segment. */
export interface RfmScore {
  readonly r: number;
  readonly f: number;
  readonly m: number;
  /** The three digits, e.g. '545'. */
  readonly code: string;
  readonly segment: RfmSegmentName;
}

function cutsStrictlyBelow(value: number, cuts: CutPoints): number {
  let count = 0;
  for (const cut of cuts) if (cut < value) count++;
  return count;
}

/** F and M score: 1 + the number of cut-points strictly below the value (equal values, equal scores). */
export function higherIsBetterScore(value: number, cuts: CutPoints): number {
  return 1 + cutsStrictlyBelow(value, cuts);
}

/** R score: 5 - the number of cut-points strictly below recency_days (recent is better). */
export function recencyScore(recencyDaysValue: number, cuts: CutPoints): number {
  return 5 - cutsStrictlyBelow(recencyDaysValue, cuts);
}

/** Scores one customer against the population's cut-points (product.md). */
export function scoreCustomer(v: Omit<RfmValues, 'customerId'>, cuts: RfmCutPoints): RfmScore {
  const r = recencyScore(v.recencyDays, cuts.recency);
  const f = higherIsBetterScore(v.frequency, cuts.frequency);
  const m = higherIsBetterScore(v.monetary, cuts.monetary);
  const code = `${r}${f}${m}`;
  return { r, f, m, code, segment: segmentForCode(code) };
}
