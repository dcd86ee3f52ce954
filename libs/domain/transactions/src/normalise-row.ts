import { CANONICAL_COLUMNS, type ColumnMap, type CanonicalColumn } from './header';
import { parseDecimalToMilli } from './money';
import { type Result, ok, err } from './result';
import { parseSourceDate } from './source-date';
import { type SourceLine, lineIdOf } from './transaction-line';

/** A source row that was not accepted, with its line number so that it can be shown and fixed. */
export interface RowRejection {
  readonly lineNumber: number;
  /** One of {@link ROW_REJECTION_CODES} here; adapters may add their own (e.g. for CSV syntax). */
  readonly code: string;
  readonly reason: string;
  /** The row's fields written back as CSV. */
  readonly raw?: string;
}

export const ROW_REJECTION_CODES = [
  'WRONG_FIELD_COUNT',
  'MISSING_VALUE',
  'BAD_QUANTITY',
  'BAD_DATE',
  'BAD_PRICE',
] as const;
export type RowRejectionCode = (typeof ROW_REJECTION_CODES)[number];

/** Country given to a line whose country cell is empty (the dataset's own word for it). */
export const UNSPECIFIED_COUNTRY = 'Unspecified';

const INTEGER = /^[+-]?\d+(?:\.0*)?$/;
const INTEGER_LIKE_ID = /^(\d+)\.0*$/;

function minimumWidth(columns: ColumnMap): number {
  let width = 0;
  for (const column of CANONICAL_COLUMNS) width = Math.max(width, (columns[column] ?? -1) + 1);
  return width;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Trims a customer id and drops a float's '.0' ('17850.0' -> '17850'); empty -> null. */
export function normaliseCustomerId(text: string | undefined): string | null {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return null;
  return INTEGER_LIKE_ID.exec(trimmed)?.[1] ?? trimmed;
}

/**
 * Validates and normalises one data row: integer quantity, exact price (at most 3 decimals, may be
 * negative for adjustments), one of the accepted date formats, normalised customer id. Description
 * and CustomerID cells may be empty; an empty Country becomes {@link UNSPECIFIED_COUNTRY}.
 */
export function normaliseRow(
  fields: readonly string[],
  columns: ColumnMap,
  lineNumber: number,
): Result<SourceLine, RowRejection> {
  const reject = (code: RowRejectionCode, reason: string): Result<SourceLine, RowRejection> =>
    err({ lineNumber, code, reason, raw: fields.map(csvField).join(',') });

  // Without a known header width, a row must at least reach the last mapped column.
  const expected = columns.fieldCount;
  if (expected !== undefined ? fields.length !== expected : fields.length < minimumWidth(columns)) {
    return reject('WRONG_FIELD_COUNT', `expected ${expected ?? minimumWidth(columns)} fields, found ${fields.length}`);
  }
  const cell = (column: CanonicalColumn): string | undefined => {
    const index = columns[column];
    return index === undefined ? undefined : fields[index];
  };
  for (const column of ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice'] as const) {
    const value = cell(column);
    if (value === undefined || value.trim() === '') return reject('MISSING_VALUE', `${column} is empty`);
  }

  const quantityText = (cell('Quantity') ?? '').trim();
  const quantity = INTEGER.test(quantityText) ? Number(quantityText.replace(/\.0*$/, '')) : Number.NaN;
  if (!Number.isSafeInteger(quantity)) {
    return reject('BAD_QUANTITY', `Quantity "${quantityText}" is not an integer`);
  }

  const dateText = cell('InvoiceDate') ?? '';
  const invoiceDate = parseSourceDate(dateText);
  if (invoiceDate === null) {
    return reject(
      'BAD_DATE',
      `InvoiceDate "${dateText.trim()}" is not a valid date (expected YYYY-MM-DD HH:MM[:SS] or M/D/YYYY H:MM)`,
    );
  }

  const priceText = (cell('UnitPrice') ?? '').trim();
  const price = parseDecimalToMilli(priceText);
  if (!price.ok) {
    const why =
      price.error === 'TOO_MANY_DECIMALS'
        ? 'has more than 3 decimals'
        : price.error === 'OUT_OF_RANGE'
          ? 'is out of range'
          : 'is not a decimal number';
    return reject('BAD_PRICE', `UnitPrice "${priceText}" ${why}`);
  }
  if (!Number.isSafeInteger(quantity * price.value)) {
    return reject('BAD_PRICE', `Quantity x UnitPrice (${quantityText} x ${priceText}) is out of range`);
  }

  const country = (cell('Country') ?? '').trim();
  const line = {
    lineId: '',
    invoiceNo: (cell('InvoiceNo') ?? '').trim(),
    stockCode: (cell('StockCode') ?? '').trim(),
    description: cell('Description') ?? '',
    quantity: quantity === 0 ? 0 : quantity, // '-0' is a plain 0
    invoiceDate,
    unitPriceMilli: price.value,
    customerId: normaliseCustomerId(cell('CustomerID')),
    country: country === '' ? UNSPECIFIED_COUNTRY : country,
    lineNumber,
  };
  // One object per line (an import reads hundreds of thousands): its identity filled in place.
  line.lineId = lineIdOf(line);
  return ok(line);
}
