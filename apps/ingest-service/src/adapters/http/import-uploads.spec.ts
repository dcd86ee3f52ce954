import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { GATEWAY_SECRET_HEADER, internalRoutes, ROLE_HEADER } from '@seg/platform-subgraph';
import type { UserError } from '../../application/import-jobs';
import { ImportUploads, uploadSource, type UploadedJob } from './import-uploads';

const SECRET = 'gateway-secret-0000000001';
const CSV = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n';

describe('uploadSource', () => {
  it('keeps the last part of the name, printable and short', () => {
    expect(uploadSource('december.csv.gz')).toBe('upload:december.csv.gz');
    expect(uploadSource('C:\\exports\\..\\december.csv')).toBe('upload:december.csv');
    expect(uploadSource('../../etc/passwd')).toBe('upload:passwd');
    expect(uploadSource('a\r\nb\u0000c.csv')).toBe('upload:abc.csv');
    expect(uploadSource('x'.repeat(300))).toBe(`upload:${'x'.repeat(200)}`);
    expect(uploadSource(null)).toBe('upload:unnamed.csv');
    expect(uploadSource(' / ')).toBe('upload:unnamed.csv');
  });
});

describe('ImportUploads', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'seg-upload-spec-')), 'uploads');
  const started: { path: string; source: string; content: Buffer; release: () => Promise<void> }[] = [];
  let answer: (source: string) => { job: UploadedJob; userErrors: UserError[] } = (source) => ({ job: { id: 'job-1', status: 'RUNNING', source, error: null }, userErrors: [] });
  const uploads = new ImportUploads({
    dir,
    maxBytes: 64 * 1024,
    staleMs: 60_000,
    imports: {
      startStored: async (path, source, release) => {
        started.push({ path, source, content: readFileSync(path), release });
        const result = answer(source);
        if (result.userErrors.length > 0) await release();
        return result;
      },
    },
    logger: pino({ level: 'silent' }),
  });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const routes = internalRoutes(SECRET, uploads.routes);
    server = createServer((req, res) => {
      void routes(req, res, new URL(req.url ?? '/', 'http://localhost')).then((taken) => {
        if (!taken) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });
  beforeEach(() => {
    started.length = 0;
    answer = (source) => ({ job: { id: 'job-1', status: 'RUNNING', source, error: null }, userErrors: [] });
  });

  const files = () => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const gateway = (role = 'admin') => ({ [GATEWAY_SECRET_HEADER]: SECRET, [ROLE_HEADER]: role });
  const post = (body: string | Buffer | undefined, headers: Record<string, string> = gateway(), name = 'december.csv.gz') =>
    fetch(`${base}/internal/imports?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers });

  /** Sends `chunks` without a Content-Length (chunked), as a stream of unknown size arrives. */
  const postChunked = (chunks: readonly Buffer[]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${base}/internal/imports?name=big.csv`, { method: 'POST', headers: gateway() }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (body += c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      // The server answers 413 and closes while this side may still be sending.
      request.on('error', (error) => (error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error)));
      const write = (i: number): void => {
        if (i === chunks.length) return void request.end();
        if (request.write(chunks[i])) setImmediate(() => write(i + 1));
        else request.once('drain', () => write(i + 1));
      };
      write(0);
    });

  it('stores the body as sent (gzip stays gzip), starts the import under the given name and answers 202', async () => {
    const gzipped = gzipSync(CSV);
    const response = await post(gzipped);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ job: { id: 'job-1', status: 'RUNNING', source: 'upload:december.csv.gz' } });
    expect(started).toHaveLength(1);
    expect(started[0]?.content.equals(gzipped)).toBe(true);
    expect(started[0]?.path.startsWith(dir)).toBe(true);
    // The file stays while the import runs, and goes when it is over.
    expect(files()).toHaveLength(1);
    await started[0]?.release();
    expect(files()).toEqual([]);
  });

  it('takes a chunked body too', async () => {
    const response = await postChunked([Buffer.from(CSV.slice(0, 40)), Buffer.from(CSV.slice(40))]);
    expect(response.status).toBe(202);
    expect(started[0]?.content.toString('utf8')).toBe(CSV);
    await started[0]?.release();
  });

  it('answers 400 for an empty body, and keeps no file', async () => {
    const response = await post(undefined);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: expect.stringMatching(/no body/), extensions: { code: 'EMPTY_BODY' } }] });
    expect(started).toEqual([]);
    expect(files()).toEqual([]);
  });

  it('answers 413 past the limit, declared or counted, and deletes the partial file', async () => {
    const declared = await post(Buffer.alloc(64 * 1024 + 1, 'x'));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const counted = await postChunked(Array.from({ length: 40 }, () => Buffer.alloc(4 * 1024, 'y')));
    expect(counted.status).toBe(413);
    expect(started).toEqual([]);
    expect(files()).toEqual([]);
  });

  it('answers 422 with the job and the reason when the file cannot be imported', async () => {
    answer = (source) => ({ job: { id: 'job-2', status: 'FAILED', source, error: 'required column "UnitPrice" is missing' }, userErrors: [{ field: null, code: 'MISSING_COLUMN', message: 'required column "UnitPrice" is missing' }] });
    const response = await post('InvoiceNo,StockCode\n1,2\n');
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      job: { id: 'job-2', status: 'FAILED', source: 'upload:december.csv.gz', error: 'required column "UnitPrice" is missing' },
      errors: [{ message: 'required column "UnitPrice" is missing', extensions: { code: 'MISSING_COLUMN' } }],
    });
    expect(files()).toEqual([]);
  });

  it('refuses callers without the gateway\'s secret (401), below admin (403), and other methods (405)', async () => {
    expect((await post(CSV, { [ROLE_HEADER]: 'admin' })).status).toBe(401);
    const marketer = await post(CSV, gateway('marketer'));
    expect(marketer.status).toBe(403);
    expect(await marketer.json()).toEqual({ errors: [{ message: 'uploads need the admin role; you have marketer', extensions: { code: 'FORBIDDEN' } }] });
    const get = await fetch(`${base}/internal/imports`, { headers: gateway() });
    expect(get.status).toBe(405);
    expect(started).toEqual([]);
    expect(files()).toEqual([]);
  });

  it('sweeps uploads left behind by a stopped process, not the ones in use or recent, nor other files', async () => {
    const response = await post(CSV);
    expect(response.status).toBe(202);
    const inUse = started[0]?.path as string;
    const old = Date.now() / 1000 - 3_600;
    utimesSync(inUse, old, old);
    writeFileSync(join(dir, 'left-behind.upload'), CSV);
    utimesSync(join(dir, 'left-behind.upload'), old, old);
    writeFileSync(join(dir, 'recent.upload'), CSV);
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    utimesSync(join(dir, 'notes.txt'), old, old);
    expect(await uploads.sweep()).toBe(1);
    expect(files().sort()).toEqual([inUse.slice(dir.length + 1), 'notes.txt', 'recent.upload'].sort());
    await started[0]?.release();
    rmSync(join(dir, 'recent.upload'));
    rmSync(join(dir, 'notes.txt'));
  });
});
