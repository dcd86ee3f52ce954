import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { normaliseRow, resolveHeader } from '@seg/domain-transactions';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { graphql, startPlatform, type RunningPlatform } from './platform';

// CSV uploads (POST /imports) and rejected rows downloads (GET /imports/<id>/rejected.csv) through
// the gateway, on the five built apps: an admin uploads a gzip slice of the bundled sample (real
// UCI Online Retail lines, December 2010) with a few broken lines mixed in.
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const sampleLines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n');
const HEADER = sampleLines[0] as string;
const MAX_UPLOAD_BYTES = 256 * 1024;

const withField = (line: string, index: number, value: string): string =>
  line
    .split(',')
    .map((field, i) => (i === index ? value : field))
    .join(',');

// Lines 2..3001 of the sample, with broken lines made from real ones placed among them. The one
// starting with "=" is what a spreadsheet would run as a formula if the download did not defuse it.
const FORMULA_LINE = '=2+5,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,cheap,17850,United Kingdom';
const broken = new Map<number, string>([
  [400, withField(sampleLines[1] as string, 3, 'six')],
  [1_200, withField(sampleLines[2] as string, 4, '2010-13-45 08:26:00')],
  [2_000, FORMULA_LINE],
  [2_500, (sampleLines[3] as string).split(',').slice(0, 6).join(',')],
]);
const body = sampleLines.slice(1, 3_001);
// In ascending order, each lands at its index: line number = index + 2 (the header is line 1).
for (const [at, line] of broken) body.splice(at, 0, line);
const csv = `${[HEADER, ...body].join('\n')}\n`;
const gzipped = gzipSync(csv);

/** What the import must find, computed independently by the domain library from the same text. */
function expectedFromCsv(text: string) {
  const [header, ...rows] = parse(text, { relax_column_count: true }) as string[][];
  const columns = resolveHeader(header ?? []);
  if (!columns.ok) throw new Error(columns.error.message);
  const rejected: { lineNumber: number; code: string }[] = [];
  let accepted = 0;
  let withoutCustomer = 0;
  rows.forEach((fields, i) => {
    const line = normaliseRow(fields, columns.value, i + 2);
    if (!line.ok) rejected.push({ lineNumber: i + 2, code: line.error.code });
    else if (line.value.customerId === null) withoutCustomer++;
    else accepted++;
  });
  return { linesRead: rows.length, accepted, withoutCustomer, rejected };
}

type Job = { id: string; status: string; source: string; linesRead: number; accepted: number; rejected: number; withoutCustomer: number; error: string | null };

describe('CSV uploads and rejected rows downloads through the gateway', () => {
  const uploadDir = mkdtempSync(join(tmpdir(), 'seg-e2e-uploads-'));
  const gatewaySecret = randomBytes(24).toString('hex');
  const expected = expectedFromCsv(csv);
  let platform: RunningPlatform;
  let base: string;

  beforeAll(async () => {
    platform = await startPlatform(5500, { SEG_UPLOAD_DIR: uploadDir, SEG_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), SEG_GATEWAY_SECRET: gatewaySecret });
    base = platform.gatewayUrl.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await platform?.stop();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  const upload = (content: string | Buffer | undefined, key: string | null, name = 'december-slice.csv.gz') =>
    fetch(`${base}/imports?name=${encodeURIComponent(name)}`, { method: 'POST', body: content, headers: key ? { authorization: `Bearer ${key}` } : {} });
  const rejectedCsv = (jobId: string, key: string | null) => fetch(`${base}/imports/${encodeURIComponent(jobId)}/rejected.csv`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const jobOf = async (id: string) =>
    (await graphql<{ importJob: Job | null }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { id status source linesRead accepted rejected withoutCustomer error } }', { id })).data?.importJob;
  const finished = (id: string) => waitFor(`import ${id} to finish`, async () => {
    const job = await jobOf(id);
    return job && job.status !== 'RUNNING' ? job : undefined;
  });
  const uploadFiles = () => readdirSync(uploadDir);
  const codeOf = async (response: Response) => ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code;

  it('the slice and its broken lines are what the test means them to be', () => {
    expect(expected.linesRead).toBe(3_004);
    expect(expected.rejected).toEqual(expect.arrayContaining([
      { lineNumber: 402, code: 'BAD_QUANTITY' },
      { lineNumber: 1_202, code: 'BAD_DATE' },
      { lineNumber: 2_002, code: 'BAD_PRICE' },
      { lineNumber: 2_502, code: 'WRONG_FIELD_COUNT' },
    ]));
    expect(gzipped.length).toBeLessThan(MAX_UPLOAD_BYTES);
  });

  it('imports an admin\'s gzip upload: the counts, then every rejected row as a formula-safe CSV, and the file is gone', async () => {
    const response = await upload(gzipped, platform.keys.admin);
    expect(response.status).toBe(202);
    const started = (await response.json()) as { job: { id: string; status: string; source: string } };
    expect(started.job).toEqual({ id: expect.any(String), status: 'RUNNING', source: 'upload:december-slice.csv.gz' });

    const job = await finished(started.job.id);
    expect(job).toEqual({
      id: started.job.id,
      status: 'COMPLETED',
      source: 'upload:december-slice.csv.gz',
      linesRead: expected.linesRead,
      accepted: expected.accepted,
      rejected: expected.rejected.length,
      withoutCustomer: expected.withoutCustomer,
      error: null,
    });
    const listed = await graphql<{ importJobs: { id: string }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ importJobs(first: 5) { id } }');
    expect(listed.data?.importJobs.map((j) => j.id)).toContain(started.job.id);
    // The stored upload is deleted once the job is over.
    await waitFor('the uploaded file to be deleted', async () => (uploadFiles().length === 0 ? true : undefined));

    const download = await rejectedCsv(started.job.id, platform.keys.admin);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="import-${started.job.id}-rejected.csv"`);
    const text = await download.text();
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(['line_number', 'code', 'reason', 'raw']);
    expect(rows.map((r) => ({ lineNumber: Number(r[0]), code: r[1] }))).toEqual(expected.rejected);
    const byLine = new Map(rows.map((r) => [Number(r[0]), r]));
    expect(byLine.get(402)?.[3]).toBe(broken.get(400));
    expect(byLine.get(1_202)?.[2]).toMatch(/2010-13-45/);
    // The line starting with "=" comes back defused: a leading apostrophe, the text otherwise whole.
    expect(byLine.get(2_002)?.[3]).toBe(`'${FORMULA_LINE}`);
    expect(text).not.toMatch(/(^|[\r\n,])=2\+5/);
  });

  it('fails an upload without a required column on the job, naming the column, and keeps no file', async () => {
    const response = await upload('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,17850,United Kingdom\n', platform.keys.admin, 'no-price.csv');
    expect(response.status).toBe(422);
    const answer = (await response.json()) as { job: { id: string; status: string; error: string }; errors: { message: string; extensions: { code: string } }[] };
    expect(answer.errors[0]?.extensions.code).toBe('MISSING_COLUMN');
    expect(answer.job).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/UnitPrice/) });
    expect(await jobOf(answer.job.id)).toMatchObject({ status: 'FAILED', source: 'upload:no-price.csv', error: expect.stringMatching(/UnitPrice/) });
    expect(uploadFiles()).toEqual([]);
  });

  it('refuses an empty body with 400', async () => {
    const response = await upload(undefined, platform.keys.admin);
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe('EMPTY_BODY');
  });

  it('lets only admins upload and download: 401 without a key, 403 for a viewer or a marketer, 404 for an unknown job', async () => {
    expect((await upload(gzipped, null)).status).toBe(401);
    expect((await upload(gzipped, 'not-a-configured-key-0000')).status).toBe(401);
    for (const key of [platform.keys.viewer, platform.keys.marketer]) {
      const refused = await upload(gzipped, key);
      expect(refused.status).toBe(403);
      expect(await codeOf(refused)).toBe('FORBIDDEN');
    }
    const jobs = await graphql<{ importJobs: { id: string }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ importJobs(first: 1) { id } }');
    const jobId = jobs.data?.importJobs[0]?.id as string;
    expect((await rejectedCsv(jobId, null)).status).toBe(401);
    for (const key of [platform.keys.viewer, platform.keys.marketer]) expect((await rejectedCsv(jobId, key)).status).toBe(403);
    const unknown = await rejectedCsv('00000000-0000-0000-0000-000000000000', platform.keys.admin);
    expect(unknown.status).toBe(404);
    expect(await codeOf(unknown)).toBe('NOT_FOUND');
    expect(uploadFiles()).toEqual([]);
  });

  it('refuses a direct call to the ingest service\'s internal route without the gateway\'s secret', async () => {
    const internal = platform.subgraphUrls.ingest.replace(/\/graphql$/, '/internal/imports?name=direct.csv');
    const anonymous = await fetch(internal, { method: 'POST', body: gzipped, headers: { 'x-seg-role': 'admin' } });
    expect(anonymous.status).toBe(401);
    expect(await codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const forged = await fetch(internal, { method: 'POST', body: gzipped, headers: { 'x-seg-role': 'admin', 'x-seg-gateway-secret': randomBytes(24).toString('hex') } });
    expect(forged.status).toBe(401);
    // With the secret, the role still counts.
    const viewer = await fetch(internal, { method: 'POST', body: gzipped, headers: { 'x-seg-role': 'viewer', 'x-seg-gateway-secret': gatewaySecret } });
    expect(viewer.status).toBe(403);
    expect(uploadFiles()).toEqual([]);
  });

  it('answers 413 past SEG_MAX_UPLOAD_BYTES, declared or streamed, and leaves no file behind', async () => {
    const before = await graphql<{ importJobs: { id: string }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ importJobs(first: 100) { id } }');
    const declared = await upload(randomBytes(MAX_UPLOAD_BYTES + 1), platform.keys.admin, 'too-large.csv.gz');
    expect(declared.status).toBe(413);
    expect(await codeOf(declared)).toBe('PAYLOAD_TOO_LARGE');

    // A stream of unknown length (no Content-Length): the gateway forwards it until it passes the
    // limit, then answers 413 and cuts the forwarding; ingest deletes what it had stored.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${base}/imports?name=endless.csv`, { method: 'POST', headers: { authorization: `Bearer ${platform.keys.admin}` } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', (error) => (/EPIPE|ECONNRESET/.test(error.message) ? undefined : reject(error)));
      let sent = 0;
      const write = (): void => {
        if (sent > 4 * MAX_UPLOAD_BYTES || request.destroyed) return void request.end();
        sent += 16 * 1024;
        if (request.write(randomBytes(16 * 1024))) setImmediate(write);
        else request.once('drain', write);
      };
      write();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ errors: [{ message: `the upload is larger than ${MAX_UPLOAD_BYTES} bytes (SEG_MAX_UPLOAD_BYTES)`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });

    // Ingest had started storing the stream, saw the forwarding cut, and deleted its partial file;
    // no job was started.
    await waitFor('ingest to see the cut upload', async () => (readFileSync(platform.app('ingest-service').logFile, 'utf8').includes('upload abandoned') ? true : undefined), 10_000);
    await waitFor('the partial upload to be deleted', async () => (uploadFiles().length === 0 ? true : undefined), 10_000);
    const after = await graphql<{ importJobs: { id: string }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ importJobs(first: 100) { id } }');
    expect(after.data?.importJobs.map((j) => j.id)).toEqual(before.data?.importJobs.map((j) => j.id));
  });
});
