import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger, MetricsRegistry } from '@seg/platform-observability';
import { counter, describeError } from '@seg/platform-observability';
import { cacheControlOf, contentTypeOf, forwardableHeaders, isGatewayPath, resolveStaticPath, SECURITY_HEADERS } from './static-files';

export interface DashboardServerOptions {
  readonly host: string;
  readonly port: number;
  readonly gatewayOrigin: string;
  readonly staticRoot: string;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

export interface RunningDashboardServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/**
 * Reads and drops the rest of a request body for up to 5 s or 16 MiB, then closes the connection
 * if the body has not ended: closing at once with unread data would reset the connection, and
 * the browser, still sending, could lose the answer it was given.
 */
function dropRestOfBody(request: IncomingMessage): void {
  if (request.complete || request.destroyed) return;
  let dropped = 0;
  const close = () => {
    clearTimeout(timer);
    request.socket?.destroy();
  };
  const timer = setTimeout(close, 5_000);
  timer.unref();
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 16 * 1024 * 1024) close();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built dashboard and forwards /graphql, /exports/... and /imports[/...] to the
 * gateway, so that the browser talks to one origin: the API key stays on it (no CORS,
 * connect-src 'self'), and the gateway keeps doing all authentication and authorisation. Bodies
 * are piped both ways, never buffered: an upload streams through to the gateway as it arrives.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<RunningDashboardServer> {
  const { logger, staticRoot } = options;
  const gateway = new URL(options.gatewayOrigin);
  const send = gateway.protocol === 'https:' ? httpsRequest : httpRequest;
  const requests = counter(options.metrics, { name: 'seg_dashboard_requests_total', help: 'Requests served, by kind (static, proxied, other) and status class', labelNames: ['kind', 'status'] });
  const count = (kind: string, status: number) => requests.inc({ kind, status: `${Math.floor(status / 100)}xx` });

  const proxy = (request: IncomingMessage, response: ServerResponse, path: string): void => {
    const upstream = send(
      new URL(path, gateway),
      { method: request.method, headers: { ...forwardableHeaders(request.headers), host: gateway.host, 'x-forwarded-proto': 'http' } },
      (answer) => {
        const status = answer.statusCode ?? 502;
        count('proxied', status);
        response.writeHead(status, { ...forwardableHeaders(answer.headers), 'cache-control': answer.headers['cache-control'] ?? 'no-store' });
        // An answer that breaks off (the gateway cut a download short) must not look complete.
        answer.on('error', () => undefined);
        answer.on('close', () => {
          if (!answer.complete) response.destroy();
        });
        answer.pipe(response);
      },
    );
    // A browser that goes away mid-upload: the gateway is told at once (it deletes the partial file).
    let clientGone = false;
    request.on('close', () => {
      if (request.complete) return;
      clientGone = true;
      upstream.destroy();
    });
    upstream.on('error', (error) => {
      request.unpipe(upstream);
      if (clientGone) return;
      if (response.headersSent) {
        // The gateway answered before the body ended (a refused upload), then closed: the answer
        // stands, and the rest of the browser's upload is dropped (see dropRestOfBody).
        dropRestOfBody(request);
        return;
      }
      logger.warn({ ...describeError(error), path: request.url }, 'the gateway did not answer');
      count('proxied', 502);
      sendJson(response, 502, { errors: [{ message: 'the gateway is not reachable', extensions: { code: 'BAD_GATEWAY' } }] });
    });
    request.pipe(upstream);
  };

  const serveStatic = async (request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      count('other', 405);
      response.writeHead(405, { allow: 'GET, HEAD' });
      return void response.end();
    }
    let file = resolveStaticPath(staticRoot, pathname);
    // The app routes with the URL fragment; any other page address opens the app itself.
    if ((!file || !(await isFile(file))) && !pathname.startsWith('/assets/') && (request.headers.accept ?? '').includes('text/html')) {
      file = resolveStaticPath(staticRoot, '/');
    }
    if (!file || !(await isFile(file))) {
      count('static', 404);
      return sendJson(response, 404, { error: 'not found' });
    }
    count('static', 200);
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentTypeOf(file), 'cache-control': cacheControlOf(pathname) });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file).pipe(response);
  };

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const index = await isFile(resolveStaticPath(staticRoot, '/') as string);
        return sendJson(response, index ? 200 : 503, { ready: index, checks: { build: index } });
      }
      if (url.pathname === '/metrics') {
        const text = await options.metrics.metrics();
        response.writeHead(200, { 'content-type': options.metrics.contentType });
        return void response.end(text);
      }
      if (isGatewayPath(url.pathname)) return proxy(request, response, `${url.pathname}${url.search}`);
      return serveStatic(request, response, url.pathname);
    })().catch((error: unknown) => {
      logger.error({ ...describeError(error), path: request.url }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal server error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host}:${port}/`;
  return {
    url,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
