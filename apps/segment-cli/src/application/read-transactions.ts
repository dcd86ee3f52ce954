import {
  err,
  normaliseRow,
  ok,
  resolveHeader,
  type ColumnMap,
  type HeaderError,
  type Result,
  type RowRejection,
  type TransactionLine,
} from '@seg/domain-transactions';

/** One item read from a CSV source: its header, a data row, or a row that could not be split into fields. */
export type SourceRecord =
  | { readonly kind: 'header'; readonly fields: readonly string[] }
  | { readonly kind: 'row'; readonly fields: readonly string[]; readonly lineNumber: number }
  | { readonly kind: 'unreadable'; readonly lineNumber: number; readonly reason: string; readonly raw: string };

/** Code of a row the CSV reader could not split (a broken or unclosed quote). */
export const UNREADABLE_ROW = 'UNREADABLE_ROW';

/** Rows that were not accepted: how many, by code, and the first few with line number and reason. */
export interface RejectedRows {
  readonly count: number;
  readonly byCode: Readonly<Record<string, number>>;
  readonly examples: readonly RowRejection[];
}

export interface ReadTransactions {
  /** Data rows read (the header excluded), accepted or not. */
  readonly rowsRead: number;
  readonly lines: TransactionLine[];
  readonly rejected: RejectedRows;
}

export type ReadFailure = HeaderError | { readonly code: 'EMPTY_FILE'; readonly column: null; readonly message: string };

/** One copy of each distinct string: a few thousand invoices, dates, customers and countries stand for millions of cells. */
function createInterner(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    const known = seen.get(text);
    if (known !== undefined) return known;
    seen.set(text, text);
    return text;
  };
}

/**
 * A line as cleaning needs it, in less memory: all lines of a file are held until the end, since
 * duplicates and the analysis date depend on every line. Cleaning reads the identity, invoice,
 * quantity, price, date, customer and country; the product fields are already part of lineId.
 */
function compact(line: TransactionLine, intern: (text: string) => string): TransactionLine {
  return {
    lineId: line.lineId,
    invoiceNo: intern(line.invoiceNo),
    stockCode: '',
    description: '',
    quantity: line.quantity,
    invoiceDate: intern(line.invoiceDate),
    unitPriceMilli: line.unitPriceMilli,
    customerId: line.customerId === null ? null : intern(line.customerId),
    country: intern(line.country),
  };
}

/**
 * Validates and normalises every row of a source (header aliases, date formats, `17850.0` ids,
 * exact prices: see @seg/domain-transactions). A bad row is counted and the first
 * `maxExamples` are kept; it never stops the rows around it. Only a header without a required
 * column (or no header at all) fails the whole read.
 */
export async function readTransactions(
  records: AsyncIterable<SourceRecord>,
  options: { readonly maxExamples: number; readonly onRow?: (rowsRead: number) => void },
): Promise<Result<ReadTransactions, ReadFailure>> {
  let columns: ColumnMap | undefined;
  const lines: TransactionLine[] = [];
  const byCode: Record<string, number> = {};
  const examples: RowRejection[] = [];
  const intern = createInterner();
  let rowsRead = 0;
  let rejected = 0;
  const reject = (rejection: RowRejection): void => {
    rejected++;
    byCode[rejection.code] = (byCode[rejection.code] ?? 0) + 1;
    if (examples.length < options.maxExamples) examples.push(rejection);
  };

  for await (const record of records) {
    if (record.kind === 'header') {
      const header = resolveHeader(record.fields);
      if (!header.ok) return header;
      columns = header.value;
      continue;
    }
    if (columns === undefined) throw new Error('the CSV reader gave a row before the header');
    rowsRead++;
    if (options.onRow !== undefined && rowsRead % 10_000 === 0) options.onRow(rowsRead);
    if (record.kind === 'unreadable') {
      reject({ lineNumber: record.lineNumber, code: UNREADABLE_ROW, reason: record.reason, raw: record.raw });
      continue;
    }
    const result = normaliseRow(record.fields, columns, record.lineNumber);
    if (!result.ok) {
      reject(result.error);
      continue;
    }
    lines.push(compact(result.value, intern));
  }
  if (columns === undefined) return err({ code: 'EMPTY_FILE', column: null, message: 'the file is empty: no header line' });
  return ok({ rowsRead, lines, rejected: { count: rejected, byCode, examples } });
}
