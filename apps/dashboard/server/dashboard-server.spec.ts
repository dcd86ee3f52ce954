import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createMetricsRegistry } from '@seg/platform-observability';
import { startDashboardServer, type RunningDashboardServer } from './dashboard-server';

/** What the fake gateway saw of one request. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes received before the request ended, and whether it ended. */
  bytes: number;
  complete: boolean;
}

describe('the dashboard server forwarding /imports to the gateway', () => {
  const root = mkdtempSync(join(tmpdir(), 'seg-dashboard-spec-'));
  const seen: Seen[] = [];
  let gateway: Server;
  let dashboard: RunningDashboardServer;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>seg</title>');
    gateway = createServer((request, response) => {
      const entry: Seen = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, bytes: 0, complete: false };
      seen.push(entry);
      if (request.url?.startsWith('/imports?name=too-large')) {
        // A refusal before the body is read, as the gateway's size check answers (the rest is dropped).
        response.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ errors: [{ message: 'too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
        request.resume();
        return;
      }
      request.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
      request.on('end', () => {
        entry.complete = true;
        if (request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="import-j1-rejected.csv"' });
          response.end('line_number,code,reason,raw\r\n');
          return;
        }
        response.writeHead(202, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ job: { id: 'j1', status: 'RUNNING', source: 'upload:a.csv' }, bytes: entry.bytes }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    dashboard = await startDashboardServer({
      host: '127.0.0.1',
      port: 0,
      gatewayOrigin: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      staticRoot: root,
      metrics: createMetricsRegistry('dashboard-spec', { processMetrics: false }),
      logger: pino({ level: 'silent' }),
    });
    base = dashboard.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await dashboard.close();
    gateway.closeAllConnections();
    await new Promise<void>((resolve) => gateway.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen.length = 0;
  });

  /** Posts `chunks` one by one without a Content-Length, waiting for each to be taken, as a large file goes. */
  const postChunked = (path: string, chunks: readonly Buffer[]) =>
    new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const request = httpRequest(`${base}${path}`, { method: 'POST', headers: { authorization: 'Bearer adm_key' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (body += c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      });
      request.on('error', (error) => (/EPIPE|ECONNRESET/.test(error.message) ? undefined : reject(error)));
      const write = (i: number): void => {
        if (i === chunks.length) return void request.end();
        if (request.write(chunks[i])) setImmediate(() => write(i + 1));
        else request.once('drain', () => write(i + 1));
      };
      write(0);
    });

  it('streams an upload through with its key and file name, and relays the answer', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, 65 + (i % 26)));
    const response = await postChunked('/imports?name=a.csv', chunks);
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ job: { id: 'j1', status: 'RUNNING', source: 'upload:a.csv' }, bytes: 64 * 16 * 1024 });
    expect(seen).toEqual([expect.objectContaining({ method: 'POST', url: '/imports?name=a.csv', complete: true })]);
    expect(seen[0]?.headers.authorization).toBe('Bearer adm_key');
  });

  it('relays a refusal the gateway sends before the body ends', async () => {
    const response = await postChunked('/imports?name=too-large.csv', Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 'x')));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ message: 'too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('forwards a rejected rows download', async () => {
    const response = await fetch(`${base}/imports/j1/rejected.csv`, { headers: { authorization: 'Bearer adm_key' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="import-j1-rejected.csv"');
    expect(await response.text()).toBe('line_number,code,reason,raw\r\n');
  });
});
