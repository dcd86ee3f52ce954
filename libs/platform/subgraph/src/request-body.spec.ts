import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { BodyAborted, BodyTooLarge, copyRequestBody, declaredBodyLength, discardRequestBody } from './request-body';

/** A destination that keeps what it is given, slowly when asked (so that backpressure is exercised). */
function sink(options: { highWaterMark?: number; delayMs?: number; failAfter?: number } = {}) {
  const chunks: Buffer[] = [];
  let writes = 0;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      writes++;
      if (options.failAfter !== undefined && writes > options.failAfter) return callback(new Error('disk full'));
      chunks.push(chunk);
      if (options.delayMs) setTimeout(callback, options.delayMs);
      else callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => chunks.reduce((n, c) => n + c.length, 0) };
}

describe('declaredBodyLength', () => {
  it('reads a well-formed Content-Length, and nothing else', () => {
    expect(declaredBodyLength({ headers: { 'content-length': '1024' } })).toBe(1024);
    expect(declaredBodyLength({ headers: { 'content-length': '0' } })).toBe(0);
    expect(declaredBodyLength({ headers: {} })).toBeUndefined();
    expect(declaredBodyLength({ headers: { 'content-length': '-1' } })).toBeUndefined();
    expect(declaredBodyLength({ headers: { 'content-length': '1e3' } })).toBeUndefined();
    expect(declaredBodyLength({ headers: { 'content-length': '99999999999999999999' } })).toBeUndefined();
  });
});

describe('copyRequestBody', () => {
  it('copies the whole body, ends the destination and counts the bytes', async () => {
    const request = new PassThrough();
    const out = sink();
    const copied = copyRequestBody(request, out.stream, 100);
    request.write('a,b\n');
    request.end('1,2\n');
    await expect(copied).resolves.toBe(8);
    expect(out.text()).toBe('a,b\n1,2\n');
    expect(out.stream.writableFinished).toBe(true);
  });

  it('copies an empty body as zero bytes', async () => {
    const request = new PassThrough();
    const out = sink();
    const copied = copyRequestBody(request, out.stream, 100);
    request.end();
    await expect(copied).resolves.toBe(0);
  });

  it('follows a slow destination without buffering ahead of it', async () => {
    const request = new PassThrough({ highWaterMark: 1024 });
    const out = sink({ highWaterMark: 1024, delayMs: 2 });
    const copied = copyRequestBody(request, out.stream, 10_000_000);
    const chunk = Buffer.alloc(1024, 'x');
    let written = 0;
    let pushedBack = 0;
    for (let i = 0; i < 200; i++) {
      if (!request.write(chunk)) {
        pushedBack++;
        await new Promise((resolve) => request.once('drain', resolve));
      }
      written += chunk.length;
      // Never more than the two streams' buffers (and a chunk in flight) ahead of the destination.
      expect(written - out.bytes()).toBeLessThanOrEqual(5 * 1024);
    }
    request.end();
    await expect(copied).resolves.toBe(200 * 1024);
    expect(pushedBack).toBeGreaterThan(0);
  });

  it('stops at the limit, leaving the destination open and the request paused, not destroyed', async () => {
    const request = new PassThrough();
    const out = sink();
    const copied = copyRequestBody(request, out.stream, 10);
    request.write('0123456789');
    request.write('x');
    await expect(copied).rejects.toBeInstanceOf(BodyTooLarge);
    expect(out.text()).toBe('0123456789');
    expect(out.stream.writableEnded).toBe(false);
    expect(request.destroyed).toBe(false);
    expect(request.isPaused()).toBe(true);
  });

  it('reports a client that goes away before the end, and keeps listening for its later errors', async () => {
    const request = new PassThrough();
    const out = sink();
    const copied = copyRequestBody(request, out.stream, 100);
    request.write('half a line');
    request.destroy();
    await expect(copied).rejects.toBeInstanceOf(BodyAborted);
    // An error after the copy settled must not be thrown for want of a listener.
    expect(() => request.emit('error', new Error('aborted'))).not.toThrow();
  });

  it('passes on the destination\'s error', async () => {
    const request = new PassThrough();
    const out = sink({ failAfter: 1 });
    const copied = copyRequestBody(request, out.stream, 100);
    request.write('one');
    request.write('two');
    await expect(copied).rejects.toThrow('disk full');
  });

  it('stops when the caller aborts', async () => {
    const request = new PassThrough();
    const stop = new AbortController();
    const copied = copyRequestBody(request, sink().stream, 100, stop.signal);
    request.write('some');
    stop.abort(new Error('ingest answered first'));
    await expect(copied).rejects.toThrow('ingest answered first');
    expect(request.isPaused()).toBe(true);
  });
});

describe('discardRequestBody', () => {
  let server: Server;
  let base: string;
  /** The request URLs whose connection closed (a connection of an earlier test may close late). */
  const closed: string[] = [];

  beforeAll(async () => {
    // Refuses every upload at once, as a 413 before the body is read does.
    server = createServer((request, response) => {
      response.writeHead(413, { 'content-type': 'text/plain' });
      response.end('too large');
      const maxBytes = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('max') ?? 16 * 1024 * 1024);
      request.socket.once('close', () => closed.push(request.url ?? '/'));
      discardRequestBody(request, { lingerMs: 2_000, maxBytes });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `total` bytes without a Content-Length, as fast as the connection takes them; resolves with the answer. */
  const send = (path: string, total: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${base}${path}`, { method: 'POST' }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (body += c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', (error) => (/EPIPE|ECONNRESET/.test(error.message) ? undefined : reject(error)));
      let sent = 0;
      const write = (): void => {
        if (sent >= total || request.destroyed) return void request.end();
        sent += 64 * 1024;
        if (request.write(Buffer.alloc(64 * 1024, 'x'))) setImmediate(write);
        else request.once('drain', write);
      };
      write();
    });

  it('lets a client that keeps sending read the refusal, and the connection stay usable', async () => {
    closed.length = 0;
    expect(await send('/', 4 * 1024 * 1024)).toEqual({ status: 413, body: 'too large' });
  });

  it('closes the connection once too much was dropped, the refusal delivered first', async () => {
    closed.length = 0;
    const answer = await send('/?max=262144', 64 * 1024 * 1024);
    expect(answer).toEqual({ status: 413, body: 'too large' });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed.filter((url) => url === '/?max=262144')).toEqual(['/?max=262144']);
  });
});
