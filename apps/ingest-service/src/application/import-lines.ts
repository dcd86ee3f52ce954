import {
  normaliseCustomerId,
  normaliseRow,
  resolveHeader,
  type ColumnMap,
  type HeaderError,
  type RowRejection,
  type TransactionLine,
} from '@seg/domain-transactions';
import { unreadableRowNames } from './customer-erasure';

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
  /** Lines of erased customers: dropped, neither published nor kept. */
  erased: number;
  bytesRead: number;
}

/** Lines counted since the previous report, by outcome (for metrics). */
export interface LineCounts {
  readonly read: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly withoutCustomer: number;
  readonly erased: number;
}

/** A rejected row with its customer cell (normalised) when the row could be split into fields. */
export type KeptRejection = RowRejection & { readonly customerId: string | null };

/** A line with a customer, ready to publish. */
export type AttributedLine = TransactionLine & { readonly customerId: string; readonly lineNumber: number };

/** What the import needs from the outside world. */
export interface ImportPorts {
  /** Publishes accepted lines; resolves once the broker has them. */
  publishLines(jobId: string, lines: readonly AttributedLine[]): Promise<void>;
  /** Stores rejected rows and the job's counters in one go. */
  recordProgress(jobId: string, rejections: readonly KeptRejection[], counters: Readonly<ImportCounters>): Promise<void>;
  /** Keeps the ingest-side customer directory (country, first and last seen). */
  upsertCustomers(lines: readonly AttributedLine[]): Promise<void>;
  /** Bytes read so far from the source. */
  bytesRead(): number;
  /** Told the lines of each flushed batch, once they are published and recorded. */
  countLines?(counts: LineCounts): void;
  /** Whether a customer was erased (asked for every line: must answer from memory). */
  isErased?(customerId: string): boolean;
}

export type ImportOutcome =
  | { readonly ok: true; readonly cancelled: boolean; readonly counters: ImportCounters }
  | { readonly ok: false; readonly error: HeaderError; readonly counters: ImportCounters };

/**
 * Streams a source through validation. Accepted lines with a customer are published in batches;
 * lines without one are counted (not attributable); rejected rows are kept with their line number
 * and reason; lines of erased customers, valid or not, are counted and dropped. A bad row never
 * stops the rows around it; only a header without a required column fails the whole import,
 * before any line is published. The next batch is read and validated while the previous one is
 * published and recorded (one batch in flight; batches go out in order, each once the one before
 * is recorded). When `signal` aborts, the import stops at the next batch boundary, after the batch
 * in flight; what was published stays (a later import of the same file completes it without
 * counting anything twice), and the outcome counts what was recorded.
 */
export async function importLines(jobId: string, source: AsyncIterable<SourceRecord>, ports: ImportPorts, batchSize: number, signal?: AbortSignal): Promise<ImportOutcome> {
  const counters: ImportCounters = { linesRead: 0, accepted: 0, rejected: 0, withoutCustomer: 0, erased: 0, bytesRead: 0 };
  const isErased = ports.isErased ?? (() => false);
  let columns: ColumnMap | undefined;
  let batch: AttributedLine[] = [];
  let rejections: KeptRejection[] = [];
  let reported: Omit<ImportCounters, 'bytesRead'> = { linesRead: 0, accepted: 0, rejected: 0, withoutCustomer: 0, erased: 0 };
  /** The counters as of the last batch recorded. */
  let recorded: ImportCounters = { ...counters };
  /** The batch being published and recorded, and how it failed. */
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { readonly error: unknown } | undefined;

  /** Publishes and records a batch whose lines and counters were taken when it was full. */
  const send = async (lines: AttributedLine[], kept: KeptRejection[], snapshot: ImportCounters): Promise<void> => {
    // A customer erased while the batch filled: their lines go too.
    const live = lines.filter((line) => !isErased(line.customerId));
    if (live.length !== lines.length) {
      const dropped = lines.length - live.length;
      snapshot.accepted -= dropped;
      snapshot.erased += dropped;
      // Later snapshots are taken from `counters`, so it learns of the drop too.
      counters.accepted -= dropped;
      counters.erased += dropped;
    }
    if (live.length > 0) {
      await ports.publishLines(jobId, live);
      await ports.upsertCustomers(live);
    }
    snapshot.bytesRead = ports.bytesRead();
    await ports.recordProgress(jobId, kept, snapshot);
    ports.countLines?.({
      read: snapshot.linesRead - reported.linesRead,
      accepted: snapshot.accepted - reported.accepted,
      rejected: snapshot.rejected - reported.rejected,
      withoutCustomer: snapshot.withoutCustomer - reported.withoutCustomer,
      erased: snapshot.erased - reported.erased,
    });
    reported = { ...snapshot };
    recorded = snapshot;
  };

  /** Waits for the batch in flight; rethrows its failure. */
  const settle = async (): Promise<void> => {
    await inFlight;
    if (failure) throw failure.error;
  };

  /** Starts sending the current batch once the one in flight is recorded; false when cancelled meanwhile. */
  const flush = async (): Promise<boolean> => {
    await settle();
    if (signal?.aborted) return false;
    const lines = batch;
    const kept = rejections;
    batch = [];
    rejections = [];
    inFlight = send(lines, kept, { ...counters }).catch((error: unknown) => {
      failure = { error };
    });
    return true;
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
      if (unreadableRowNames(record.raw, isErased)) counters.erased++;
      else {
        counters.rejected++;
        rejections.push({ lineNumber: record.lineNumber, code: 'UNREADABLE_ROW', reason: record.reason, raw: record.raw, customerId: null });
      }
    } else {
      const result = normaliseRow(record.fields, columns, record.lineNumber);
      if (!result.ok) {
        const customerCell = columns.CustomerID === undefined ? undefined : record.fields[columns.CustomerID];
        const customerId = normaliseCustomerId(customerCell);
        if (customerId !== null && isErased(customerId)) counters.erased++;
        else {
          counters.rejected++;
          rejections.push({ ...result.error, raw: record.raw, customerId });
        }
      } else if (result.value.customerId === null) {
        counters.withoutCustomer++;
      } else if (isErased(result.value.customerId)) {
        counters.erased++;
      } else {
        counters.accepted++;
        // The line as normalised (no copy): its customer id was checked just above.
        batch.push(result.value as AttributedLine);
      }
    }
    if (batch.length >= batchSize || rejections.length >= batchSize) {
      if (!(await flush())) return { ok: true, cancelled: true, counters: recorded };
    }
  }
  if (!columns) return { ok: false, error: { code: 'MISSING_COLUMN', column: 'InvoiceNo', message: 'the file is empty: no header line' }, counters };
  if (!(await flush())) return { ok: true, cancelled: true, counters: recorded };
  await settle();
  return { ok: true, cancelled: false, counters: recorded };
}
