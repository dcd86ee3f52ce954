// Runs the whole pipeline (header, rows, cleaning, metrics, cut-points, scores) over the real
// UCI Online Retail file and compares it with values computed independently by pandas
// (fixtures/online_retail_rfm.py and its JSON output). Without the full file (kept outside the
// repository), the bundled three-month slice is used with its own expected values.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { normaliseRow, resolveHeader, type TransactionLine } from '@seg/domain-transactions';
import {
  aggregateCustomers,
  analysisDate,
  computeCutPoints,
  scoreCustomer,
  tenureDays,
  toRfmValues,
} from './index';

// The full dataset lives in ../shared beside the repository (or wherever SEG_ONLINE_RETAIL_CSV says).
const FULL_FILE = process.env['SEG_ONLINE_RETAIL_CSV'] ?? join(__dirname, '../../../../../shared/data/online_retail/online_retail.csv.gz');
const SAMPLE_FILE = join(__dirname, '../../../../data/sample/online_retail_2010-12_2011-02.csv.gz');
const source = existsSync(FULL_FILE) ? FULL_FILE : SAMPLE_FILE;
const usingFullFile = source === FULL_FILE;

interface ExpectedCustomer {
  customerId: string;
  country: string;
  firstPurchaseAt: string;
  lastPurchaseAt: string;
  frequency: number;
  monetaryMilli: number;
  cancelledMilli: number;
  recencyDays: number;
  tenureDays: number;
  monetary: number;
  code: string;
}
interface Expected {
  rows: number;
  distinctCustomersAllRows: number;
  missingCustomer: number;
  cancellationsAllRows: number;
  adjustmentsAllRows: number;
  duplicatesWithCustomer: number;
  cancellations: number;
  adjustments: number;
  otherLines: number;
  purchases: number;
  purchaseInvoices: number;
  customers: number;
  purchaseMilli: number;
  cancelledMilli: number;
  asOf: string;
  cutPoints: { recency: number[]; frequency: number[]; monetary: number[] };
  codeCounts: Record<string, number>;
  customersSample: ExpectedCustomer[];
}

const expected = JSON.parse(
  readFileSync(join(__dirname, '../fixtures', basename(source).replace(/\.csv(\.gz)?$/, '.expected.json')), 'utf8'),
) as Expected;

function readLines(): { lines: TransactionLine[]; rejected: number } {
  const bytes = readFileSync(source);
  const text = (source.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const records = parse(text, { relax_column_count: true }) as string[][];
  const header = resolveHeader(records[0] ?? []);
  if (!header.ok) throw new Error(header.error.message);
  const lines: TransactionLine[] = [];
  let rejected = 0;
  for (let i = 1; i < records.length; i++) {
    const result = normaliseRow(records[i]!, header.value, i + 1);
    if (result.ok) lines.push(result.value);
    else rejected++;
  }
  return { lines, rejected };
}

describe(`Online Retail (${basename(source)}) against pandas`, () => {
  const { lines, rejected } = readLines();
  const { customers, quality } = aggregateCustomers(lines);

  it('accepts every row', () => {
    expect(rejected).toBe(0);
    expect(lines).toHaveLength(expected.rows);
  });

  it('agrees with the dataset README on the full file', () => {
    if (!usingFullFile) return; // the README's figures are for the full file only
    expect(new Set(lines.map((l) => l.customerId).filter((id) => id !== null)).size).toBe(4372);
    expect(quality.duplicates).toBe(5225);
    expect(quality.byKind.cancellation).toBe(9288);
    expect(quality.missingCustomer).toBe(135_080);
    expect(quality.byKind.adjustment).toBe(3);
  });

  it('reports the same cleaning counts and totals', () => {
    expect(new Set(lines.map((l) => l.customerId).filter((id) => id !== null)).size).toBe(expected.distinctCustomersAllRows);
    expect(quality).toMatchObject({
      totalLines: expected.rows,
      missingCustomer: expected.missingCustomer,
      duplicates: expected.duplicatesWithCustomer,
      cancellations: expected.cancellations,
      adjustments: expected.adjustments,
      otherLines: expected.otherLines,
      purchases: expected.purchases,
      purchaseInvoices: expected.purchaseInvoices,
      customers: expected.customers,
      purchaseMilli: expected.purchaseMilli,
      cancelledMilli: expected.cancelledMilli,
    });
    expect(quality.byKind.cancellation).toBe(expected.cancellationsAllRows);
    expect(quality.byKind.adjustment).toBe(expected.adjustmentsAllRows);
  });

  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const values = customers.map((c) => toRfmValues(c, asOf));
  const cuts = computeCutPoints(values);

  it('has the same analysis date and cut-points (numpy.percentile)', () => {
    expect(asOf).toBe(expected.asOf);
    expect(cuts.recency).toEqual(expected.cutPoints.recency);
    expect(cuts.frequency).toEqual(expected.cutPoints.frequency);
    expect(cuts.monetary).toEqual(expected.cutPoints.monetary);
  });

  it('gives every RFM code the same number of customers', () => {
    const counts: Record<string, number> = {};
    for (const v of values) {
      const { code } = scoreCustomer(v, cuts);
      counts[code] = (counts[code] ?? 0) + 1;
    }
    expect(counts).toEqual(expected.codeCounts);
  });

  it('computes the same metrics for a sample of customers', () => {
    const byId = new Map(customers.map((c) => [c.customerId, c]));
    expect(expected.customersSample.length).toBeGreaterThan(30);
    for (const e of expected.customersSample) {
      const m = byId.get(e.customerId);
      expect(m).toEqual({
        customerId: e.customerId,
        country: e.country,
        firstPurchaseAt: e.firstPurchaseAt,
        lastPurchaseAt: e.lastPurchaseAt,
        frequency: e.frequency,
        monetaryMilli: e.monetaryMilli,
        cancelledMilli: e.cancelledMilli,
      });
      const v = toRfmValues(m!, asOf);
      expect([v.recencyDays, v.frequency, v.monetary, tenureDays(asOf, m!.firstPurchaseAt)]).toEqual([
        e.recencyDays,
        e.frequency,
        e.monetary,
        e.tenureDays,
      ]);
      expect(scoreCustomer(v, cuts).code).toBe(e.code);
    }
  });
});
