// Runs the whole `segment` command on the bundled three-month Online Retail slice and checks its
// files against the values pandas computed for that slice (libs/domain/rfm/fixtures, made by
// online_retail_rfm.py). Also runs the command as a process on a file without a required column.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { JsonReport } from './adapters/report-json';
import { main, type CommandIo } from './main';

const ROOT = join(__dirname, '..', '..', '..');
const SAMPLE = join(ROOT, 'data/sample/online_retail_2010-12_2011-02.csv.gz');
const EXPECTED_FILE = join(ROOT, 'libs/domain/rfm/fixtures/online_retail_2010-12_2011-02.expected.json');

interface ExpectedCustomer {
  customerId: string;
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
  missingCustomer: number;
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
const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Expected;

const COLUMNS = 'customer_id,recency_days,frequency,monetary,return_rate,tenure_days,r,f,m,rfm_segment,cluster,segment_name,coupon';

function captureIo(tty: boolean): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { isTTY: tty, columns: 120, write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}

const work = mkdtempSync(join(tmpdir(), 'segment-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('segment on the bundled sample', () => {
  const outDir = join(work, 'sample');
  const io = captureIo(true);
  let status: number;
  let rows: Record<string, string>[];
  let report: JsonReport;

  beforeAll(async () => {
    status = await main(['--input', SAMPLE, '--out', outDir], io);
    const csv = readFileSync(join(outDir, 'customers.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(COLUMNS);
    rows = parse(csv, { columns: true }) as Record<string, string>[];
    report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as JsonReport;
  }, 120_000);

  it('succeeds, draws progress on a terminal and prints a summary', () => {
    expect(status).toBe(0);
    expect(io.err()).toContain('reading   [');
    expect(io.err()).toContain('k-means   [');
    expect(io.err().endsWith('\r\x1b[K')).toBe(true);
    expect(io.out()).toContain(`${expected.customers.toLocaleString('en-US')} customers`);
  });

  it('writes one row per customer with a purchase, with the pandas RFM values', () => {
    expect(rows).toHaveLength(expected.customers);
    const byId = new Map(rows.map((row) => [row['customer_id'], row]));
    expect(expected.customersSample.length).toBeGreaterThan(30);
    for (const e of expected.customersSample) {
      const row = byId.get(e.customerId);
      expect(row).toBeDefined();
      expect({
        recency: Number(row!['recency_days']),
        frequency: Number(row!['frequency']),
        monetary: row!['monetary'],
        tenure: Number(row!['tenure_days']),
        returnRate: Number(row!['return_rate']),
        code: `${row!['r']}${row!['f']}${row!['m']}`,
      }).toEqual({
        recency: e.recencyDays,
        frequency: e.frequency,
        monetary: e.monetary.toFixed(2),
        tenure: e.tenureDays,
        returnRate: Number((e.cancelledMilli / e.monetaryMilli).toFixed(4)),
        code: e.code,
      });
    }
  });

  it('gives every RFM code as many customers as pandas', () => {
    const counts: Record<string, number> = {};
    for (const row of rows) {
      const code = `${row['r']}${row['f']}${row['m']}`;
      counts[code] = (counts[code] ?? 0) + 1;
    }
    expect(counts).toEqual(expected.codeCounts);
  });

  it('puts every customer in one of the k named segments with its coupon', () => {
    const segments = report.segments;
    const byCluster = new Map(segments.map((s) => [String(s.cluster), s]));
    for (const row of rows) {
      const segment = byCluster.get(row['cluster']!);
      expect(segment?.name).toBe(row['segment_name']);
      expect(segment?.coupon.offer).toBe(row['coupon']);
    }
    expect(segments.reduce((sum, s) => sum + s.size, 0)).toBe(expected.customers);
  });

  it('reports the quality counts, cut-points, the sweep, the chosen k and the profiles', () => {
    expect(Object.keys(report)).toEqual([
      'reportVersion',
      'input',
      'options',
      'asOf',
      'quality',
      'cutPoints',
      'population',
      'rfmSegments',
      'kSweep',
      'chosenK',
      'model',
      'projection',
      'segments',
    ]);
    expect(report.input).toMatchObject({ gzip: true, encoding: { used: 'utf-8', switchedAtByte: null } });
    expect(report.asOf).toBe(expected.asOf);
    expect(report.quality).toMatchObject({
      rowsRead: expected.rows,
      rejectedRows: { count: 0, byCode: {}, examples: [] },
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
    expect(report.cutPoints).toEqual(expected.cutPoints);

    const sweep = report.kSweep;
    expect(sweep.entries.map((e) => e.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const entry of sweep.entries) {
      for (const metric of ['inertia', 'silhouette', 'daviesBouldin', 'calinskiHarabasz'] as const) expect(Number.isFinite(entry[metric])).toBe(true);
    }
    const chosen = report.chosenK;
    expect(chosen.k).toBeGreaterThanOrEqual(2);
    expect(chosen.k).toBeLessThanOrEqual(10);
    expect(chosen).toMatchObject({ k: sweep.proposal.k, source: 'sweep' });
    expect(chosen.reasons.length).toBeGreaterThan(0);

    expect(report.model.centroids).toHaveLength(chosen.k);
    expect(Object.keys(report.model.centroids[0]!)).toEqual(['cluster', 'recency_days', 'frequency', 'monetary']);
    expect(report.segments).toHaveLength(chosen.k);
    const shares = report.segments.reduce((sum, s) => sum + s.revenueShare, 0);
    expect(shares).toBeCloseTo(1, 9);
    for (const segment of report.segments) expect(segment.reasons.length).toBeGreaterThan(0);
  });

  it('writes a readable report.md', () => {
    const md = readFileSync(join(outDir, 'report.md'), 'utf8');
    for (const heading of ['## Segments', '## How the number of segments was chosen', '## RFM scores', '## Data quality']) expect(md).toContain(heading);
    for (const segment of report.segments) expect(md).toContain(`### ${segment.name} (cluster ${segment.cluster})`);
  });
});

describe('segment on other inputs', () => {
  // The first 2,000 rows of the sample, once as UTF-8 and once as ISO-8859-1 with an accented description.
  const lines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 2001);
  lines[1] = lines[1]!.replace('WHITE HANGING HEART', 'CRÈME HANGING HEART');

  it('detects ISO-8859-1 and reads the same customers as from UTF-8', async () => {
    writeFileSync(join(work, 'slice-utf8.csv'), lines.join('\n'), 'utf8');
    writeFileSync(join(work, 'slice-latin1.csv'), lines.join('\n'), 'latin1');
    for (const name of ['utf8', 'latin1']) {
      expect(await main(['--input', join(work, `slice-${name}.csv`), '--out', join(work, `out-${name}`), '--k', '3'], captureIo(false))).toBe(0);
    }
    const utf8 = JSON.parse(readFileSync(join(work, 'out-utf8/report.json'), 'utf8'));
    const latin1 = JSON.parse(readFileSync(join(work, 'out-latin1/report.json'), 'utf8'));
    expect(utf8.input.encoding.used).toBe('utf-8');
    expect(latin1.input).toMatchObject({ gzip: false, encoding: { used: 'iso-8859-1', mixed: false } });
    expect(latin1.quality).toEqual(utf8.quality);
    expect(readFileSync(join(work, 'out-latin1/customers.csv'), 'utf8')).toBe(readFileSync(join(work, 'out-utf8/customers.csv'), 'utf8'));
  }, 60_000);

  it('exits 1 with one line on a file it cannot read, 2 on a bad option', async () => {
    const missing = captureIo(false);
    expect(await main(['--input', join(work, 'nope.csv'), '--out', join(work, 'x')], missing)).toBe(1);
    expect(missing.err()).toBe(`segment: cannot read "${join(work, 'nope.csv')}": no such file\n`);
    const bad = captureIo(false);
    expect(await main(['--input', SAMPLE, '--out', join(work, 'x'), '--scaling', 'log'], bad)).toBe(2);
    expect(bad.err()).toBe('segment: --scaling must be one of zscore, minmax, robust (see segment --help)\n');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('exits non-zero naming the missing column when run as a process', async () => {
    const file = join(work, 'no-customer-column.csv');
    writeFileSync(file, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,Country\n536365,85123A,MUG,6,2010-12-01 08:26:00,2.55,United Kingdom\n');
    const run = promisify(execFile)('npx', ['tsx', 'apps/segment-cli/src/main.ts', '--input', file, '--out', join(work, 'never')], { cwd: ROOT });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: '',
      stderr: `segment: "${file}": required column "CustomerID" (or Customer ID) is missing\n`,
    });
    expect(existsSync(join(work, 'never'))).toBe(false);
  }, 60_000);
});
