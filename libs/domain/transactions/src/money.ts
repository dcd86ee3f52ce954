// Money is carried as integers in thousandths of the currency unit ("milli"): the source has
// prices such as 0.001, and integer sums never let float error move a cent.

import { type Result, ok, err } from './result';

/** Why a decimal text could not become an exact milli amount. */
export type DecimalProblem = 'NOT_A_NUMBER' | 'TOO_MANY_DECIMALS' | 'OUT_OF_RANGE';

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a plain decimal text ('2.55', '-11062.06', '.5', '1e-3') into exact thousandths,
 * without going through a float. More than 3 significant decimals is a problem, not a rounding.
 */
export function parseDecimalToMilli(text: string): Result<number, DecimalProblem> {
  const match = DECIMAL.exec(text.trim());
  if (!match) return err('NOT_A_NUMBER');
  const sign = match[1] === '-' ? -1 : 1;
  const intDigits = match[2] ?? '';
  const fracDigits = match[3] ?? '';
  if (intDigits === '' && fracDigits === '') return err('NOT_A_NUMBER');
  const exponent = match[4] === undefined ? 0 : Number(match[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return err('OUT_OF_RANGE');

  // Shift the decimal point by the exponent on the digit string itself.
  const digits = intDigits + fracDigits;
  const pointAt = intDigits.length + exponent;
  let whole: string;
  let fraction: string;
  if (pointAt <= 0) {
    whole = '';
    fraction = '0'.repeat(-pointAt) + digits;
  } else if (pointAt >= digits.length) {
    whole = digits + '0'.repeat(pointAt - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, pointAt);
    fraction = digits.slice(pointAt);
  }
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > 3) return err('TOO_MANY_DECIMALS');
  const milliText = (whole.replace(/^0+/, '') || '0') + fraction.padEnd(3, '0');
  const magnitude = Number(milliText);
  if (!Number.isSafeInteger(magnitude)) return err('OUT_OF_RANGE');
  return ok(magnitude === 0 ? 0 : sign * magnitude);
}

/** Rounds thousandths to whole cents (hundredths), half away from zero: 5 milli -> 1 cent, -5 -> -1. */
export function roundMilliToCents(milli: number): number {
  const cents = Math.floor((Math.abs(milli) + 5) / 10);
  return milli < 0 && cents !== 0 ? -cents : cents;
}

function centsText(milli: number, group: boolean): string {
  const cents = roundMilliToCents(milli);
  const abs = Math.abs(cents);
  let units = String(Math.floor(abs / 100));
  if (group) units = units.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = String(abs % 100).padStart(2, '0');
  return `${cents < 0 ? '-' : ''}${units}.${frac}`;
}

/** Formats thousandths as currency units with 2 decimals, rounded half away from zero: 1234567 -> '1234.57'. */
export function formatMoney(milli: number): string {
  return centsText(milli, false);
}

/** Like {@link formatMoney} with thousands separators, for text meant for people: 5210000 -> '5,210.00'. */
export function formatMoneyGrouped(milli: number): string {
  return centsText(milli, true);
}

/** Currency units (2 decimals) as a number, for metrics and charts: 1234567 -> 1234.57. */
export function milliToUnits(milli: number): number {
  return roundMilliToCents(milli) / 100;
}
