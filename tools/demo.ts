/**
 * Second half of the main job (tools/start.sh): waits for the services, imports a CSV through the
 * gateway, waits until every customer is segmented, and prints the segments and one query.
 * Usage: tsx tools/demo.ts <csv path under data/>
 */
import { resolve } from 'node:path';

const gateway = `http://${process.env['SEG_GATEWAY_HOST'] ?? '127.0.0.1'}:${process.env['SEG_GATEWAY_PORT'] ?? '4000'}`;
const keys = new Map((process.env['SEG_API_KEYS'] ?? '').split(',').map((entry) => [entry.split(':')[0] ?? '', entry.split(':').slice(1).join(':')]));
const adminKey = keys.get('admin') ?? '';
const viewerKey = keys.get('viewer') ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stderr.write(`[start] ${message}\n`);

async function graphql<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
  const response = await fetch(`${gateway}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  if (!body.data) throw new Error(`no data (HTTP ${response.status})`);
  return body.data;
}

async function waitReady(name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`${name} is not ready after ${timeoutMs / 1000} s (see .local/logs/${name}.log)`);
}

async function main(): Promise<void> {
  const file = resolve(process.argv[2] ?? 'data/sample/online_retail_2010-12_2011-02.csv.gz');
  const ports: Record<string, string> = { 'ingest-service': '4001', 'rfm-service': '4002', 'clustering-service': '4003', 'profiling-service': '4004' };
  for (const [name, port] of Object.entries(ports)) await waitReady(name, `http://127.0.0.1:${process.env[`SEG_${name.split('-')[0]?.toUpperCase()}_PORT`] ?? port}/ready`, 120_000);
  await waitReady('gateway', `${gateway}/ready`, 60_000);
  log('all five services are ready');

  const started = Date.now();
  const { startImport } = await graphql<{ startImport: { job: { id: string } | null; userErrors: { code: string; message: string }[] } }>(
    'mutation($path: String!) { startImport(path: $path) { job { id } userErrors { code message } } }',
    { path: file },
    adminKey,
  );
  if (!startImport.job || startImport.userErrors.length > 0) throw new Error(`import refused: ${startImport.userErrors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
  log(`importing ${file} (job ${startImport.job.id})`);

  type Job = { status: string; linesRead: number; accepted: number; rejected: number; withoutCustomer: number; error: string | null };
  let job: Job;
  for (;;) {
    ({ importJob: job } = await graphql<{ importJob: Job }>(
      'query($id: ID!) { importJob(id: $id) { status linesRead accepted rejected withoutCustomer error } }',
      { id: startImport.job.id },
      viewerKey,
    ));
    if (job.status !== 'RUNNING') break;
    log(`  ${job.linesRead} lines read, ${job.accepted} accepted, ${job.rejected} rejected`);
    await sleep(1_000);
  }
  if (job.status !== 'COMPLETED') throw new Error(`import failed: ${job.error}`);
  log(`import completed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${job.linesRead} lines, ${job.accepted} accepted, ${job.withoutCustomer} without customer id, ${job.rejected} rejected`);

  type Segments = {
    rfmSummary: { customers: number };
    segmentationModels: { version: number; customers: number }[];
    segments: { name: string; size: number; customerShare: number; revenueShare: number; modelVersion: number; coupon: { offer: string } }[];
  };
  // Done when the newest model covers every customer with a purchase and profiling has named
  // exactly that model's segments, twice in a row (so the pipeline has settled).
  let settled = '';
  let result: Segments;
  let askedForTraining = false;
  for (let polls = 0; ; polls++) {
    result = await graphql<Segments>(
      '{ rfmSummary { customers } segmentationModels { version customers } segments { name size customerShare revenueShare modelVersion coupon { offer } } }',
      {},
      viewerKey,
    );
    const latest = result.segmentationModels[0];
    const segmented = result.segments.reduce((sum, s) => sum + s.size, 0);
    const customers = result.rfmSummary.customers;
    const state = `${customers}/${latest?.version}/${latest?.customers}/${segmented}`;
    const complete = latest !== undefined && customers > 0 && latest.customers === customers && segmented === customers && result.segments.every((s) => s.modelVersion === latest.version);
    if (complete && state === settled) break;
    settled = complete ? state : '';
    // A model trained while the import was still arriving covers only part of the customers; the
    // rest are placed on its centroids at once, but the automatic retrain waits for enough new
    // ones. After 20 s, ask for a training run like an admin would.
    if (!askedForTraining && polls >= 20 && latest && latest.customers < customers) {
      askedForTraining = true;
      log(`  model v${latest.version} covers ${latest.customers} of ${customers} customers: asking for a training run`);
      await graphql('mutation { trainSegmentation { model { version } userErrors { code message } } }', {}, adminKey);
    }
    if (polls % 5 === 0) log(`  waiting for segments: ${customers} customers with purchases, ${latest ? `model v${latest.version} with ${latest.customers}` : 'no model yet'}`);
    if (polls > 300) throw new Error('segments did not settle within 5 minutes (see .local/logs/clustering-service.log and profiling-service.log)');
    await sleep(1_000);
  }
  log(`segments ready ${((Date.now() - started) / 1000).toFixed(1)} s after the import started (model v${result.segments[0]?.modelVersion})`);

  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = result.segments.map((s) => [s.name, String(s.size), pct(s.customerShare), pct(s.revenueShare), s.coupon.offer]);
  const header = ['segment', 'customers', 'share', 'revenue share', 'coupon'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 2 || i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  console.log();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));

  const query = `{
  customer(id: "17850") {
    id country
    rfm { recencyDays frequency monetary r f m segment }
    segment { name reasons }
    couponRecommendations { coupon { offer discountPercent validityDays } holdout }
  }
}`;
  // Each customer's assignment travels on its own event and may land just after the segments.
  let answer: { customer: { segment: unknown } | null } = { customer: null };
  for (let tries = 0; tries < 50 && !answer.customer?.segment; tries++) {
    if (tries > 0) await sleep(200);
    answer = await graphql<{ customer: { segment: unknown } | null }>(query, {}, viewerKey);
  }
  console.log(`\nPOST ${gateway}/graphql  (Authorization: Bearer <viewer key>)\n${query}\n`);
  console.log(JSON.stringify(answer, null, 2));
  console.log();
}

main().catch((error: unknown) => {
  log(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
