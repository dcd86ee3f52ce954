import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { createMetricsRegistry } from '@seg/platform-observability';
import { GATEWAY_SECRET_HEADER, ROLE_HEADER, startHttpServer, type RunningHttpServer } from '@seg/platform-subgraph';
import { parseApiKeys } from '../auth/api-keys';
import { gatewayContext, type GatewayContext } from '../graphql/gateway-context';
import { importUploadRoute, ingestUploadUrl } from './import-upload';

const KEYS = { viewer: 'viewer-key-0000000001', marketer: 'marketer-key-00000001', admin: 'admin-key-000000000001' };
const SECRET = 'gateway-secret-0000000001';
const MAX = 64 * 1024;
const CSV = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n';

describe('ingestUploadUrl', () => {
  it('is the internal route on the ingest subgraph\'s origin, with the file name', () => {
    expect(ingestUploadUrl('http://ingest-service:4001/graphql', 'a b.csv').href).toBe('http://ingest-service:4001/internal/imports?name=a+b.csv');
    expect(ingestUploadUrl('http://127.0.0.1:4001/graphql', null).href).toBe('http://127.0.0.1:4001/internal/imports');
  });
});

/** What the fake ingest service saw of one request. */
interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
}

describe('importUploadRoute', () => {
  const seen: Seen[] = [];
  /** How the fake ingest service answers: after the whole body (default), or at once. */
  let mode: 'accept' | 'refuse-early' | 'refuse-secret' = 'accept';
  let ingest: Server;
  let gateway: RunningHttpServer;
  let base: string;

  beforeAll(async () => {
    ingest = createServer((request, response) => {
      const entry: Seen = { url: request.url ?? '', headers: request.headers, body: Buffer.alloc(0), complete: false };
      seen.push(entry);
      if (mode === 'refuse-early') {
        response.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ errors: [{ message: 'too large for ingest', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
        request.resume();
        return;
      }
      if (mode === 'refuse-secret') {
        response.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ errors: [{ message: 'subgraphs accept requests from the gateway only', extensions: { code: 'UNAUTHENTICATED' } }] }));
        request.resume();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        entry.body = Buffer.concat(chunks);
        entry.complete = true;
        response.writeHead(202, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ job: { id: 'job-1', status: 'RUNNING', source: 'upload:x' } }));
      });
      request.on('close', () => {
        entry.body = Buffer.concat(chunks);
      });
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    const ingestUrl = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}/graphql`;

    const parsed = parseApiKeys(`viewer:${KEYS.viewer},marketer:${KEYS.marketer},admin:${KEYS.admin}`);
    if ('error' in parsed) throw new Error(parsed.error);
    const context = gatewayContext({ apiKeys: parsed.keys, jwt: undefined });
    const logger = pino({ level: 'silent' });
    gateway = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      apollo: new ApolloServer<GatewayContext>({ typeDefs: 'type Query { ok: Boolean }' }),
      context,
      readiness: async () => ({ ready: true, checks: {} }),
      metrics: createMetricsRegistry('gateway-upload-test', { processMetrics: false }),
      logger,
      routes: importUploadRoute({ context, ingestUrl, gatewaySecret: SECRET, maxBytes: MAX, logger }),
    });
    base = gateway.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await gateway.close();
    ingest.closeAllConnections();
    await new Promise<void>((resolve) => ingest.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
    mode = 'accept';
  });

  const upload = (body: string | Buffer | undefined, key: string | null, name = 'december.csv.gz') =>
    fetch(`${base}/imports?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'x-correlation-id': 'upload-1' } });

  /** Sends `chunks` without a Content-Length, as a stream of unknown size arrives. */
  const uploadChunked = (chunks: readonly Buffer[]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${base}/imports?name=big.csv`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.admin}` } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (body += c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', (error) => (/EPIPE|ECONNRESET/.test(error.message) ? undefined : reject(error)));
      const write = (i: number): void => {
        if (i === chunks.length) return void request.end();
        if (request.write(chunks[i])) setImmediate(() => write(i + 1));
        else request.once('drain', () => write(i + 1));
      };
      write(0);
    });

  it('streams an admin\'s file to the ingest service with the gateway\'s secret and the caller\'s role, and relays its answer', async () => {
    const gzipped = gzipSync(CSV);
    const response = await upload(gzipped, KEYS.admin);
    expect(response.status).toBe(202);
    expect(response.headers.get('x-correlation-id')).toBe('upload-1');
    expect(await response.json()).toEqual({ job: { id: 'job-1', status: 'RUNNING', source: 'upload:x' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/internal/imports?name=december.csv.gz');
    expect(seen[0]?.headers[GATEWAY_SECRET_HEADER]).toBe(SECRET);
    expect(seen[0]?.headers[ROLE_HEADER]).toBe('admin');
    expect(seen[0]?.headers['x-correlation-id']).toBe('upload-1');
    // The client's credential stays at the gateway.
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.body.equals(gzipped)).toBe(true);
  });

  it('refuses without credentials (401) and below admin (403), without calling the ingest service', async () => {
    const anonymous = await upload(CSV, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    for (const key of [KEYS.viewer, KEYS.marketer]) {
      const refused = await upload(CSV, key);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('FORBIDDEN');
    }
    expect((await fetch(`${base}/imports`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).status).toBe(405);
    expect(seen).toEqual([]);
  });

  it('answers 400 for an empty body and 413 for a declared size past the limit, without calling the ingest service', async () => {
    const empty = await upload(undefined, KEYS.admin);
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('EMPTY_BODY');
    const large = await upload(Buffer.alloc(MAX + 1, 'x'), KEYS.admin);
    expect(large.status).toBe(413);
    expect(seen).toEqual([]);
  });

  it('answers 413 once a streamed body passes the limit, and cuts the forwarding short', async () => {
    const response = await uploadChunked(Array.from({ length: 40 }, () => Buffer.alloc(4 * 1024, 'y')));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ message: `the upload is larger than ${MAX} bytes (SEG_MAX_UPLOAD_BYTES)`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.complete).toBe(false);
    expect(seen[0]?.body.length).toBeLessThanOrEqual(MAX);
  });

  it('relays a refusal the ingest service sends before the body ends', async () => {
    mode = 'refuse-early';
    const response = await uploadChunked(Array.from({ length: 10 }, () => Buffer.alloc(4 * 1024, 'z')));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ message: 'too large for ingest', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('answers 502 when the ingest service refuses the gateway itself or cannot be reached', async () => {
    mode = 'refuse-secret';
    const refused = await upload(CSV, KEYS.admin);
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('SUBGRAPH_FAILED');

    const parsed = parseApiKeys(`admin:${KEYS.admin}`);
    if ('error' in parsed) throw new Error(parsed.error);
    const context = gatewayContext({ apiKeys: parsed.keys, jwt: undefined });
    const logger = pino({ level: 'silent' });
    const orphan = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      apollo: new ApolloServer<GatewayContext>({ typeDefs: 'type Query { ok: Boolean }' }),
      context,
      readiness: async () => ({ ready: true, checks: {} }),
      metrics: createMetricsRegistry('gateway-upload-test-2', { processMetrics: false }),
      logger,
      // Port 9 (discard) on the loopback: nothing listens there.
      routes: importUploadRoute({ context, ingestUrl: 'http://127.0.0.1:9/graphql', gatewaySecret: SECRET, maxBytes: MAX, logger }),
    });
    try {
      const response = await fetch(`${orphan.url.replace(/\/graphql$/, '')}/imports?name=a.csv`, { method: 'POST', body: CSV, headers: { authorization: `Bearer ${KEYS.admin}` } });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
    } finally {
      await orphan.close();
    }
  });
});
