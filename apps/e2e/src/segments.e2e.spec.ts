import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { normaliseRow, resolveHeader, roundMilliToCents, type TransactionLine } from '@seg/domain-transactions';
import { aggregateCustomers, analysisDate, recencyDays } from '@seg/domain-rfm';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { graphql, startPlatform, type RunningPlatform } from './platform';

// The first 6,000 lines of the bundled sample (real UCI Online Retail lines, December 2010).
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const sampleText = gunzipSync(readFileSync(SAMPLE)).toString('utf8');
const sampleLines = sampleText.split('\n').slice(0, 6_001);
const csv = `${sampleLines.join('\n')}\n`;

/** Expected metrics, computed in memory by the domain library from the same file (the services use SQL). */
function expectedFromCsv(text: string) {
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

describe('the platform end to end, through the gateway', () => {
  let platform: RunningPlatform;
  const expected = expectedFromCsv(csv);

  beforeAll(async () => {
    platform = await startPlatform(4600);
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    writeFileSync(join(platform.importDir, 'no-price.csv'), 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,17850,United Kingdom\n');
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses requests without credentials', async () => {
    const response = await graphql(platform.gatewayUrl, null, '{ segments { name } }');
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data).toBeUndefined();
  });

  it('refuses a direct call to a subgraph that bypasses the gateway', async () => {
    const response = await graphql(platform.subgraphUrls.profiling, null, '{ segments { name } }', {}, { 'x-seg-role': 'admin' });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets only an admin start an import', async () => {
    const response = await graphql<{ startImport: unknown }>(platform.gatewayUrl, platform.keys.viewer, 'mutation($p: String!) { startImport(path: $p) { job { id } } }', {
      p: join(platform.importDir, 'december.csv'),
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('fails an import whose file lacks a required column, naming the column', async () => {
    const response = await graphql<{ startImport: { job: { status: string; error: string } | null; userErrors: { code: string; message: string }[] } }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($p: String!) { startImport(path: $p) { job { status error } userErrors { code message } } }',
      { p: join(platform.importDir, 'no-price.csv') },
    );
    expect(response.data?.startImport.userErrors[0]?.code).toBe('MISSING_COLUMN');
    expect(response.data?.startImport.userErrors[0]?.message).toMatch(/UnitPrice/);
    expect(response.data?.startImport.job?.status).toBe('FAILED');
  });

  it('imports a CSV and serves segments and one customer with RFM, segment and coupon', async () => {
    const started = await graphql<{ startImport: { job: { id: string } | null; userErrors: unknown[] } }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($p: String!) { startImport(path: $p) { job { id } userErrors { code message } } }',
      { p: join(platform.importDir, 'december.csv') },
    );
    expect(started.data?.startImport.userErrors).toEqual([]);
    const jobId = started.data?.startImport.job?.id as string;

    type Job = { status: string; linesRead: number; accepted: number; rejected: number; withoutCustomer: number };
    const job = await waitFor('the import to finish', async () => {
      const r = await graphql<{ importJob: Job }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { status linesRead accepted rejected withoutCustomer } }', { id: jobId });
      return r.data?.importJob.status === 'RUNNING' ? undefined : r.data?.importJob;
    });
    expect(job).toEqual({
      status: 'COMPLETED',
      linesRead: 6_000,
      accepted: expected.lines.filter((l) => l.customerId !== null).length,
      rejected: 6_000 - expected.lines.length,
      withoutCustomer: expected.lines.filter((l) => l.customerId === null).length,
    });

    type Segments = { rfmSummary: { customers: number }; segments: { name: string; size: number; revenueShare: number; coupon: { offer: string } }[] };
    const result = await waitFor(
      'every customer to be segmented',
      async () => {
        const r = await graphql<Segments>(platform.gatewayUrl, platform.keys.viewer, '{ rfmSummary { customers } segments { name size revenueShare coupon { offer } } }');
        const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0);
        return r.data && r.data.rfmSummary.customers === expected.customers.length && segmented === expected.customers.length ? r.data : undefined;
      },
      120_000,
      500,
    );
    expect(result.segments).toHaveLength(4);
    expect(new Set(result.segments.map((s) => s.name)).size).toBe(4);
    expect(result.segments.reduce((sum, s) => sum + s.revenueShare, 0)).toBeCloseTo(1, 6);

    // The customer with the most purchase invoices in this slice.
    const top = [...expected.customers].sort((a, b) => b.frequency - a.frequency || a.customerId.localeCompare(b.customerId))[0];
    if (!top) throw new Error('the slice has no customers');
    const asOf = analysisDate(expected.customers.map((c) => c.lastPurchaseAt));
    const answer = await graphql<{
      customer: {
        id: string;
        country: string;
        rfm: { recencyDays: number; frequency: number; monetary: number };
        segment: { name: string; coupon: { offer: string } };
        couponRecommendations: { segmentName: string; coupon: { offer: string }; holdout: boolean }[];
      };
    }>(
      platform.gatewayUrl,
      platform.keys.viewer,
      'query($id: ID!) { customer(id: $id) { id country rfm { recencyDays frequency monetary } segment { name coupon { offer } } couponRecommendations { segmentName coupon { offer } holdout } } }',
      { id: top.customerId },
    );
    expect(answer.errors).toBeUndefined();
    const customer = answer.data?.customer;
    expect(customer?.country).toBe(top.country);
    expect(customer?.rfm).toEqual({ recencyDays: recencyDays(asOf, top.lastPurchaseAt), frequency: top.frequency, monetary: roundMilliToCents(top.monetaryMilli) / 100 });
    expect(result.segments.map((s) => s.name)).toContain(customer?.segment.name);
    expect(customer?.couponRecommendations).toHaveLength(1);
    expect(customer?.couponRecommendations[0]?.segmentName).toBe(customer?.segment.name);
    expect(customer?.couponRecommendations[0]?.coupon.offer).toBe(customer?.segment.coupon.offer);
  });

  it('answers an unknown customer with null and no error', async () => {
    const response = await graphql<{ customer: null }>(platform.gatewayUrl, platform.keys.viewer, '{ customer(id: "no-such-customer") { id rfm { frequency } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer).toBeNull();
  });
});
