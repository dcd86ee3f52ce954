import { sha256Hex } from './sha256';

/** One accepted source line, normalised. */
export interface TransactionLine {
  /**
   * Identity: SHA-256 hex over all source fields, normalised and joined with U+001F
   * (see {@link lineIdOf}). An exact repeat of a line, even written in another date or id format,
   * gets the same id, so duplicates and replays collapse.
   */
  readonly lineId: string;
  readonly invoiceNo: string;
  readonly stockCode: string;
  /** Kept as in the source (trailing spaces included): it is part of the line's identity. */
  readonly description: string;
  /** Integer. */
  readonly quantity: number;
  /** 'YYYY-MM-DDTHH:MM:SSZ': the shop's local time taken as-is, no time-zone conversion. */
  readonly invoiceDate: string;
  /** Unit price in thousandths of the currency unit, exact. */
  readonly unitPriceMilli: number;
  /** Trimmed, '17850.0' -> '17850'; null when the source has none. */
  readonly customerId: string | null;
  readonly country: string;
}

/** The fields that make up a line's identity. */
export type TransactionLineFields = Omit<TransactionLine, 'lineId'>;

const SEPARATOR = '\u001f';

/**
 * The identity of a line: SHA-256 hex of its normalised fields in canonical column order,
 * joined with U+001F (quantity and price as integers, a missing customer id as '').
 */
export function lineIdOf(fields: TransactionLineFields): string {
  return sha256Hex(
    fields.invoiceNo + SEPARATOR +
      fields.stockCode + SEPARATOR +
      fields.description + SEPARATOR +
      String(fields.quantity) + SEPARATOR +
      fields.invoiceDate + SEPARATOR +
      String(fields.unitPriceMilli) + SEPARATOR +
      (fields.customerId ?? '') + SEPARATOR +
      fields.country,
  );
}

/** Builds a line from already-normalised fields, computing its identity. */
export function makeTransactionLine(fields: TransactionLineFields): TransactionLine {
  return { lineId: lineIdOf(fields), ...fields };
}

/** A line as read from a source row: the line and the row's line number in its file. */
export interface SourceLine extends TransactionLine {
  readonly lineNumber: number;
}

/** What a line means for the metrics (product.md, cleaning rules 3 and 4). */
export type LineKind = 'purchase' | 'cancellation' | 'adjustment' | 'other';

/**
 * Classifies a line: invoice prefix 'C' = cancellation, 'A' = bad-debt adjustment; otherwise a
 * purchase when quantity > 0 and unit price > 0, else 'other' (zero price, negative quantity).
 */
export function classifyLine(line: Pick<TransactionLine, 'invoiceNo' | 'quantity' | 'unitPriceMilli'>): LineKind {
  const prefix = line.invoiceNo.charAt(0);
  if (prefix === 'C' || prefix === 'c') return 'cancellation';
  if (prefix === 'A' || prefix === 'a') return 'adjustment';
  return line.quantity > 0 && line.unitPriceMilli > 0 ? 'purchase' : 'other';
}

/** Line amount = quantity x unit price, in thousandths (exact integer; negative for cancellations). */
export function lineAmountMilli(line: Pick<TransactionLine, 'quantity' | 'unitPriceMilli'>): number {
  return line.quantity * line.unitPriceMilli;
}
