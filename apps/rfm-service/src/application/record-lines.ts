import type { CustomerMetrics } from '@seg/domain-rfm';
import { analysisDate } from '@seg/domain-rfm';
import type { TransactionLineData, TransactionLinesRecorded } from '@seg/contracts-events';

/** What the rfm service needs of a line (a TransactionLineData has more: its source, stock code and description). */
export type RecordableLine = Pick<TransactionLineData, 'lineId' | 'customerId' | 'invoiceNo' | 'quantity' | 'unitPriceMilli' | 'invoiceDate' | 'country'>;

/** The lines of v3 events as the rfm service needs them, in event order: one small object per line, straight from the columns. */
export function recordableLinesOf(events: readonly TransactionLinesRecorded[]): RecordableLine[] {
  const lines: RecordableLine[] = [];
  for (const { data } of events) {
    const { customerId, invoices } = data;
    const { lineIds, invoice, quantity, unitPriceMilli, country } = data.lines;
    for (let i = 0; i < invoice.length; i++) {
      const { invoiceNo, invoiceDate } = invoices[invoice[i] as number] as (typeof invoices)[number];
      lines.push({ lineId: lineIds.slice(64 * i, 64 * i + 64), customerId, invoiceNo, quantity: quantity[i] as number, unitPriceMilli: unitPriceMilli[i] as number, invoiceDate, country: country[i] as string });
    }
  }
  return lines;
}

/**
 * A customer's metrics as a batch left them, with their revision: how many batches changed the
 * customer's aggregates (1 after the first; a batch that adds nothing leaves it as it was).
 */
export interface RecordedMetrics extends CustomerMetrics {
  readonly revision: number;
}

/** What storing a batch of lines did: how many were new (not stored before), and the touched customers' metrics. */
export interface RecordedBatch {
  readonly metrics: RecordedMetrics[];
  readonly newLines: number;
}

export interface RecordLinesPorts {
  /** Stores lines idempotently and returns the touched customers' metrics, in one transaction. */
  recordLines(lines: readonly RecordableLine[]): Promise<RecordedBatch>;
  latestPurchase(): Promise<string | null>;
  /** Publishes the changed metrics; called after the transaction has committed. */
  publishMetrics(metrics: readonly RecordedMetrics[], asOf: string, correlationId: string): Promise<void>;
}

/**
 * Handles a batch of transaction-line events (each one customer's lines): store the new lines, add them to the touched
 * customers' aggregates, then publish those customers' metrics. Replays are harmless: a stored
 * line changes nothing, and the touched customers' metrics are published again, with the same
 * revision (a replay may follow a crash between the commit and the publication). The import and
 * live lanes call this at once, each with its own batches.
 */
export async function recordLines(events: readonly TransactionLinesRecorded[], ports: RecordLinesPorts): Promise<{ lines: number; newLines: number; customers: number }> {
  const lines = recordableLinesOf(events);
  const { metrics, newLines } = await ports.recordLines(lines);
  if (metrics.length === 0) return { lines: lines.length, newLines, customers: 0 };
  const latest = await ports.latestPurchase();
  if (latest === null) return { lines: lines.length, newLines, customers: 0 };
  await ports.publishMetrics(metrics, analysisDate([latest]), events[0]?.correlationId ?? 'none');
  return { lines: lines.length, newLines, customers: metrics.length };
}

/**
 * Which imports stored new lines, per line partition, as this process saw it: an import whose
 * lines were all stored before (a file imported again) changes no customer, and its end says so,
 * so that clustering does not train for it. A process that did not see the import's lines in a
 * partition (it started meanwhile, or took the partition over from another replica) cannot tell,
 * and says that it may have changed. An import that never ends (it failed, or ingest was killed
 * mid-import) would keep its entries: at most `maxEntries` are kept, the oldest forgotten first,
 * and a forgotten import counts as changed.
 */
export class ImportChanges {
  private readonly seen = new Map<string, boolean>();

  constructor(private readonly maxEntries = 10_000) {}

  /** Notes a batch of one partition: its imports, and whether it stored any new line. */
  note(events: readonly TransactionLinesRecorded[], partition: number, newLines: number): void {
    for (const { data } of events) {
      const job = data.source.importJobId;
      if (job === null) continue;
      const key = `${partition}\u0000${job}`;
      const known = this.seen.get(key);
      if (known === undefined && this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(key, (known ?? false) || newLines > 0);
    }
  }

  /** Whether the import may have changed customers through its lines of `partition`; forgets it. */
  take(importJobId: string, partition: number): boolean {
    const key = `${partition}\u0000${importJobId}`;
    const changed = this.seen.get(key) ?? true;
    this.seen.delete(key);
    return changed;
  }
}
