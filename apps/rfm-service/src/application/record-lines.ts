import type { CustomerMetrics } from '@seg/domain-rfm';
import { analysisDate } from '@seg/domain-rfm';
import type { TransactionLineRecorded } from '@seg/contracts-events';

export interface RecordLinesPorts {
  /** Stores lines idempotently and returns the touched customers' metrics, in one transaction. */
  recordLines(lines: readonly TransactionLineRecorded['data'][]): Promise<CustomerMetrics[]>;
  latestPurchase(): Promise<string | null>;
  /** Publishes the changed metrics; called after the transaction has committed. */
  publishMetrics(metrics: readonly CustomerMetrics[], asOf: string, correlationId: string): Promise<void>;
}

/**
 * Handles a batch of transaction-line events: store the new lines, add them to the touched
 * customers' aggregates, then publish those customers' metrics. Replays are harmless: a stored
 * line changes nothing, and the touched customers' metrics are published again (a replay may
 * follow a crash between the commit and the publication).
 */
export async function recordLines(events: readonly TransactionLineRecorded[], ports: RecordLinesPorts): Promise<number> {
  const metrics = await ports.recordLines(events.map((event) => event.data));
  if (metrics.length === 0) return 0;
  const latest = await ports.latestPurchase();
  if (latest === null) return 0;
  await ports.publishMetrics(metrics, analysisDate([latest]), events[0]?.correlationId ?? 'none');
  return metrics.length;
}
