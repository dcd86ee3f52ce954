import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServer } from '@apollo/server';
import { csvRow } from '@seg/platform-csv';
import type { Logger } from '@seg/platform-observability';
import { CORRELATION_HEADER, type Role } from '@seg/platform-subgraph';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../graphql/gateway-context';

/** An error answer of the gateway's HTTP routes, shaped like a GraphQL one (`{ errors: [...] }`). */
export function sendError(response: ServerResponse, status: number, errors: readonly GraphQLFormattedError[], headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify({ errors }));
}

/**
 * Authenticates a request to one of the gateway's HTTP routes with the context function of
 * /graphql (the same credentials, the same 401s). Resolves the context, or undefined once it has
 * answered 401.
 */
export async function authenticateRoute(request: IncomingMessage, response: ServerResponse, context: (request: IncomingMessage) => Promise<GatewayContext>): Promise<GatewayContext | undefined> {
  try {
    return await context(request);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const http = error.extensions['http'] as { status?: number } | undefined;
    sendError(response, http?.status ?? 401, [{ message: error.message, extensions: { code: error.extensions['code'] ?? 'UNAUTHENTICATED' } }], { 'www-authenticate': 'Bearer' });
    return undefined;
  }
}

/**
 * The id in a path: the first group of `pattern`, URL-decoded. Undefined when the path does not
 * match, the id is empty, or its percent-encoding is broken.
 */
export function pathId(pattern: RegExp, pathname: string): string | undefined {
  const match = pattern.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    const id = decodeURIComponent(match[1]);
    return id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Where a download route answers, and who may download. */
export interface DownloadAddress {
  /** The download's path, its id as the first group. */
  readonly path: RegExp;
  /** Other paths under this prefix answer 404 with `usage`; paths outside it go to the next route. */
  readonly prefix: string;
  readonly usage: string;
  /** Whether a role may download; others get a 403 saying `forbidden(role)`. */
  readonly allows: (role: Role) => boolean;
  readonly forbidden: (role: Role) => string;
}

/** A download that may go ahead: its id, the caller's context, and the correlation id header for every answer. */
export interface OpenedDownload {
  readonly id: string;
  readonly context: GatewayContext;
  readonly head: Record<string, string>;
}

/**
 * The checks of a download route before its first page, in order: the path (outside the prefix:
 * false, for the next route; under it but not the download's: 404), the method (405 but for GET),
 * the credentials (401, as /graphql), the role (403). Resolves the download, or whether the
 * request was handled (true once an error was sent).
 */
export async function openDownload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  address: DownloadAddress,
  context: (request: IncomingMessage) => Promise<GatewayContext>,
): Promise<OpenedDownload | boolean> {
  const id = pathId(address.path, url.pathname);
  if (id === undefined) {
    if (!url.pathname.startsWith(address.prefix)) return false;
    sendError(response, 404, [{ message: address.usage, extensions: { code: 'NOT_FOUND' } }]);
    return true;
  }
  if (request.method !== 'GET') {
    sendError(response, 405, [{ message: 'use GET', extensions: { code: 'METHOD_NOT_ALLOWED' } }], { allow: 'GET' });
    return true;
  }
  const caller = await authenticateRoute(request, response, context);
  if (!caller) return true;
  const head = { [CORRELATION_HEADER]: caller.correlationId };
  if (!address.allows(caller.role)) {
    sendError(response, 403, [{ message: address.forbidden(caller.role), extensions: { code: 'FORBIDDEN' } }], head);
    return true;
  }
  return { id, context: caller, head };
}

/** Waits until the response can take more data, or the client has gone. */
export function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** A page of a download that cannot be used: its GraphQL errors, or why it is inconsistent. */
export class PageFailed extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((error) => error.message).join('; '));
  }
}

/**
 * Runs one page's operation against the gateway itself, as the caller. A page with any error is
 * refused whole: a download must not drop values silently.
 */
export async function queryPage<T>(
  apollo: Pick<ApolloServer<GatewayContext>, 'executeOperation'>,
  context: GatewayContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const result = await apollo.executeOperation<T>({ query, variables }, { contextValue: context });
  if (result.body.kind !== 'single') throw new Error('a download expected a single GraphQL result');
  const { data, errors } = result.body.singleResult;
  if (errors && errors.length > 0) throw new PageFailed(errors);
  if (!data) throw new PageFailed([{ message: 'no data' }]);
  return data;
}

/** One page of CSV lines, and where the next page starts (null after the last). */
export interface CsvPage<Cursor> {
  readonly lines: string;
  readonly rows: number;
  readonly next: Cursor | null;
}

export interface CsvDownload<Cursor> {
  /** For the log lines: "segment export", "rejected rows download". */
  readonly what: string;
  readonly log: Record<string, unknown>;
  readonly logger: Logger;
  /** The correlation id header, on every answer. */
  readonly head: Record<string, string>;
  readonly fileName: string;
  readonly columns: readonly string[];
  /** The 404 message when the first page finds nothing to download. */
  readonly notFound: string;
  /** Why a later page found nothing (the thing vanished meanwhile). */
  readonly gone: (rows: number) => string;
  /** A page, or null when there is nothing (any more) to download; throws PageFailed when unusable. */
  readonly page: (after: Cursor | null) => Promise<CsvPage<Cursor> | null>;
}

/**
 * Streams a paged CSV download: 502 (a subgraph failed) or 500 when the first page cannot be
 * read, 404 when it finds nothing, then the header row and each page as it arrives. A failure
 * after the first page cuts the transfer short, so a partial file never looks complete; a cursor
 * seen before is such a failure (a page that does not advance would loop for ever).
 */
export async function streamCsvDownload<Cursor>(response: ServerResponse, download: CsvDownload<Cursor>): Promise<void> {
  const { what, log, logger, head } = download;
  const started = performance.now();
  let current: CsvPage<Cursor> | null;
  try {
    current = await download.page(null);
  } catch (error) {
    if (!(error instanceof PageFailed)) throw error;
    logger.warn({ ...log, errors: error.errors }, `${what} failed: ${error.message}`);
    const fromSubgraph = error.errors.some((e) => e.extensions?.['serviceName'] !== undefined);
    sendError(response, fromSubgraph ? 502 : 500, error.errors, head);
    return;
  }
  if (current === null) {
    sendError(response, 404, [{ message: download.notFound, extensions: { code: 'NOT_FOUND' } }], head);
    return;
  }

  response.writeHead(200, {
    ...head,
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${download.fileName}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (!response.write(csvRow(download.columns))) await drained(response);
  let rows = 0;
  const seen = new Set<string>();
  try {
    for (;;) {
      rows += current.rows;
      if (current.lines.length > 0 && !response.write(current.lines)) await drained(response);
      if (response.destroyed) {
        logger.info({ ...log, rows }, `${what} abandoned by the client`);
        return;
      }
      const { next } = current;
      if (next === null) break;
      if (seen.has(String(next))) throw new PageFailed([{ message: `the pages did not advance after ${rows} rows` }]);
      seen.add(String(next));
      current = await download.page(next);
      if (current === null) throw new PageFailed([{ message: download.gone(rows) }]);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ ...log, rows }, `${what} cut short: ${message}`);
    response.destroy();
    return;
  }
  response.end();
  logger.info({ ...log, rows, ms: Math.round(performance.now() - started) }, `${what} done`);
}
