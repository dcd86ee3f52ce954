import { parse } from 'csv-parse/sync';
import { aggregateCustomers } from '@seg/domain-rfm';
import { normaliseRow, resolveHeader, type TransactionLine } from '@seg/domain-transactions';

/**
 * What a CSV should lead to, computed in memory by the domain libraries from the same text (the
 * services compute it with SQL and events): its valid lines, and the customers' metrics.
 */
export function expectedFromCsv(text: string) {
  const [header, ...rows] = parse(text, { relax_column_count: true }) as string[][];
  const columns = resolveHeader(header ?? []);
  if (!columns.ok) throw new Error(columns.error.message);
  const lines: TransactionLine[] = [];
  rows.forEach((fields, i) => {
    const line = normaliseRow(fields, columns.value, i + 2);
    if (line.ok) lines.push(line.value);
  });
  return { lines, ...aggregateCustomers(lines) };
}
