import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { describeError, type MetricsRegistry } from '@seg/platform-observability';
import { BodyTooLarge } from './request-body';

/** The header that carries a request's correlation id from the client to the gateway and the subgraphs. */
export const CORRELATION_HEADER = 'x-correlation-id';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

/** One readiness report from several (database, broker, ...): ready when every one is. */
export function combineReadiness(...reports: readonly ReadinessReport[]): ReadinessReport {
  return { ready: reports.every((report) => report.ready), checks: Object.assign({}, ...reports.map((report) => report.checks)) as Record<string, boolean> };
}

export interface HttpServerOptions<TContext extends BaseContext> {
  readonly host: string;
  readonly port: number;
  readonly apollo: ApolloServer<TContext>;
  readonly context: (request: IncomingMessage) => Promise<TContext>;
  readonly readiness: () => Promise<ReadinessReport>;
  /** The process's metrics, served on /metrics. */
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  /**
   * Routes of this server beyond /graphql, /health, /ready and /metrics (the gateway's exports
   * and imports, a subgraph's internal routes): resolves true when it answered the request, false
   * to let the server answer 404. A route reads the request body itself (as a stream). A failure
   * is logged and answered with 500 like any other.
   */
  readonly routes?: HttpRoutes;
}

export type HttpRoutes = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

/** Several routes as one: each is asked in turn until one answers. */
export function combineRoutes(...routes: readonly HttpRoutes[]): HttpRoutes {
  return async (request, response, url) => {
    for (const route of routes) if (await route(request, response, url)) return true;
    return false;
  };
}

export interface RunningHttpServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Longer than any client's idle keep-alive, so that the client always closes first. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/**
 * Serves an Apollo server on /graphql plus /health (the process is up), /ready (its database
 * and broker connections are up) and /metrics (Prometheus text format) on plain node:http, using
 * Apollo's integration API.
 */
export async function startHttpServer<TContext extends BaseContext>(options: HttpServerOptions<TContext>): Promise<RunningHttpServer> {
  const { apollo, logger } = options;
  const limit = options.maxBodyBytes ?? 1_000_000;
  await apollo.start();
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const report = await options.readiness();
        return sendJson(response, report.ready ? 200 : 503, report);
      }
      if (url.pathname === '/metrics') {
        const text = await options.metrics.metrics();
        response.writeHead(200, { 'content-type': options.metrics.contentType });
        return response.end(text);
      }
      if (url.pathname !== '/graphql') {
        if (options.routes && (await options.routes(request, response, url))) return;
        return sendJson(response, 404, { error: 'not found' });
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown;
      if (request.method === 'POST') {
        const text = await readBody(request, limit);
        try {
          body = text.length > 0 ? JSON.parse(text) : {};
        } catch {
          return sendJson(response, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        }
      }
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
        context: () => options.context(request),
      });
      for (const [key, value] of result.headers) response.setHeader(key, value);
      response.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        response.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) response.write(chunk);
        response.end();
      }
    })().catch((error: unknown) => {
      if (error instanceof BodyTooLarge) return sendJson(response, 413, { errors: [{ message: error.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      const { code, message } = describeError(error);
      const correlationId = request.headers[CORRELATION_HEADER];
      logger.error({ code, path: request.url, ...(correlationId ? { correlationId } : {}) }, `request failed: ${message}`);
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else response.end();
    });
  });
  // Idle keep-alive connections outlive the clients' (Node's agents drop theirs after 5 s): with
  // equal timeouts a client can send on a socket the server is closing ("socket hang up").
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host}:${port}/graphql`;
  logger.info({ url }, 'http server listening');
  return {
    url,
    server,
    async close() {
      // Requests in flight get a moment to finish; a connection left idle after them would
      // otherwise hold the close for the whole keep-alive timeout.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = setInterval(() => server.closeIdleConnections(), 250);
      const grace = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearInterval(idle);
      clearTimeout(grace);
      await apollo.stop();
    },
  };
}
