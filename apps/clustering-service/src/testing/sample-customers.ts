import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { normaliseRow, resolveHeader, type TransactionLine } from '@seg/domain-transactions';
import { WORKSPACE_ROOT } from '@seg/testing';

const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');

/**
 * For the clustering service's tests: the metrics of the bundled sample's customers whose id is a
 * multiple of `modulus`, from all their lines (8 gives a couple of hundred).
 */
export function sampleCustomers(modulus: number): CustomerMetrics[] {
  const records = parse(gunzipSync(readFileSync(SAMPLE)).toString('utf8'), { relax_column_count: true }) as string[][];
  const header = resolveHeader(records[0] ?? []);
  if (!header.ok) throw new Error(header.error.message);
  const lines: TransactionLine[] = [];
  for (let i = 1; i < records.length; i++) {
    const result = normaliseRow(records[i] ?? [], header.value, i + 1);
    if (result.ok && result.value.customerId !== null && Number(result.value.customerId) % modulus === 0) lines.push(result.value);
  }
  return aggregateCustomers(lines).customers;
}
