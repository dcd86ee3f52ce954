import { counter, type MetricsRegistry } from '@seg/platform-observability';
import type { LineCounts } from '../../application/import-lines';

/** Counts ingested lines by outcome and source (`csv`: file imports, `api`: recordTransactions, `stream`: the raw-transaction topic). */
export function lineMetrics(registry: MetricsRegistry, source: 'csv' | 'api' | 'stream'): (counts: LineCounts) => void {
  const labelNames = ['source'] as const;
  const read = counter(registry, { name: 'seg_ingest_lines_read_total', help: 'Input lines read (data rows of a file, lines of an API call)', labelNames });
  const accepted = counter(registry, { name: 'seg_ingest_lines_accepted_total', help: 'Valid lines with a customer, published', labelNames });
  const rejected = counter(registry, { name: 'seg_ingest_lines_rejected_total', help: 'Lines rejected with a reason', labelNames });
  const withoutCustomer = counter(registry, { name: 'seg_ingest_lines_without_customer_total', help: 'Valid file lines without a customer id (counted, not published)', labelNames });
  const erased = counter(registry, { name: 'seg_ingest_lines_erased_total', help: 'Lines of erased customers (dropped: not published, not kept)', labelNames });
  return (counts) => {
    read.inc({ source }, counts.read);
    accepted.inc({ source }, counts.accepted);
    rejected.inc({ source }, counts.rejected);
    withoutCustomer.inc({ source }, counts.withoutCustomer);
    erased.inc({ source }, counts.erased);
  };
}
