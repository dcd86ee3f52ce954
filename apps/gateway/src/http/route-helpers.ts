import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServer } from '@apollo/server';
import { csvRow } from '@seg/platform-csv';
import type { Logger } from '@seg/platform-observability';
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
