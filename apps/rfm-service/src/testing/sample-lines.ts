import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { TransactionLineData } from '@seg/contracts-events';
import { normaliseRow, resolveHeader } from '@seg/domain-transactions';
import { WORKSPACE_ROOT } from '@seg/testing';

const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');

/**
 * For the rfm service's tests: every valid line of the bundled sample's customers whose id is a
 * multiple of `modulus`, as the service receives them (whole histories: repeat invoices,
 * cancellations, exact duplicates, free items), with their line numbers in the file.
 */
export function sampleLines(modulus: number): TransactionLineData[] {
  const records = parse(gunzipSync(readFileSync(SAMPLE)).toString('utf8'), { relax_column_count: true }) as string[][];
  const header = resolveHeader(records[0] ?? []);
  if (!header.ok) throw new Error(header.error.message);
  const lines: TransactionLineData[] = [];
  records.forEach((fields, index) => {
    if (index === 0) return;
    const lineNumber = index + 1;
    const result = normaliseRow(fields, header.value, lineNumber);
    if (!result.ok || result.value.customerId === null || Number(result.value.customerId) % modulus !== 0) return;
    lines.push({ ...result.value, customerId: result.value.customerId, source: { kind: 'csv', importJobId: null, lineNumber } });
  });
  return lines;
}
