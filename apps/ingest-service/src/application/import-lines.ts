import {
  normaliseRow,
  resolveHeader,
  type ColumnMap,
  type HeaderError,
  type RowRejection,
  type TransactionLine,
} from '@seg/domain-transactions';

/** One item read from a CSV source: its header, a data row, or a row the parser could not split. */
export type SourceRecord =
  | { readonly kind: 'header'; readonly fields: readonly string[] }
  | { readonly kind: 'row'; readonly fields: readonly string[]; readonly lineNumber: number; readonly raw: string }
  | { readonly kind: 'unreadable'; readonly lineNumber: number; readonly reason: string; readonly raw: string };

export interface ImportCounters {
  linesRead: number;
  accepted: number;
  rejected: number;
  withoutCustomer: number;
  bytesRead: number;
}

/** A line with a customer, ready to publish. */
export type AttributedLine = TransactionLine & { readonly customerId: string; readonly lineNumber: number };

/** What the import needs from the outside world. */
export interface ImportPorts {
  /** Publishes accepted lines; resolves once the broker has them. */
  publishLines(jobId: string, lines: readonly AttributedLine[]): Promise<void>;
  /** Stores rejected rows and the job's counters in one go. */
  recordProgress(jobId: string, rejections: readonly RowRejection[], counters: Readonly<ImportCounters>): Promise<void>;
  /** Keeps the ingest-side customer directory (country, first and last seen). */
  upsertCustomers(lines: readonly AttributedLine[]): Promise<void>;
  /** Bytes read so far from the source. */
  bytesRead(): number;
}

export type ImportOutcome = { readonly ok: true; readonly counters: ImportCounters } | { readonly ok: false; readonly error: HeaderError; readonly counters: ImportCounters };

/**
 * Streams a source through validation. Accepted lines with a customer are published in batches;
 * lines without one are counted (not attributable); rejected rows are kept with their line number
 * and reason. A bad row never stops the rows around it; only a header without a required column
 * fails the whole import, before any line is published.
 */
export async function importLines(jobId: string, source: AsyncIterable<SourceRecord>, ports: ImportPorts, batchSize: number): Promise<ImportOutcome> {
  const counters: ImportCounters = { linesRead: 0, accepted: 0, rejected: 0, withoutCustomer: 0, bytesRead: 0 };
  let columns: ColumnMap | undefined;
  let batch: AttributedLine[] = [];
  let rejections: RowRejection[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length > 0) {
      await ports.publishLines(jobId, batch);
      await ports.upsertCustomers(batch);
    }
    counters.bytesRead = ports.bytesRead();
    await ports.recordProgress(jobId, rejections, counters);
    batch = [];
    rejections = [];
  };

  for await (const record of source) {
    if (record.kind === 'header') {
      const header = resolveHeader(record.fields);
      if (!header.ok) return { ok: false, error: header.error, counters };
      columns = header.value;
      continue;
    }
    if (!columns) throw new Error('source yielded a row before its header');
    counters.linesRead++;
    if (record.kind === 'unreadable') {
      counters.rejected++;
      rejections.push({ lineNumber: record.lineNumber, code: 'UNREADABLE_ROW', reason: record.reason, raw: record.raw });
    } else {
      const result = normaliseRow(record.fields, columns, record.lineNumber);
      if (!result.ok) {
        counters.rejected++;
        rejections.push({ ...result.error, raw: record.raw });
      } else if (result.value.customerId === null) {
        counters.withoutCustomer++;
      } else {
        counters.accepted++;
        batch.push({ ...result.value, customerId: result.value.customerId, lineNumber: record.lineNumber });
      }
    }
    if (batch.length >= batchSize || rejections.length >= batchSize) await flush();
  }
  if (!columns) return { ok: false, error: { code: 'MISSING_COLUMN', column: 'InvoiceNo', message: 'the file is empty: no header line' }, counters };
  await flush();
  return { ok: true, counters };
}
