import { type Result, ok, err } from './result';

/** The source columns in canonical order (the order of the UCI Online Retail file). */
export const CANONICAL_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;

export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/**
 * Columns a file must have. Description is optional: it only describes the product and a line
 * is usable without it. CustomerID is required as a column even though its cells may be empty,
 * so that a file lacking it is not silently read as "no customers".
 */
export const REQUIRED_COLUMNS: readonly CanonicalColumn[] = CANONICAL_COLUMNS.filter(
  (column) => column !== 'Description',
);

/** Header names each canonical column accepts (product.md), compared case- and space-insensitively. */
export const COLUMN_ALIASES: Readonly<Record<CanonicalColumn, readonly string[]>> = {
  InvoiceNo: ['InvoiceNo', 'Invoice'],
  StockCode: ['StockCode'],
  Description: ['Description'],
  Quantity: ['Quantity'],
  InvoiceDate: ['InvoiceDate'],
  UnitPrice: ['UnitPrice', 'Price'],
  CustomerID: ['CustomerID', 'Customer ID'],
  Country: ['Country'],
};

/**
 * Where each canonical column sits in a row (undefined: absent). `fieldCount`, when known (set by
 * {@link resolveHeader}), is the header's width: rows of another width are rejected.
 */
export type ColumnMap = Readonly<Record<CanonicalColumn, number | undefined>> & { readonly fieldCount?: number };

export interface HeaderError {
  readonly code: 'MISSING_COLUMN' | 'DUPLICATE_COLUMN';
  readonly column: string;
  readonly message: string;
}

// Spaces, underscores and hyphens are ignored so that 'Customer ID', 'customer_id' and
// 'CustomerID' all match.
function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

const BY_KEY: ReadonlyMap<string, CanonicalColumn> = new Map(
  CANONICAL_COLUMNS.flatMap((column) => COLUMN_ALIASES[column].map((alias) => [headerKey(alias), column] as const)),
);

// A UTF-8 BOM, as read by a UTF-8 decoder (U+FEFF) or by an ISO-8859-1 decoder ('ï»¿').
const BOM = /^(?:\uFEFF|\u00EF\u00BB\u00BF)/;

function aliasText(column: CanonicalColumn): string {
  const others = COLUMN_ALIASES[column].slice(1);
  return others.length === 0 ? '' : ` (or ${others.join(', ')})`;
}

/**
 * Maps header cells to canonical columns: accepts the aliases of {@link COLUMN_ALIASES}, ignores
 * case, spaces and unknown columns, strips a byte-order mark from the first cell. Fails on a
 * missing required column or a column given twice.
 */
export function resolveHeader(header: readonly string[]): Result<ColumnMap, HeaderError> {
  const found = new Map<CanonicalColumn, { index: number; name: string }>();
  for (let index = 0; index < header.length; index++) {
    let name = header[index] ?? '';
    if (index === 0) name = name.replace(BOM, '');
    const column = BY_KEY.get(headerKey(name));
    if (column === undefined) continue;
    const previous = found.get(column);
    if (previous !== undefined) {
      return err({
        code: 'DUPLICATE_COLUMN',
        column,
        message: `column "${column}" is given twice (as "${previous.name.trim()}" and "${name.trim()}")`,
      });
    }
    found.set(column, { index, name });
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!found.has(column)) {
      return err({
        code: 'MISSING_COLUMN',
        column,
        message: `required column "${column}"${aliasText(column)} is missing`,
      });
    }
  }
  const map = Object.fromEntries(CANONICAL_COLUMNS.map((column) => [column, found.get(column)?.index])) as Record<
    CanonicalColumn,
    number | undefined
  >;
  return ok({ ...map, fieldCount: header.length });
}
